/**
 * Issue 10 (accounting overhead): a response is serialised once. The audit plugin serialises it without
 * its receipt (the bytes the record hashes), splices the receipt in, and Apollo Server sends that text
 * (src/audit/wire.ts, the server's `stringifyResult`). The bytes on the wire must be exactly Apollo's own
 * serialisation of the result, and the bytes hashed exactly the bytes on the wire without the receipt.
 */
import { ApolloServer, HeaderMap } from '@apollo/server';
import { expect } from 'chai';
import { GraphQLObjectType, GraphQLScalarType, GraphQLSchema } from 'graphql';
import type { AuditService } from '../../src/audit/audit.service';
import type { GraphQLContext } from '../../src/graphql/context';
import { auditPlugin } from '../../src/graphql/plugins/audit.plugin';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { responseHashOf } from '../../src/audit/receipt';
import { serialisedAs, serialiseResponse, stringifyAuditedResult, withReceipt } from '../../src/audit/wire';
import { beforeFreshData } from '../support/db';
import { insertOneImport, insertParticipant } from '../support/fixtures';
import { testServer, traderToken } from '../support/server';
import { auditRows, sha256hex } from './helpers';

/** Apollo Server's serialisation of a single result (runHttpQuery: prettyJSONStringify(orderExecutionResultFields)). */
const apollo = (r: { errors?: unknown; data?: unknown; extensions?: unknown }) =>
  `${JSON.stringify({ errors: r.errors, data: r.data, extensions: r.extensions })}\n`;

const NON_ASCII = 'Xəzər Logistika MMC — «Şüşə» 🚢 \u2028 "quoted" \\ \u0007';
const BIG = [1e21, 2 ** 53 + 2, 1.7976931348623157e308, 5e-324, -0, 0.1 + 0.2, Number('12345678901234567890')];
const RECEIPT = { seq: '42', leafHash: 'ab'.repeat(32), responseHash: 'cd'.repeat(32), logOrigin: 'example.org/audit' };

