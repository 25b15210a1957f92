import { expect } from 'chai';
import fs from 'node:fs';
import { SqlLogger } from '../../src/db/sql-log';
import { ROOT_STATEMENT_COST } from '../../src/graphql/plugins/complexity.plugin';
import { MAX_QUERY_COMPLEXITY } from '../../src/http/server';
import { buildAppSchema, printAppSchema, SCHEMA_FILE } from '../../src/graphql/schema';
import { beforeFreshData, testDb } from '../support/db';
import {
  fourDeclarations,
  insertDeclarations,
  insertParticipant,
  insertTwoTraders,
  itemsOf,
} from '../support/fixtures';
import { errorCode, gql, openSession, testServer, traderToken, walkPages } from '../support/server';

const item = itemsOf('10.000', '1.00');

/** A small data set whose figures the tests below state by hand. */
const A_DECLS = fourDeclarations(item);

describe('GraphQL API (trader queries)', () => {
  let a: string;
  let b: string;
  let tokenA: string;
  let tokenB: string;

  beforeFreshData(async () => {
    ({ a, b } = await insertTwoTraders(
      { name: 'Alpha MMC', declarations: A_DECLS },
      { name: 'Beta MMC', items: [item('8471300000', 'CN', '777.77')] },
    ));
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
  });

  describe('authentication', () => {
    for (const [name, query] of [
      ['me', '{ me { role } }'],
      ['declarations', '{ declarations { edges { cursor } } }'],
      ['tradeStatistics', '{ tradeStatistics(groupBy: [YEAR]) { truncated } }'],
    ]) {
      it(`refuses ${name} without a session (UNAUTHENTICATED)`, async () => {
        const r = await gql(query);
        expect(errorCode(r)).to.equal('UNAUTHENTICATED');
        expect(r.data ?? null).to.equal(null);
      });
    }

    it('refuses a token that is not a live session', async () => {
      expect(errorCode(await gql('{ me { role } }', {}, 'cts_forged'))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await gql('{ me { role } }', {}, `${tokenA}x`))).to.equal('UNAUTHENTICATED');
    });

    it('refuses a session after logout', async () => {
      const t = await traderToken(a);
      const out = await gql('mutation { logout }', {}, t);
      expect(out.data).to.deep.equal({ logout: true });
      expect(errorCode(await gql('{ me { role } }', {}, t))).to.equal('UNAUTHENTICATED');
    });

    it('returns the viewer and their participant', async () => {
      const r = await gql(
        '{ me { role authMethod mustChangePassword participant { id name voen kind } } }',
        {},
        tokenA,
      );
      expect(r.data.me).to.deep.equal({
        role: 'TRADER',
        authMethod: 'PASSWORD',
        mustChangePassword: false,
        participant: { id: a, name: 'Alpha MMC', voen: '1000000001', kind: 'LEGAL_ENTITY' },
      });
    });
  });

  describe('tradeStatistics', () => {
    const Q = `query($f: TradeFilter, $g: [TradeDimension!]!, $first: Int) {
      tradeStatistics(filter: $f, groupBy: $g, first: $first) {
        rows { key { direction year quarter month hsCode country { code } customsPostCode procedureCode transportMode }
               measures { declarationCount itemCount customsValueAzn netWeightKg grossWeightKg supplementaryQuantity } }
        totals { declarationCount itemCount customsValueAzn netWeightKg }
        truncated } }`;

    it('groups by HS4 x YEAR with exact sums and distinct declaration counts', async () => {
      const r = await gql(Q, { g: ['HS4', 'YEAR'] }, tokenA);
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      const rows = r.data.tradeStatistics.rows.map((x: any) => [
        x.key.hsCode,
        x.key.year,
        x.measures.declarationCount,
        x.measures.itemCount,
        x.measures.customsValueAzn,
      ]);
      expect(rows).to.deep.equal([
        ['0802', 2024, 1, 2, '1000.01'],
        ['8471', 2023, 2, 3, '350.35'],
        ['8471', 2024, 1, 1, '0.99'],
      ]);
      // Only the grouped fields are set.
      expect(r.data.tradeStatistics.rows[0].key).to.include({ direction: null, month: null, country: null });
      expect(r.data.tradeStatistics.totals).to.deep.equal({
        declarationCount: 4,
        itemCount: 6,
        customsValueAzn: '1351.35',
        netWeightKg: '60.000',
      });
      expect(r.data.tradeStatistics.truncated).to.equal(false);
    });

    it('counts a declaration once per group, not once per item', async () => {
      const r = await gql(Q, { g: ['HS2'] }, tokenA);
      const by = Object.fromEntries(r.data.tradeStatistics.rows.map((x: any) => [x.key.hsCode, x.measures]));
      expect(by['84']).to.include({ declarationCount: 3, itemCount: 4 });
      expect(by['08']).to.include({ declarationCount: 1, itemCount: 2 });
    });

    it('filters by direction, date range, HS prefix and country together', async () => {
      const r = await gql(
        Q,
        {
          g: ['COUNTRY', 'MONTH'],
          f: { direction: 'IMPORT', from: '2023-01-01', to: '2023-12-31', hsCodePrefix: '847130', countryCode: 'CN' },
        },
        tokenA,
      );
      expect(
        r.data.tradeStatistics.rows.map((x: any) => [x.key.country.code, x.key.month, x.measures.customsValueAzn]),
      ).to.deep.equal([['CN', 3, '100.10']]);
      expect(r.data.tradeStatistics.totals.itemCount).to.equal(1);
    });

    it('gives the supplementary quantity only at HS10 with one unit', async () => {
      const r = await gql(Q, { g: ['HS10'], f: { hsCodePrefix: '8471' } }, tokenA);
      const by = Object.fromEntries(
        r.data.tradeStatistics.rows.map((x: any) => [x.key.hsCode, x.measures.supplementaryQuantity]),
      );
      // 8471300000 has items with and without a quantity: no single figure is honest.
      expect(by).to.deep.equal({ '8471300000': null, '8471410000': null });
      const onlyQty = await gql(Q, { g: ['HS10'], f: { hsCodePrefix: '8471', from: '2023-07-01' } }, tokenA);
      expect(onlyQty.data.tradeStatistics.rows.map((x: any) => x.measures.supplementaryQuantity)).to.deep.equal([
        '5.500',
      ]);
      const hs6 = await gql(Q, { g: ['HS6'], f: { from: '2023-07-01', hsCodePrefix: '8471' } }, tokenA);
      expect(hs6.data.tradeStatistics.rows[0].measures.supplementaryQuantity).to.equal(null);
    });

    it('truncates at first but keeps totals over every row', async () => {
      const r = await gql(Q, { g: ['HS10'], first: 2 }, tokenA);
      expect(r.data.tradeStatistics.rows).to.have.length(2);
      expect(r.data.tradeStatistics.truncated).to.equal(true);
      expect(r.data.tradeStatistics.totals.customsValueAzn).to.equal('1351.35');
    });

    it('returns zero totals and no rows when nothing matches', async () => {
      const r = await gql(Q, { g: ['YEAR'], f: { from: '2030-01-01' } }, tokenA);
      expect(r.data.tradeStatistics).to.deep.equal({
        rows: [],
        truncated: false,
        totals: { declarationCount: 0, itemCount: 0, customsValueAzn: '0.00', netWeightKg: '0.000' },
      });
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['an impossible date', { g: ['YEAR'], f: { from: '2023-02-30' } }, /Date/],
      ['a reversed range', { g: ['YEAR'], f: { from: '2024-01-02', to: '2024-01-01' } }, /after/],
      ['a one-digit HS prefix', { g: ['YEAR'], f: { hsCodePrefix: '8' } }, /hsCodePrefix/],
      ['an 11-digit HS prefix', { g: ['YEAR'], f: { hsCodePrefix: '84713000001' } }, /hsCodePrefix/],
      ['a non-digit HS prefix', { g: ['YEAR'], f: { hsCodePrefix: '84a1' } }, /hsCodePrefix/],
      ['an unknown country', { g: ['YEAR'], f: { countryCode: 'ZZ' } }, /unknown country ZZ/],
      ['a lower-case country', { g: ['YEAR'], f: { countryCode: 'cn' } }, /countryCode/],
      ['first above 10000', { g: ['YEAR'], first: 10001 }, /first/],
      ['a negative first', { g: ['YEAR'], first: -1 }, /first/],
      ['two HS levels', { g: ['HS2', 'HS4'] }, /one HS level/],
      ['a repeated dimension', { g: ['YEAR', 'YEAR'] }, /twice/],
    ];
    for (const [what, vars, message] of bad) {
      it(`rejects ${what} with BAD_USER_INPUT`, async () => {
        const r = await gql(Q, vars, tokenA);
        expect(errorCode(r)).to.equal('BAD_USER_INPUT');
        expect(r.errors![0].message).to.match(message);
      });
    }
  });

  describe('declarations', () => {
    const PAGE = `query($first: Int, $after: String, $f: TradeFilter) { declarations(first: $first, after: $after, filter: $f) {
      edges { cursor node { number registrationDate direction } } pageInfo { hasNextPage endCursor } } }`;

    it('walks the whole connection without gaps or duplicates, newest first', async () => {
      const seen = await walkPages(PAGE, 'declarations', 1, tokenA, (n) => n.number);
      expect(seen).to.deep.equal(['A-4', 'A-3', 'A-2', 'A-1']);
    });

    it('filters declarations by an item-level field (any item matches)', async () => {
      const r = await gql(PAGE, { f: { countryCode: 'GE' } }, tokenA);
      expect(r.data.declarations.edges.map((e: any) => e.node.number)).to.deep.equal(['A-3']);
    });

    it('returns a declaration with its items, countries and measures', async () => {
      const [{ china }] = await testDb().ds.query(`SELECT name_en AS china FROM countries WHERE code = 'CN'`);
      const r = await gql(
        `{ declaration(number: "A-1") { number direction registrationDate customsPostCode procedureCode
        items { itemNumber hsCode partnerCountry { code name(lang: EN) } customsValueAzn }
        measures { itemCount customsValueAzn declarationCount } } }`,
        {},
        tokenA,
      );
      expect(r.data.declaration).to.deep.equal({
        number: 'A-1',
        direction: 'IMPORT',
        registrationDate: '2023-03-10',
        customsPostCode: '10100',
        procedureCode: '40',
        items: [
          {
            itemNumber: 1,
            hsCode: '8471300000',
            partnerCountry: { code: 'CN', name: china },
            customsValueAzn: '100.10',
          },
          {
            itemNumber: 2,
            hsCode: '8471410000',
            partnerCountry: { code: 'CN', name: china },
            customsValueAzn: '200.20',
          },
        ],
        measures: { itemCount: 2, customsValueAzn: '300.30', declarationCount: 1 },
      });
    });

    it('rejects a cursor this API did not issue', async () => {
      for (const after of [
        'garbage',
        Buffer.from('v1|2024-01-01|x').toString('base64url'),
        Buffer.from("v1|2024-01-01|1' OR 1=1").toString('base64url'),
      ]) {
        expect(errorCode(await gql(PAGE, { after }, tokenA))).to.equal('BAD_USER_INPUT');
      }
    });

    it('rejects first above 500', async () => {
      expect(errorCode(await gql(PAGE, { first: 501 }, tokenA))).to.equal('BAD_USER_INPUT');
    });

    it('loads items, measures and countries in batches (no N+1)', async () => {
      await insertDeclarations(
        b,
        Array.from({ length: 30 }, (_, n) => ({
          number: `B-bulk-${n}`,
          date: '2022-05-05',
          direction: 'EX' as const,
          items: [item('0802210000', n % 2 ? 'RU' : 'GE', '1.00', { origin: 'AZ' }), item('0802220000', 'KZ', '2.00')],
        })),
      );
      const Q = `query($first: Int) { declarations(first: $first) { edges { node { number
        items { partnerCountry { name } originCountry { name } } measures { itemCount } } } } }`;
      const count = async (first: number) => {
        const before = SqlLogger.statements;
        const r = await gql(Q, { first }, tokenB);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(r.data.declarations.edges).to.have.length(first);
        return SqlLogger.statements - before;
      };
      const few = await count(2);
      const many = await count(30);
      expect(many).to.equal(few);
      // session, page, items, measures, countries: five batches of three statements (begin+bind, query, commit).
      expect(many).to.be.at.most(15);
    });
  });

  describe('tenant isolation', () => {
    it("never returns another trader's declaration by number", async () => {
      const r = await gql('{ declaration(number: "A-1") { number } }', {}, tokenB);
      expect(r.errors).to.equal(undefined);
      expect(r.data.declaration).to.equal(null);
    });

    it("ignores another trader's cursor position (only the viewer's rows come back)", async () => {
      const first = await gql('{ declarations(first: 1) { pageInfo { endCursor } } }', {}, tokenA);
      const r = await gql(
        'query($a: String) { declarations(first: 500, after: $a) { edges { node { number } } } }',
        { a: first.data.declarations.pageInfo.endCursor },
        tokenB,
      );
      const numbers: string[] = r.data.declarations.edges.map((e: any) => e.node.number);
      expect(numbers.length).to.be.greaterThan(0);
      expect(numbers.every((n) => n.startsWith('B-'))).to.equal(true);
    });

    it("never counts another trader's items in statistics", async () => {
      const r = await gql(
        '{ tradeStatistics(groupBy: [HS10], filter: { hsCodePrefix: "8471300000", to: "2023-12-31" }) { totals { customsValueAzn itemCount } } }',
        {},
        tokenB,
      );
      expect(r.data.tradeStatistics.totals).to.deep.equal({ customsValueAzn: '777.77', itemCount: 1 });
    });
  });

  describe('limits and errors', () => {
    it('refuses an overly expensive query with QUERY_TOO_COMPLEX before running it', async () => {
      const before = SqlLogger.statements;
      const r = await gql(
        `{ declarations(first: 500) { edges { node { items { partnerCountry { name } originCountry { name }
        description hsCode netWeightKg grossWeightKg customsValueAzn statisticalValueUsd } measures { itemCount customsValueAzn } } } } }`,
        {},
        tokenA,
      );
      expect(errorCode(r)).to.equal('QUERY_TOO_COMPLEX');
      // Only the session look-up (one transaction of three statements) ran: no declaration was read.
      expect(SqlLogger.statements - before).to.be.at.most(3);
    });

    it('counts every aliased root field as its own statement: many cheap statistics are refused before any runs', async () => {
      const aliases = (n: number, field: string) =>
        `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
      const stats = 'tradeStatistics(groupBy: [HS10, COUNTRY], first: 1) { truncated }';
      const most = Math.floor(MAX_QUERY_COMPLEXITY / ROOT_STATEMENT_COST.tradeStatistics);
      expect(most).to.be.within(10, 50);
      const before = SqlLogger.statements;
      for (const n of [most + 1, 1000]) {
        const r = await gql(aliases(n, stats), {}, tokenA);
        expect(errorCode(r), `${n} aliases`).to.equal('QUERY_TOO_COMPLEX');
      }
      const r = await gql(aliases(2000, 'declaration(number: "A-1") { number }'), {}, tokenA);
      expect(errorCode(r)).to.equal('QUERY_TOO_COMPLEX');
      // Session look-ups only (one transaction of three statements per request): nothing was aggregated.
      expect(SqlLogger.statements - before).to.be.at.most(9);
      // A dashboard's handful of statistics in one operation still runs.
      const ok = await gql(aliases(5, stats), {}, tokenA);
      expect(ok.errors, JSON.stringify(ok.errors)).to.equal(undefined);
      expect(Object.keys(ok.data)).to.have.length(5);
    });

    it('answers a body over 1 MB or one that is not JSON with a coded JSON error and the request id', async () => {
      const { server } = await testServer();
      const post = (body: string) =>
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'accept-language': 'en' },
          body,
        });
      for (const [body, status, code] of [
        [JSON.stringify({ query: `{ me { role } } #${'x'.repeat(1_100_000)}` }), 413, 'PAYLOAD_TOO_LARGE'],
        ['{"query": "{ me { role } }"', 400, 'BAD_REQUEST'],
      ] as const) {
        const res = await post(body);
        expect(res.status).to.equal(status);
        expect(res.headers.get('content-type')).to.match(/^application\/json/);
        const json = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
        expect(json.errors[0].extensions).to.deep.equal({ code, requestId: res.headers.get('x-request-id') });
      }
    });

    it('reports GraphQL validation errors with their code and a request id', async () => {
      const r = await gql('{ me { noSuchField } }', {}, tokenA);
      expect(errorCode(r)).to.equal('GRAPHQL_VALIDATION_FAILED');
      expect(r.errors![0].extensions!.requestId).to.be.a('string');
    });
  });
});

