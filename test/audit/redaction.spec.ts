import { expect } from 'chai';
import { buildSchema, getOperationAST, parse, print } from 'graphql';
import { canonicalJson, countRows, describeOperation, REDACTED, UNUSED } from '../../src/audit/operation';
import { sha256hex } from './helpers';
import { testServer } from '../support/server';

/** A tiny schema of its own: the redaction must not depend on which login mutations exist. */
const SCHEMA = buildSchema(`
  input Credentials { username: String! password: String! note: String }
  input ComplaintInput { name: String! address: String! text: String! }
  type Q { ping(echo: String): String }
  type M {
    signIn(username: String!, password: String!): String
    signInWith(credentials: Credentials!): String
    verify(signature: String!, assertion: String, token: String): Boolean
    rotate(currentPassword: String!, newPassword: String!): Boolean
    fileComplaint(input: ComplaintInput!): String
    answerComplaint(id: ID!, answer: String!): String
    tag(labels: [String!]!): Boolean
  }
  schema { query: Q mutation: M }
`);

function describe_(query: string, variables: Record<string, unknown>, operationName?: string) {
  const doc = parse(query);
  return describeOperation(SCHEMA, doc, getOperationAST(doc, operationName) ?? undefined, variables);
}

describe('audit redaction (by the argument a value feeds)', () => {
  it('redacts a password whatever the variable is called ($p), and keeps the other variables', () => {
    const f = describe_('mutation Go($u: String!, $p: String!) { signIn(username: $u, password: $p) }', {
      u: 'alice',
      p: 'hunter2-correct-horse',
    });
    expect(JSON.parse(f.variables)).to.deep.equal({ u: 'alice', p: REDACTED });
    expect(f.variables).not.to.contain('hunter2');
    expect(f.operationName).to.equal('Go');
    expect(f.operationType).to.equal('mutation');
    expect(f.roots).to.deep.equal([{ field: 'signIn', responseKey: 'signIn' }]);
  });

  it('redacts signature, assertion, token, currentPassword and newPassword arguments', () => {
    const f = describe_(
      `mutation($a: String!, $b: String, $c: String, $d: String!, $e: String!) {
      verify(signature: $a, assertion: $b, token: $c) rotate(currentPassword: $d, newPassword: $e) }`,
      { a: 'MIIsig', b: 'MIIassert', c: '{"unverifiedCertificate":"x"}', d: 'old-secret', e: 'new-secret' },
    );
    expect(JSON.parse(f.variables)).to.deep.equal({ a: REDACTED, b: REDACTED, c: REDACTED, d: REDACTED, e: REDACTED });
  });

  it('redacts a variable that feeds a secret input field, and secret-named keys inside an input object', () => {
    const viaField = describe_('mutation($x: String!) { signInWith(credentials: { username: "bob", password: $x }) }', {
      x: 's3cr3t-one',
    });
    expect(JSON.parse(viaField.variables)).to.deep.equal({ x: REDACTED });
    const wholeObject = describe_('mutation($c: Credentials!) { signInWith(credentials: $c) }', {
      c: { username: 'bob', password: 's3cr3t-two', note: 'hi' },
    });
    expect(JSON.parse(wholeObject.variables)).to.deep.equal({ c: { username: 'bob', password: REDACTED, note: 'hi' } });
  });

  it('keeps complaint personal data out: the whole input of fileComplaint and the answer of answerComplaint', () => {
    const f = describe_(
      `mutation($in: ComplaintInput!, $id: ID!, $ans: String!) {
      fileComplaint(input: $in) answerComplaint(id: $id, answer: $ans) }`,
      { in: { name: 'Anar', address: 'Nizami 10', text: 'late' }, id: '7', ans: 'Dear Anar…' },
    );
    expect(JSON.parse(f.variables)).to.deep.equal({ in: REDACTED, id: '7', ans: REDACTED });
    expect(f.variables).not.to.match(/Anar|Nizami/);
  });

  it('masks secret literals in the document before hashing it, so the hash cannot be brute-forced', () => {
    const withLiteral = describe_('mutation { signIn(username: "alice", password: "p4ss") }', {});
    const other = describe_('mutation { signIn(username: "alice", password: "other") }', {});
    expect(withLiteral.documentHash!.toString('hex')).to.equal(other.documentHash!.toString('hex'));
    const expected = print(parse('mutation { signIn(username: "alice", password: "[redacted]") }'));
    expect(withLiteral.documentHash!.toString('hex')).to.equal(sha256hex(expected));
    // So is the default value of a variable that feeds a secret argument.
    const withDefault = describe_('mutation($p: String! = "p4ss") { signIn(username: "alice", password: $p) }', {});
    expect(withDefault.documentHash!.toString('hex')).to.equal(
      sha256hex(print(parse('mutation($p: String! = "[redacted]") { signIn(username: "alice", password: $p) }'))),
    );
    // A non-secret literal is part of the hash.
    const bob = describe_('mutation { signIn(username: "bob", password: "p4ss") }', {});
    expect(bob.documentHash!.equals(withLiteral.documentHash!)).to.equal(false);
  });

  it('hashes the normalised document: whitespace and comments do not change it', () => {
    const a = describe_('query { ping(echo: "x") }', {});
    const b = describe_('  # a comment\nquery {\n  ping( echo : "x" )\n}\n', {});
    expect(a.documentHash!.equals(b.documentHash!)).to.equal(true);
  });

  it('follows variables through fragments and lists, and keeps none of a document that does not parse', () => {
    const frag = describe_(`mutation($p: String!) { ...F } fragment F on M { signIn(username: "a", password: $p) }`, {
      p: 'inside-fragment',
    });
    expect(JSON.parse(frag.variables)).to.deep.equal({ p: REDACTED });
    expect(frag.roots.map((r) => r.field)).to.deep.equal(['signIn']);
    const unparsed = describeOperation(SCHEMA, undefined, undefined, { p: 'typo-secret', q: 1 });
    expect(JSON.parse(unparsed.variables)).to.deep.equal({ p: REDACTED, q: REDACTED });
    expect(unparsed.documentHash).to.equal(null);
  });

  it('does not store variables the operation does not use (their role is unknown)', () => {
    const f = describe_('query($e: String) { ping(echo: $e) }', { e: 'hello', extra: 'maybe-a-password' });
    expect(JSON.parse(f.variables)).to.deep.equal({ e: 'hello', extra: UNUSED });
  });

  it('redacts by argument against the real schema: login and changePassword', async function () {
    const { server } = await testServer();
    const schema = server.schema;
    const m = schema.getMutationType()?.getFields() ?? {};
    if (!m.login || !m.changePassword) this.skip();
    const doc = parse(`mutation($who: String!, $k: String!, $c: String!, $n: String!) {
      login(username: $who, password: $k) { expiresAt } changePassword(currentPassword: $c, newPassword: $n) }`);
    const f = describeOperation(schema, doc, getOperationAST(doc) ?? undefined, {
      who: 'u1',
      k: 'kkk-1',
      c: 'ccc-2',
      n: 'nnn-3',
    });
    expect(JSON.parse(f.variables)).to.deep.equal({ who: 'u1', k: REDACTED, c: REDACTED, n: REDACTED });
    expect(f.loginMethod).to.equal('PASSWORD');
  });

  it('names login attempts and their method', () => {
    const s = buildSchema(`type Q { a: Int } type S { token: String }
      type M { login(username: String!, password: String!): S loginWithSignature(challengeId: ID!, signature: String!): S
               loginWithPortalAssertion(assertion: String!): S logout: Boolean }
      schema { query: Q mutation: M }`);
    const method = (q: string) => {
      const d = parse(q);
      return describeOperation(s, d, getOperationAST(d) ?? undefined, {}).loginMethod;
    };
    expect(method('mutation { login(username: "a", password: "b") { token } }')).to.equal('PASSWORD');
    expect(method('mutation { x: loginWithSignature(challengeId: "1", signature: "b") { token } }')).to.equal(
      'SIGNATURE',
    );
    expect(method('mutation { loginWithPortalAssertion(assertion: "b") { token } }')).to.equal('PORTAL');
    expect(method('mutation { logout }')).to.equal(null);
  });

  it('describes one parsed document many times (as Apollo reuses it) with each request its own variables', () => {
    const doc = parse('mutation Go($u: String!, $p: String!) { signIn(username: $u, password: $p) }');
    const op = getOperationAST(doc) ?? undefined;
    const first = describeOperation(SCHEMA, doc, op, { u: 'alice', p: 'secret-one' });
    const second = describeOperation(SCHEMA, doc, op, { u: 'bob', p: 'secret-two' });
    expect(JSON.parse(first.variables)).to.deep.equal({ u: 'alice', p: REDACTED });
    expect(JSON.parse(second.variables)).to.deep.equal({ u: 'bob', p: REDACTED });
    expect(second.loginMethod).to.equal(null);
    const fresh = describeOperation(SCHEMA, parse(print(doc)), op, {});
    expect(second.documentHash?.toString('hex'))
      .to.equal(first.documentHash?.toString('hex'))
      .and.to.match(/^[0-9a-f]{64}$/);
    expect(fresh.documentHash?.toString('hex')).to.equal(first.documentHash?.toString('hex'));
  });

  it('writes canonical JSON (keys sorted at every depth)', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).to.equal(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('rows returned (definition)', () => {
  it('counts the items of root lists and of page lists (edges, nodes, rows); a single object counts 1; null and scalars 0', () => {
    expect(countRows({ declarations: { edges: [{}, {}, {}], pageInfo: { hasNextPage: false } } })).to.equal(3);
    expect(countRows({ tradeStatistics: { rows: [{}, {}], totals: { itemCount: 5 }, truncated: false } })).to.equal(2);
    expect(countRows({ countries: [{}, {}, {}, {}] })).to.equal(4);
    expect(countRows({ me: { role: 'TRADER' } })).to.equal(1);
    expect(countRows({ declaration: null, logout: true })).to.equal(0);
    // Nested lists (a declaration's items) belong to their row.
    expect(countRows({ declaration: { number: 'A', items: [{}, {}] } })).to.equal(1);
    expect(countRows({ a: [{}], b: { edges: [{}, {}] } })).to.equal(3);
    expect(countRows(null)).to.equal(0);
  });
});