const RESULTS: { name: string; result: () => Record<string, any> }[] = [
  { name: 'data only', result: () => ({ data: { me: { role: 'TRADER', name: NON_ASCII, n: BIG } } }) },
  {
    name: 'data, errors and extensions',
    result: () => ({
      errors: [{ message: `bad ${NON_ASCII}`, path: ['a', 0], extensions: { code: 'BAD_USER_INPUT' } }],
      data: { a: [null, { big: BIG }] },
      extensions: { cost: { points: 12, remaining: 2 ** 40 } },
    }),
  },
  {
    name: 'errors only',
    result: () => ({ errors: [{ message: 'x', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }),
  },
  { name: 'null data', result: () => ({ data: null, errors: [{ message: 'y' }] }) },
  { name: 'nothing at all', result: () => ({}) },
  { name: 'extensions only', result: () => ({ extensions: { cost: { points: 1 } } }) },
  {
    name: 'undefined members',
    result: () => ({ errors: undefined, data: { a: undefined, b: 1 }, extensions: { c: 1 } }),
  },
];

describe('a response serialised once (issue 10, accounting overhead)', function () {
  this.timeout(120_000);

  describe('serialiseResponse / withReceipt', () => {
    for (const { name, result } of RESULTS) {
      it(`${name}: without the receipt and as sent, byte for byte Apollo's serialisation`, () => {
        const r = result();
        const s = serialiseResponse(r);
        expect(s.text).to.equal(apollo(r));
        const sent = withReceipt(s, RECEIPT);
        expect(sent).to.equal(apollo({ ...r, extensions: { ...r.extensions, receipt: RECEIPT } }));
        // The documented recomputation from the bytes a client receives gives the hash of the bytes hashed.
        expect(responseHashOf(sent).toString('hex')).to.equal(sha256hex(s.text));
        expect(JSON.parse(sent).extensions.receipt).to.deep.equal(RECEIPT);
      });
    }

    it('leaves out (and removes) extensions that would serialise as {}: an empty extensions is never sent', () => {
      for (const extensions of [{}, { gone: undefined }]) {
        const r: Record<string, any> = { data: { a: 1 }, extensions };
        const s = serialiseResponse(r);
        expect(s.text).to.equal('{"data":{"a":1}}\n');
        expect(r).to.not.have.property('extensions');
        const sent = withReceipt(s, RECEIPT);
        expect(responseHashOf(sent).toString('hex')).to.equal(sha256hex(s.text));
      }
    });
  });

  describe('stringifyAuditedResult (the server’s stringifyResult)', () => {
    it('sends the registered text for the very result it was registered for', () => {
      const r = { data: { a: 1 }, extensions: { receipt: RECEIPT } };
      serialisedAs(r, 'REGISTERED\n');
      // Apollo hands a new object with the same members (orderExecutionResultFields).
      expect(stringifyAuditedResult({ errors: undefined, data: r.data, extensions: r.extensions })).to.equal(
        'REGISTERED\n',
      );
    });

    it('serialises anew when the data or errors were replaced after it was registered, or nothing was registered', () => {
      const r = { data: { a: 1 }, extensions: { receipt: RECEIPT } };
      serialisedAs(r, 'REGISTERED\n');
      const other = { data: { a: 2 }, extensions: r.extensions };
      expect(stringifyAuditedResult(other)).to.equal(apollo(other));
      const withErrors = { errors: [{ message: 'late' }], data: r.data, extensions: r.extensions };
      expect(stringifyAuditedResult(withErrors)).to.equal(apollo(withErrors));
      const fresh = { data: { a: 1 }, extensions: { receipt: RECEIPT } };
      expect(stringifyAuditedResult(fresh)).to.equal(apollo(fresh));
      expect(stringifyAuditedResult({ data: { b: NON_ASCII } })).to.equal(apollo({ data: { b: NON_ASCII } }));
    });
  });

  describe('through Apollo Server with the audit plugin', () => {
    /** A value whose serialisations are counted: JSON.stringify calls its toJSON each time. */
    let serialisations = 0;
    const Counted = new GraphQLScalarType({
      name: 'Counted',
      serialize: () => ({
        toJSON: () => {
          serialisations += 1;
          return `${NON_ASCII} ${BIG.join(' ')}`;
        },
      }),
    });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { counted: { type: Counted, resolve: () => 1 } } }),
    });
    const audit = {
      append: async () => ({ id: '1', seq: '7', hash: Buffer.alloc(32, 7) }),
      drain: async () => undefined,
      checkpoint: async () => null,
    } as unknown as AuditService;
    const context = async () =>
      ({
        requestId: 'wire-test',
        clientIp: '127.0.0.1',
        userAgent: null,
        viewer: null,
        sessionError: null,
        loginSession: null,
        audit: { inPipeline: false },
        services: {
          clock: new FixedClock(new Date('2025-06-01T00:00:00Z')),
          config: { audit: { logOrigin: 'o/audit' } },
        },
      }) as unknown as GraphQLContext;

    const answer = async (hook: boolean) => {
      const apollo = new ApolloServer<GraphQLContext>({
        schema,
        ...(hook ? { stringifyResult: stringifyAuditedResult } : {}),
        plugins: [auditPlugin({ schema, audit, logger: createLogger({ logLevel: 'silent' }), checkpointSeconds: 0 })],
      });
      await apollo.start();
      try {
        serialisations = 0;
        const res = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: 'POST',
            headers: new HeaderMap([['content-type', 'application/json']]),
            search: '',
            body: { query: '{ counted }' },
          },
          context,
        });
        if (res.body.kind !== 'complete') throw new Error('not a single result');
        return { text: res.body.string, serialisations };
      } finally {
        await apollo.stop();
      }
    };

    it('serialises the result once, and sends what the record hashed with the receipt added', async () => {
      const once = await answer(true);
      expect(once.serialisations).to.equal(1);
      const body = JSON.parse(once.text);
      expect(body.data.counted).to.equal(`${NON_ASCII} ${BIG.join(' ')}`);
      expect(body.extensions.receipt.seq).to.equal('7');
      expect(once.text).to.equal(apollo(body));
      expect(responseHashOf(once.text).toString('hex')).to.equal(body.extensions.receipt.responseHash);
      // Without the server's stringifyResult hook Apollo serialises the result a second time: the same bytes.
      const twice = await answer(false);
      expect(twice.serialisations).to.equal(2);
      expect(twice.text).to.equal(once.text);
    });
  });

  describe('over HTTP', () => {
    let token: string;
    beforeFreshData(async () => {
      const p = await insertParticipant('1300000091', NON_ASCII.replace('\u0007', ''));
      await insertOneImport(p, 'W-1', '2024-03-05', ['8471300000', 'CN', '1.000', '2.000', '987654321098.76', '1.00']);
      token = await traderToken(p);
    });

    it('the bytes hashed are the bytes on the wire without the receipt, for non-ASCII text and a big number', async () => {
      const { server } = await testServer();
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `{ me { participant { name } } tradeStatistics(groupBy: [YEAR]) {
            totals { customsValueAzn itemCount } rows { key { year } measures { customsValueAzn } } } }`,
        }),
      });
      const wire = Buffer.from(await res.arrayBuffer());
      const text = wire.toString('utf8');
      expect(Buffer.from(text, 'utf8').equals(wire)).to.equal(true);
      const body = JSON.parse(text);
      expect(body.errors).to.equal(undefined);
      expect(body.data.me.participant.name).to.equal(NON_ASCII.replace('\u0007', ''));
      expect(body.data.tradeStatistics.totals.customsValueAzn).to.equal('987654321098.76');
      // What Apollo Server itself would have sent for this result, byte for byte.
      expect(text).to.equal(apollo(body));
      // Cut the receipt out of the bytes received (it is the last member of extensions): what is left is
      // exactly what the record hashed.
      const receipt = `"receipt":${JSON.stringify(body.extensions.receipt)}`;
      const at = wire.indexOf(Buffer.from(receipt, 'utf8'));
      expect(at).to.be.greaterThan(0);
      const comma = wire[at - 1] === 0x2c ? 1 : 0;
      const without = Buffer.concat([wire.subarray(0, at - comma), wire.subarray(at + Buffer.byteLength(receipt))]);
      expect(without.toString('utf8')).to.match(/"extensions":\{"cost":\{[^}]*\}\}\}\n$/);
      const [row] = await auditRows('request_id = $1', [res.headers.get('x-request-id')]);
      expect(sha256hex(without)).to.equal(row.response_hash);
      expect(body.extensions.receipt.responseHash).to.equal(row.response_hash);
      expect(responseHashOf(text).toString('hex')).to.equal(row.response_hash);
    });
  });
});