describe('schema.graphql', () => {
  it('is what the resolvers generate (run npm run emit-schema after changing them)', async () => {
    const expected = printAppSchema(await buildAppSchema());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).to.equal(expected);
  });

  it('keeps the operation names clients rely on', async () => {
    const text = fs.readFileSync(SCHEMA_FILE, 'utf8');
    for (const name of [
      'me: Viewer!',
      'declarations(',
      'declaration(number: String!): Declaration',
      'tradeStatistics(',
      'countries: [Country!]!',
      'logout: Boolean!',
    ]) {
      expect(text).to.contain(name);
    }
  });
});

describe('variables', () => {
  it('reports a missing required variable as BAD_USER_INPUT, not a server error', async () => {
    const r = await gql('query($g: [TradeDimension!]!) { tradeStatistics(groupBy: $g) { truncated } }', {});
    expect(r.status).to.equal(400);
    expect(errorCode(r)).to.equal('BAD_USER_INPUT');
    expect(r.errors![0].message).to.match(/\$g/);
  });
});

describe('introspection', () => {
  it("answers GraphiQL's full introspection query despite the cost limit", async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const r = await gql(getIntrospectionQuery());
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    expect(r.data.__schema.queryType.name).to.equal('Query');
  });

  it('still counts real fields next to introspection', async () => {
    const r = await gql(
      '{ __typename declarations(first: 500) { edges { node { items { partnerCountry { name } originCountry { name } description hsCode netWeightKg grossWeightKg customsValueAzn statisticalValueUsd } measures { itemCount customsValueAzn } } } } }',
    );
    expect(errorCode(r)).to.equal('QUERY_TOO_COMPLEX');
  });
});

describe('sessions', () => {
  it('logout answers false for a session that is already revoked', async () => {
    const { services } = await testServer();
    const s = await openSession({ role: 'TRADER', participantId: await insertParticipant('1000000099') }, services);
    expect(await services.sessions.revoke(s.viewer, s.viewer.sessionId)).to.equal(true);
    expect(await services.sessions.revoke(s.viewer, s.viewer.sessionId)).to.equal(false);
  });
});
