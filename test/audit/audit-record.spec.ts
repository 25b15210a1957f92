import { expect } from 'chai';
import { responseHashOf } from '../../src/audit/receipt';
import { parse, print } from 'graphql';
import { hashToken } from '../../src/auth/session.service';
import { beforeFreshData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { openSession, traderToken } from '../support/server';
import {
  allAuditText,
  auditRowOf,
  auditRows,
  useCapturedServer,
  officerToken,
  rawGql,
  schemaHas,
  sha256hex,
} from './helpers';

const item = (hs: string, azn: string) => ({ hs, country: 'CN', net: '1.000', gross: '2.000', azn, usd: '1.00' });

async function sessionIdOf(token: string): Promise<string> {
  const [r] = await testDb().ds.query('SELECT id::text AS id FROM sessions WHERE token_hash = $1', [hashToken(token)]);
  return r.id;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('audit record per GraphQL operation', () => {
  let a: string;
  let tokenA: string;

  beforeFreshData(async () => {
    a = await insertParticipant('1000000001', 'Alpha MMC');
    await insertDeclarations(a, [
      {
        number: 'A-1',
        date: '2024-01-10',
        direction: 'IM',
        items: [item('8471300000', '10.00'), item('8471410000', '5.00')],
      },
      { number: 'A-2', date: '2024-02-10', direction: 'IM', items: [item('8471300000', '1.00')] },
      { number: 'A-3', date: '2024-03-10', direction: 'EX', items: [item('0802210000', '2.00')] },
    ]);
    tokenA = await traderToken(a);
  });

  it('records a query: viewer, client, request id, operation, document hash, variables, rows, response hash as sent', async () => {
    const query = 'query Mine($n: Int) {\n  declarations(first: $n) { edges { node { number items { hsCode } } } }\n}';
    const r = await rawGql(query, { n: 2 }, tokenA, {
      headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': 'req-audit-0001' },
    });
    expect(r.status).to.equal(200);
    expect(r.body.data.declarations.edges).to.have.length(2);
    expect(r.requestId).to.equal('req-audit-0001');
    const row = await auditRowOf('req-audit-0001');
    expect(row).to.deep.include({
      participant_id: a,
      session_id: await sessionIdOf(tokenA),
      role: 'TRADER',
      auth_method: 'PASSWORD',
      login: false,
      user_agent: 'audit-test/1.0',
      operation_type: 'query',
      operation_name: 'Mine',
      root_fields: ['declarations'],
      variables: '{"n":2}',
      outcome: 'SUCCESS',
      error_codes: [],
      rows_returned: 2,
      http_status: 200,
      complaint_id: null,
    });
    expect(row.client_ip).to.match(/127\.0\.0\.1/);
    expect(row.document_hash).to.equal(sha256hex(print(parse(query))));
    // The registered result: the SHA-256 of the exact bytes the client received, less its receipt.
    expect(r.body.extensions?.receipt?.seq).to.equal(row.seq);
    expect(row.response_hash).to.equal(responseHashOf(r.text).toString('hex'));
    expect(Number(row.duration_us)).to.be.greaterThan(0);
  });

  it('records failed operations with outcome and error codes: unauthenticated, forbidden, invalid, unparsable', async () => {
    // Refused before anything executed (parse, validation): REJECTED; failed while executing: ERROR.
    const cases: [string, string | undefined, string, string][] = [
      ['{ declarations { edges { cursor } } }', undefined, 'UNAUTHENTICATED', 'ERROR'],
      ['{ auditLog { edges { cursor } } }', tokenA, 'FORBIDDEN', 'ERROR'],
      ['{ noSuchField }', tokenA, 'GRAPHQL_VALIDATION_FAILED', 'REJECTED'],
      ['{ me { role } ', tokenA, 'GRAPHQL_PARSE_FAILED', 'REJECTED'],
    ];
    for (const [q, token, code, outcome] of cases) {
      const r = await rawGql(q, { secretish: 'x' }, token);
      expect(r.body.errors?.[0]?.extensions?.code).to.equal(code);
      expect(r.body.errors?.[0]?.extensions?.requestId).to.equal(r.requestId);
      const row = await auditRowOf(r.requestId);
      expect(row.outcome, code).to.equal(outcome);
      expect(row.error_codes, code).to.deep.equal([code]);
      expect(row.rows_returned).to.equal(0);
      expect(row.response_hash).to.equal(responseHashOf(r.text).toString('hex'));
    }
    const unparsable = (await auditRows("'GRAPHQL_PARSE_FAILED' = ANY (error_codes)"))[0];
    expect(unparsable.operation_type).to.equal(null);
    expect(unparsable.document_hash).to.equal(null);
    expect(JSON.parse(unparsable.variables)).to.deep.equal({ secretish: '[redacted]' });
  });

  it('records a partial result (data and errors) as PARTIAL', async () => {
    // `declaration` is nullable: an officer gets FORBIDDEN there and the rest of the data.
    const r = await rawGql('{ me { role } declaration(number: "A-1") { number } }', {}, await officerToken());
    expect(r.body.data).to.deep.equal({ me: { role: 'OFFICER' }, declaration: null });
    const row = await auditRowOf(r.requestId);
    expect(row.outcome).to.equal('PARTIAL');
    expect(row.error_codes).to.deep.equal(['FORBIDDEN']);
    expect(row.rows_returned).to.equal(1);
    expect(row.root_fields).to.deep.equal(['me', 'declaration']);
    expect(row.role).to.equal('OFFICER');
  });

  it('counts rows as the items of page lists: statistics rows and countries', async () => {
    const stats = await rawGql(
      '{ tradeStatistics(groupBy: [DIRECTION]) { rows { key { direction } } totals { itemCount } } }',
      {},
      tokenA,
    );
    expect(stats.body.data.tradeStatistics.rows).to.have.length(2);
    expect((await auditRowOf(stats.requestId)).rows_returned).to.equal(2);
    const c = await rawGql('{ countries { code } }', {}, tokenA);
    expect((await auditRowOf(c.requestId)).rows_returned).to.equal(c.body.data.countries.length);
  });

  describe('login attempts', () => {
    const cap = useCapturedServer();

    it('records refused and successful logins with the method, the resulting participant, never the password or token', async function () {
      if (!(await schemaHas('login')) || !(await schemaHas('registerContract'))) this.skip();
      const url = cap.server.url;
      const officer = await officerToken('officer.audit');
      const reg = await rawGql(
        `mutation($i: ContractInput!) { registerContract(input: $i) { id participant { id } } }`,
        {
          i: {
            contractNumber: 'AUD-1',
            signedDate: '2025-03-01',
            kind: 'LEGAL_ENTITY',
            name: 'Alpha MMC',
            voen: '1000000001',
            documents: [
              'APPLICATION_LETTER',
              'SIGNED_CONTRACT',
              'STATE_REGISTRATION_CERTIFICATE',
              'FOUNDERS_IDENTITY_DOCUMENTS',
            ],
          },
        },
        officer,
        { url },
      );
      expect(reg.body.errors).to.equal(undefined);
      const issued = await rawGql(
        'mutation($c: ID!) { issueCredentials(contractId: $c) { username password } }',
        { c: reg.body.data.registerContract.id },
        officer,
        { url },
      );
      const { username, password } = issued.body.data.issueCredentials;
      const LOGIN =
        'mutation In($u: String!, $p: String!) { login(username: $u, password: $p) { token viewer { role } } }';

      const refused = await rawGql(LOGIN, { u: username, p: 'wrong-guess-123456' }, undefined, { url });
      expect(refused.body.errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
      const refusedRow = await auditRowOf(refused.requestId);
      expect(refusedRow).to.deep.include({
        login: true,
        auth_method: 'PASSWORD',
        outcome: 'ERROR',
        error_codes: ['UNAUTHENTICATED'],
        participant_id: null,
        session_id: null,
        login_participant_id: null,
        login_session_id: null,
        login_username: username,
        operation_name: 'In',
        root_fields: ['login'],
      });
      expect(JSON.parse(refusedRow.variables)).to.deep.equal({ u: username, p: '[redacted]' });

      const ok = await rawGql(LOGIN, { u: username, p: password }, undefined, { url });
      expect(ok.body.errors).to.equal(undefined);
      const token: string = ok.body.data.login.token;
      const okRow = await auditRowOf(ok.requestId);
      // No actor (the request carried no session); what the login opened in its own columns.
      expect(okRow).to.deep.include({
        login: true,
        auth_method: 'PASSWORD',
        outcome: 'SUCCESS',
        participant_id: null,
        session_id: null,
        role: null,
        login_participant_id: a,
        login_session_id: await sessionIdOf(token),
        login_role: 'TRADER',
        login_username: username,
        rows_returned: 1,
      });
      expect(okRow.response_hash).to.equal(responseHashOf(ok.text).toString('hex'));

      const stored = await allAuditText();
      for (const secret of [password, 'wrong-guess-123456', token]) {
        expect(stored).not.to.contain(secret);
        expect(stored).not.to.contain(b64(secret));
      }
      const logs = cap.lines.join('');
      expect(logs).not.to.contain(password);
      expect(logs).not.to.contain(token);
      const loginLines = cap.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'graphql operation' && l.login);
      expect(loginLines.map((l) => l.outcome)).to.deep.equal(['ERROR', 'SUCCESS']);
    });
  });

  it('keeps complaint personal data out of the record and stores the returned complaint id instead', async function () {
    if (!(await schemaHas('fileComplaint'))) this.skip();
    const input = {
      name: 'Anar',
      patronymic: 'Rəşid oğlu',
      surname: 'Gizlinov',
      address: 'Bakı, Nizami küç. 10',
      text: 'Private details about the statistics page.',
    };
    const r = await rawGql(
      'mutation($x: ComplaintInput!) { fileComplaint(input: $x) { id status } }',
      { x: input },
      tokenA,
    );
    expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
    const row = await auditRowOf(r.requestId);
    expect(row.complaint_id).to.equal(r.body.data.fileComplaint.id);
    expect(JSON.parse(row.variables)).to.deep.equal({ x: '[redacted]' });
    const stored = await allAuditText();
    for (const v of ['Gizlinov', 'Nizami', 'Private details']) expect(stored).not.to.contain(v);
    if (await schemaHas('answerComplaint')) {
      const officer = await officerToken();
      const ans = await rawGql(
        'mutation($i: ID!, $t: String!) { answerComplaint(id: $i, answer: $t) { id } }',
        { i: r.body.data.fileComplaint.id, t: 'Dear Mr Gizlinov, the page is fixed.' },
        officer,
      );
      expect(ans.body.errors, JSON.stringify(ans.body.errors)).to.equal(undefined);
      const ansRow = await auditRowOf(ans.requestId);
      expect(JSON.parse(ansRow.variables)).to.deep.equal({ i: r.body.data.fileComplaint.id, t: '[redacted]' });
      expect(ansRow.complaint_id).to.equal(r.body.data.fileComplaint.id);
      expect(await allAuditText()).not.to.contain('Gizlinov');
    }
  });
});

describe('secrets never reach the audit table or the logs', () => {
  const cap = useCapturedServer({ reset: true });

  it('whatever the variable is called, on every operation with a secret argument, and logs one line per operation', async () => {
    const url = cap.server.url;
    const secrets = [
      'Sx7-otp-never-store',
      'Sx7-new-passphrase-never',
      'MIISx7signature==',
      'MIISx7assertion==',
      '{"Sx7":"webeid-token"}',
      'Sx7-wrong-password',
    ];
    const calls: [string, Record<string, unknown>, boolean][] = [];
    const has = async (f: string) => schemaHas(f);
    let officerSecretToken: string | undefined;
    if ((await has('login')) && (await has('changePassword'))) {
      const { password } = await cap.services.accounts.createOfficer('officer.secret');
      secrets[0] = password;
      calls.push([
        'mutation($a: String!, $b: String!) { login(username: $a, password: $b) { token } }',
        { a: 'officer.secret', b: secrets[5] },
        false,
      ]);
      const first = await rawGql(
        'mutation($a: String!, $b: String!) { login(username: $a, password: $b) { token } }',
        { a: 'officer.secret', b: password },
        undefined,
        { url },
      );
      officerSecretToken = first.body.data.login.token;
      secrets.push(officerSecretToken!);
      const ch = await rawGql(
        'mutation($x: String!, $y: String!) { changePassword(currentPassword: $x, newPassword: $y) }',
        { x: password, y: secrets[1] },
        officerSecretToken,
        { url },
      );
      expect(ch.body.errors, JSON.stringify(ch.body.errors)).to.equal(undefined);
    }
    if (await has('loginWithSignature')) {
      calls.push([
        'mutation($c: ID!, $s: String!) { loginWithSignature(challengeId: $c, signature: $s) { token } }',
        { c: '1', s: secrets[2] },
        false,
      ]);
    }
    if (await has('loginWithPortalAssertion')) {
      calls.push([
        'mutation($q: String!) { loginWithPortalAssertion(assertion: $q) { token } }',
        { q: secrets[3] },
        false,
      ]);
    }
    if (await has('loginWithWebEid')) {
      calls.push([
        'mutation($c: ID!, $w: String!) { loginWithWebEid(challengeId: $c, token: $w) { token } }',
        { c: '1', w: secrets[4] },
        false,
      ]);
    }
    // An existing operation end-to-end: logout, with a secret-looking variable it does not use.
    const t = await openSession({ role: 'OFFICER', username: 'o2' }, cap.services);
    secrets.push(t.token);
    calls.push(['mutation($unused: String) { logout }', { unused: secrets[5] }, true]);
    const before = cap.lines.length;
    for (const [q, v, auth] of calls) {
      const r = await rawGql(q, v, auth ? t.token : undefined, { url });
      expect(r.status).to.be.oneOf([200, 400, 401]);
    }
    const stored = await allAuditText();
    const logs = cap.lines.join('');
    for (const s of secrets) {
      expect(stored, s).not.to.contain(s);
      expect(stored, s).not.to.contain(b64(s));
      expect(logs, s).not.to.contain(s);
      expect(logs, s).not.to.contain(b64(s));
    }
    const opLines = cap.lines
      .slice(before)
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'graphql operation');
    expect(opLines).to.have.length(calls.length);
    for (const l of opLines) {
      expect(l).not.to.have.property('variables');
      expect(l.requestId).to.be.a('string');
      expect(l.auditId).to.be.a('string');
    }
  });

  it('writes the request id to the X-Request-Id header, error extensions, the audit record and the log line', async () => {
    const r = await rawGql('{ me { role } }', {}, undefined, {
      url: cap.server.url,
      headers: { 'x-request-id': 'trace-me-12345' },
    });
    expect(r.requestId).to.equal('trace-me-12345');
    expect(r.body.errors?.[0]?.extensions?.requestId).to.equal('trace-me-12345');
    const row = await auditRowOf('trace-me-12345');
    const line = cap.lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'trace-me-12345');
    expect(line).to.include({ msg: 'graphql operation', auditId: row.id, outcome: 'ERROR', operationType: 'query' });
    expect(line.errorCodes).to.deep.equal(['UNAUTHENTICATED']);
  });
});
