/**
 * Honest cost (issue 9, item 1): the three ways a hostile client got past the cost limit, each
 * refused now, and the cost model checked against what the fields really return.
 */
import { expect } from 'chai';
import { getIntrospectionQuery, getNamedType, isLeafType, isListType, isNonNullType, isObjectType } from 'graphql';
import { SqlLogger } from '../../src/db/sql-log';
import { UNKNOWN_LIST_SIZE } from '../../src/graphql/plugins/complexity.plugin';
import { MAX_QUERY_COMPLEXITY } from '../../src/http/server';
import { DATA_FLOOR, FIXED_LIST_MAXIMA } from '../../src/limits/list-maxima';
import { resetData } from '../support/db';
import { insertDeclarations, insertParticipant, type ItemSpec } from '../support/fixtures';
import { errorCode, gql, testServer, traderToken } from '../support/server';
import { countValues } from './helpers';

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const item = (hs: string): ItemSpec => ({ hs, country: 'TR', net: '1.000', gross: '1.000', azn: '1.00', usd: '1.00' });

describe('honest cost (issue 9)', () => {
  let token: string;
  before(async () => {
    await resetData();
    const { services } = await testServer();
    const p = await insertParticipant('1400000001');
    // One declaration with more items than the floor: items are costed at the largest declaration.
    await insertDeclarations(p, [
      {
        number: 'BIG-1',
        date: '2024-02-01',
        direction: 'IM',
        items: Array.from({ length: 25 }, () => item('8471300000')),
      },
      { number: 'SMALL-1', date: '2024-02-02', direction: 'IM', items: [item('8471300000')] },
    ]);
    services.limits.listMaxima.invalidate();
    token = await traderToken(p);
  });

  describe('bypass 1: introspection', () => {
    it('refuses 1,400 aliases of a nested __schema, unauthenticated, before running anything', async () => {
      const before = SqlLogger.statements;
      const r = await gql(aliases(1400, '__schema { types { fields { type { fields { name description } } } } }'));
      expect(errorCode(r), JSON.stringify(r.errors)).to.equal('QUERY_TOO_COMPLEX');
      expect(r.data).to.equal(undefined);
      // No resolver ran: at most the budget read of the refusal and the audit record.
      expect(SqlLogger.statements - before).to.be.at.most(3);
    });

    it('costs introspection exactly what it returns (one point per value), so a few nested aliases still fit', async () => {
      const one = await gql('{ __schema { types { fields { type { fields { name description } } } } } }');
      expect(one.errors).to.equal(undefined);
      const size = countValues(one.data.__schema);
      expect(size).to.be.above(100);
      expect((one as any).extensions.cost.requested).to.equal(size);
      const most = Math.floor(MAX_QUERY_COMPLEXITY / size);
      expect(
        errorCode(
          await gql(aliases(most + 1, '__schema { types { fields { type { fields { name description } } } } }')),
        ),
      ).to.equal('QUERY_TOO_COMPLEX');
      const fits = await gql(aliases(Math.min(most, 3), '__schema { types { fields { type { fields { name } } } } }'));
      expect(fits.errors, JSON.stringify(fits.errors)).to.equal(undefined);
    });

    it('costs __type by what it returns and __typename one point each, fragments and aliases included', async () => {
      const r = await gql(
        `query { t: __type(name: "Declaration") { ...T } u: __type(name: "NoSuchType") { name } a: __typename b: __typename }
         fragment T on __Type { name fields { name type { kind ofType { name } } } }`,
      );
      expect(r.errors).to.equal(undefined);
      expect((r as any).extensions.cost.requested).to.equal(countValues(r.data.t) + countValues(r.data.u) + 2);
    });

    it("still answers GraphiQL's full introspection query, at its real size", async () => {
      const r = await gql(getIntrospectionQuery());
      expect(r.errors).to.equal(undefined);
      expect((r as any).extensions.cost.requested).to.equal(countValues(r.data.__schema));
    });
  });

  describe('bypass 2: first: null', () => {
    const page = (first: string) =>
      `declarations${first} { edges { node { number items { hsCode customsValueAzn } } } }`;

    it('costs an omitted or null first at the page the resolver returns (50), not at 1', async () => {
      const costs: number[] = [];
      for (const first of ['(first: null)', '', '(first: 50)']) {
        const r = await gql(`{ ${page(first)} }`, {}, token);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        costs.push((r as any).extensions.cost.requested);
      }
      expect(costs[0]).to.equal(costs[2]);
      expect(costs[1]).to.equal(costs[2]);
      const one = await gql(`{ ${page('(first: 1)')} }`, {}, token);
      // declarations: its statement (20) + 1 + first × (the selection of one edge).
      const edge = (one as any).extensions.cost.requested - 21;
      expect(costs[0]).to.equal(21 + 50 * edge);
      // And through a variable set to null.
      const v = await gql(`query($f: Int) { ${page('(first: $f)')} }`, { f: null }, token);
      expect((v as any).extensions.cost.requested).to.equal(costs[2]);
    });

    it('refuses 255 aliases of declarations(first: null) with items', async () => {
      const r = await gql(aliases(255, page('(first: null)')), {}, token);
      expect(errorCode(r), JSON.stringify(r.errors?.[0])).to.equal('QUERY_TOO_COMPLEX');
    });

    it('costs tradeStatistics(first: null) as its default of 1000 rows', async () => {
      const q = (first: string) => `{ tradeStatistics(groupBy: [YEAR]${first}) { rows { key { year } } } }`;
      const [nul, def] = await Promise.all([gql(q(', first: null'), {}, token), gql(q(', first: 1000'), {}, token)]);
      expect(nul.errors).to.equal(undefined);
      expect((nul as any).extensions.cost.requested).to.equal((def as any).extensions.cost.requested);
    });
  });

  describe('lists without first', () => {
    it('costs the items of a declaration at the largest declaration in the database', async () => {
      const q = (sel: string) => `{ declarations(first: 1) { edges { node { number ${sel} } } } }`;
      const [without, withItems] = await Promise.all([gql(q(''), {}, token), gql(q('items { hsCode }'), {}, token)]);
      // items: 1 + 25 × (hsCode).
      expect((withItems as any).extensions.cost.requested - (without as any).extensions.cost.requested).to.equal(
        1 + 25,
      );
    });

    it('costs countries at the number of countries', async () => {
      const r = await gql('{ countries { code } }');
      expect(r.errors).to.equal(undefined);
      expect((r as any).extensions.cost.requested).to.be.at.least(r.data.countries.length);
    });

    it('has a real maximum for every list of objects the schema returns without first', async () => {
      const { server, services } = await testServer();
      const maxima = await services.limits.listMaxima.get();
      expect(maxima.items).to.equal(25);
      expect(maxima.participantBlocks).to.equal(DATA_FLOOR);
      const missing: string[] = [];
      for (const type of Object.values(server.schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('__')) continue;
        for (const f of Object.values(type.getFields())) {
          const t = isNonNullType(f.type) ? f.type.ofType : f.type;
          if (!isListType(t) || isLeafType(getNamedType(t))) continue;
          if (f.args.some((a) => a.name === 'first') || ['edges', 'rows'].includes(f.name)) continue;
          if (maxima[f.name] === undefined) missing.push(`${type.name}.${f.name}`);
        }
      }
      expect(missing, `lists costed at ${UNKNOWN_LIST_SIZE}`).to.deep.equal([]);
      expect(Object.keys(FIXED_LIST_MAXIMA)).to.include('operationsPerHour');
    });
  });
});
