/**
 * Rollups must never change an answer: for every single dimension, every pair of dimensions and a
 * set of filters, the statistics read from trade_rollups equal those computed from the raw items —
 * for the large trader and for a small one (rollups are kept for every trader), after the first
 * import and after a re-import that changes values and moves a declaration to another month. The
 * statement decides itself whether the participant has rollups (one statement, one round trip):
 * EXPLAIN shows which branch ran, and a participant without rollups (or without items) still gets
 * the raw computation's answer.
 */
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { RequestDb, traderScope } from '../../src/db/tenant';
import { DECLARATION_CSV_HEADER, csvLine } from '../../src/ingest/columns';
import { generateDeclarations } from '../../src/ingest/generate';
import { importDeclarations } from '../../src/ingest/importer';
import { buildStatisticsQuery, tradeStatistics, type TradeDimension } from '../../src/statistics/statistics.service';
import type { TradeFilter } from '../../src/statistics/trade-filter';
import { resetData, testDb } from '../support/db';
import { roundTrips } from '../support/round-trips';
import { insertParticipant } from '../support/fixtures';
import { gql, traderToken } from '../support/server';

const DIMS: TradeDimension[] = [
  'DIRECTION',
  'YEAR',
  'QUARTER',
  'MONTH',
  'HS2',
  'HS4',
  'HS6',
  'COUNTRY',
  'CUSTOMS_POST',
  'PROCEDURE',
  'TRANSPORT_MODE',
];

/** Every single dimension, every pair (one HS level at most) and a few triples and quadruples. */
function groupings(): TradeDimension[][] {
  const out: TradeDimension[][] = [[]];
  for (const a of DIMS) out.push([a]);
  for (let i = 0; i < DIMS.length; i += 1) {
    for (let j = i + 1; j < DIMS.length; j += 1) {
      if (DIMS[i].startsWith('HS') && DIMS[j].startsWith('HS')) continue;
      out.push([DIMS[i], DIMS[j]]);
    }
  }
  out.push(
    ['HS2', 'COUNTRY', 'YEAR'],
    ['DIRECTION', 'MONTH', 'TRANSPORT_MODE'],
    ['HS4', 'CUSTOMS_POST', 'PROCEDURE', 'QUARTER'],
  );
  return out;
}

describe('statistics rollups equal the raw computation', () => {
  let pid: string;
  let generated: string[][];
  let rdb: RequestDb;
  let small: string;
  const filters = new Map<string, TradeFilter[]>();

  async function load(text: string, rollupMinItems?: number): Promise<void> {
    await importDeclarations(testDb().ds, Readable.from([text]), { skipInvalid: false, rollupMinItems });
  }

  /** Filters that select rows of this participant: its most frequent HS4, country, transport mode, post, procedure. */
  async function filtersOf(p: string): Promise<TradeFilter[]> {
    const [sample] = await testDb().ds.query(
      `SELECT left(hs_code, 4) AS hs4, partner_country, transport_mode, customs_post_code, procedure_code
         FROM declaration_items WHERE participant_id = $1 AND transport_mode IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5 ORDER BY count(*) DESC LIMIT 1`,
      [p],
    );
    return [
      {},
      { direction: 'IM' },
      { from: '2022-01-01', to: '2023-06-30' },
      { hsCodePrefix: sample.hs4.slice(0, 2) },
      { hsCodePrefix: sample.hs4, direction: 'IM' },
      { countryCode: sample.partner_country.trim() },
      { transportMode: sample.transport_mode, from: '2024-02-01' },
      { customsPostCode: sample.customs_post_code, procedureCode: sample.procedure_code.trim() },
      { hsCodePrefix: sample.hs4.slice(0, 2), countryCode: sample.partner_country.trim(), to: '2024-12-31' },
    ];
  }

  before(async function () {
    this.timeout(120000);
    await resetData();
    generated = [
      ...generateDeclarations({
        items: 5000,
        participants: 6,
        seed: 4242,
        participantsList: [{ voen: '1402345671', name: 'X' }],
      }),
    ];
    await load(`${[DECLARATION_CSV_HEADER, ...generated.map(csvLine)].join('\n')}\n`);
    const { ds, config } = testDb();
    [{ id: pid }] = await ds.query(`SELECT id::text AS id FROM participants WHERE voen = '1402345671'`);
    [{ id: small }] = await ds.query(
      `SELECT participant_id::text AS id FROM declaration_items GROUP BY 1 HAVING count(*) < 500 ORDER BY count(*) LIMIT 1`,
    );
    rdb = new RequestDb(ds, config.db.appRole);
    filters.set(pid, await filtersOf(pid));
    filters.set(small, await filtersOf(small));
  });

  /** The statistics as tradeStatistics serves them (one statement, sent) and from the raw items alone. */
  async function both(p: string, f: TradeFilter, g: TradeDimension[], first: number) {
    const raw = await rdb.run(traderScope(p), (sql) => tradeStatistics(sql, p, f, g, first, { rollups: false }));
    const served = await tradeStatistics(rdb.sending(traderScope(p)), p, f, g, first);
    return { raw, served };
  }

  async function compareAll(p: string): Promise<number> {
    let viaRollups = 0;
    for (const f of filters.get(p)!) {
      for (const g of groupings()) {
        const first = 7; // small, so truncation and the totals over cut rows are compared too
        const { raw, served } = await both(p, f, g, first);
        expect(served, `${p}: ${JSON.stringify(f)} ${g.join('×')}`).to.deep.equal(raw);
        if (buildStatisticsQuery(p, f, g, first, { rollups: true }).source === 'rollups') viaRollups += 1;
      }
    }
    return viaRollups;
  }

  /** Whether each branch of the served statement ran: EXPLAIN ANALYZE marks the other "(never executed)". */
  async function branchesRun(p: string, f: TradeFilter, g: TradeDimension[]) {
    const q = buildStatisticsQuery(p, f, g, 100, { rollups: 'listed' });
    expect(q.source).to.equal('listed');
    const plan = (
      await rdb.run(traderScope(p), (sql) =>
        sql.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${q.text}`,
          q.values,
        ),
      )
    ).map((r) => r['QUERY PLAN']);
    const scans = (table: string) => plan.filter((l) => /Scan/.test(l) && l.includes(` on ${table} `));
    const ran = (table: string) => {
      const lines = scans(table);
      expect(lines.length, plan.join('\n')).to.be.greaterThan(0);
      return lines.some((l) => !l.includes('never executed'));
    };
    return { rollups: ran('trade_rollups'), items: ran('declaration_items'), plan: plan.join('\n') };
  }

  it('after the first import, the large trader: every grouping and filter', async function () {
    this.timeout(300000);
    const viaRollups = await compareAll(pid);
    // Most combinations must really come from the rollups, or this test proves nothing.
    expect(viaRollups).to.be.greaterThan(250);
  });

  it('after the first import, a small trader (under 500 items): every grouping and filter', async function () {
    this.timeout(300000);
    const [{ n }] = await testDb().ds.query(
      'SELECT count(*)::int AS n FROM declaration_items WHERE participant_id = $1',
      [small],
    );
    expect(n).to.be.within(1, 499);
    const viaRollups = await compareAll(small);
    expect(viaRollups).to.be.greaterThan(250);
  });

  it('keeps rollups for every trader the importer loads (STATS_ROLLUP_MIN_ITEMS 0 by default)', async () => {
    const [{ traders, listed }] = await testDb().ds.query(
      `SELECT (SELECT count(DISTINCT participant_id)::int FROM declaration_items) AS traders,
              (SELECT count(*)::int FROM rollup_participants) AS listed`,
    );
    expect(traders).to.equal(6);
    expect(listed).to.equal(6);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM trade_rollups WHERE participant_id = $1', [
      small,
    ]);
    expect(n).to.be.greaterThan(0);
  });

  it("reads a small trader's statistics from the rollups: only that branch of the statement executes", async () => {
    for (const g of [['HS2', 'YEAR'], [], ['COUNTRY', 'MONTH']] as TradeDimension[][]) {
      const r = await branchesRun(small, {}, g);
      expect(r, r.plan).to.include({ rollups: true, items: false });
    }
    // A query no grain answers is one plain statement over the raw items.
    expect(buildStatisticsQuery(small, {}, ['HS10'], 10, { rollups: 'listed' }).source).to.equal('items');
  });

  it('is one round trip per tradeStatistics: one statement in its own transaction, probe included', async () => {
    const scope = traderScope(small);
    const direct = await roundTrips(() => tradeStatistics(rdb.sending(scope), small, {}, ['HS2', 'YEAR'], 100));
    expect(direct.texts).to.have.length(1);
    expect(direct.texts[0])
      .to.match(/^BEGIN;/)
      .and.match(/rollup_participants/)
      .and.match(/COMMIT$/);
    expect(direct.value.rows.length).to.be.greaterThan(0);

    // Through GraphQL: the statistics resolver sends exactly one round trip that reads trade data (the
    // limits' own look-up of the largest declaration, cached, is not the resolver's).
    const token = await traderToken(small);
    const trade = /declaration_items i\b|trade_rollups r\b|rollup_participants/;
    const viaApi = await roundTrips(() =>
      gql('{ tradeStatistics(groupBy: [HS2, YEAR]) { rows { key { hsCode year } } totals { itemCount } } }', {}, token),
    );
    expect(viaApi.value.errors).to.equal(undefined);
    expect(viaApi.value.data.tradeStatistics.totals.itemCount).to.equal(direct.value.totals.itemCount);
    const statsTrips = viaApi.texts.filter((t) => trade.test(t));
    expect(statsTrips, statsTrips.join('\n----\n')).to.have.length(1);
    expect(statsTrips[0])
      .to.match(/^BEGIN;/)
      .and.match(/COMMIT$/);
  });

  it('is one round trip each for declarations(first: 10), its items and its measures', async () => {
    const token = await traderToken(small);
    const viaApi = await roundTrips(() =>
      gql(
        '{ declarations(first: 10) { edges { node { number items { hsCode } measures { itemCount } } } } }',
        {},
        token,
      ),
    );
    expect(viaApi.value.errors).to.equal(undefined);
    const edges = viaApi.value.data.declarations.edges;
    expect(edges).to.have.length(10);
    expect(
      edges.every((e: any) => e.node.items.length === e.node.measures.itemCount && e.node.items.length > 0),
    ).to.equal(true);
    const trips = viaApi.texts.filter((t) => /\b(declarations d|declaration_items)\b/.test(t));
    expect(trips, trips.join('\n----\n')).to.have.length(3);
    for (const t of trips)
      expect(t)
        .to.match(/^BEGIN;/)
        .and.match(/COMMIT$/);
  });

  it('after a re-import that changes values and moves a declaration to another month', async function () {
    this.timeout(600000);
    const cols = DECLARATION_CSV_HEADER.split(',');
    const at = (name: string) => cols.indexOf(name);
    const number = generated.find((f) => f[at('declarant_voen')] === '1402345671')![at('declaration_number')];
    const changed = generated
      .filter((f) => f[at('declaration_number')] === number)
      .map((row) => {
        const f = [...row];
        f[at('registration_date')] = '2021-02-14';
        f[at('customs_value_azn')] = '123456.78';
        return csvLine(f);
      });
    await load(`${[DECLARATION_CSV_HEADER, ...changed].join('\n')}\n`);
    const [moved] = await testDb().ds.query(
      `SELECT count(*)::int AS n FROM declaration_items i JOIN declarations d ON d.participant_id = i.participant_id AND d.id = i.declaration_id
        WHERE d.number = $1 AND i.registration_date = '2021-02-14' AND i.customs_value_azn = 123456.78`,
      [number],
    );
    expect(moved.n).to.equal(changed.length);
    await compareAll(pid);
    await compareAll(small);
  });

  it('below STATS_ROLLUP_MIN_ITEMS a trader gets no rollups, and the same statement answers from the raw items', async () => {
    const lines = generateDeclarations({
      items: 300,
      participants: 1,
      seed: 777,
      participantsList: [{ voen: '1402345672', name: 'Y' }],
    });
    await load(`${[DECLARATION_CSV_HEADER, ...[...lines].map(csvLine)].join('\n')}\n`, 1_000_000);
    const [{ id: unlisted }] = await testDb().ds.query(
      `SELECT id::text AS id FROM participants WHERE voen = '1402345672'`,
    );
    const [{ listed, rows }] = await testDb().ds.query(
      `SELECT EXISTS (SELECT 1 FROM rollup_participants WHERE participant_id = $1) AS listed,
              (SELECT count(*)::int FROM trade_rollups WHERE participant_id = $1) AS rows`,
      [unlisted],
    );
    expect({ listed, rows }).to.deep.equal({ listed: false, rows: 0 });
    const r = await branchesRun(unlisted, {}, ['HS2', 'YEAR']);
    expect(r, r.plan).to.include({ rollups: false, items: true });
    for (const g of [[], ['HS2', 'YEAR'], ['COUNTRY'], ['HS4', 'DIRECTION']] as TradeDimension[][]) {
      const { raw, served } = await both(unlisted, {}, g, 100);
      expect(served.totals.itemCount).to.be.greaterThan(0);
      expect(served, g.join('×')).to.deep.equal(raw);
    }
  });

  it('a trader no longer listed (items loaded before rollups were kept for all) is answered from the raw items', async () => {
    const { ds } = testDb();
    await ds.query('DELETE FROM rollup_participants WHERE participant_id = $1', [small]);
    try {
      const r = await branchesRun(small, {}, ['HS2', 'YEAR']);
      expect(r, r.plan).to.include({ rollups: false, items: true });
      // Rows left in trade_rollups are not read; change the items behind them and the answer follows the items.
      await ds.query(
        `UPDATE declaration_items SET customs_value_azn = customs_value_azn + 1 WHERE participant_id = $1`,
        [small],
      );
      const { raw, served } = await both(small, {}, ['HS2', 'YEAR'], 100);
      expect(served).to.deep.equal(raw);
    } finally {
      await ds.query('INSERT INTO rollup_participants (participant_id) VALUES ($1) ON CONFLICT DO NOTHING', [small]);
    }
  });

  it('a trader without items: zero totals and no rows, listed or not', async () => {
    const none = await insertParticipant('1000000099', 'Nobody MMC');
    const check = async () => {
      for (const f of [{}, { hsCodePrefix: '08' }, { countryCode: 'TR', from: '2024-01-01' }] as TradeFilter[]) {
        for (const g of [[], ['HS2', 'YEAR'], ['COUNTRY'], ['HS10']] as TradeDimension[][]) {
          const { raw, served } = await both(none, f, g, 10);
          expect(served, `${JSON.stringify(f)} ${g.join('×')}`).to.deep.equal(raw);
          expect(served.rows).to.deep.equal([]);
          expect(served.truncated).to.equal(false);
          expect(served.totals).to.include({ declarationCount: 0, itemCount: 0, customsValueAzn: '0.00' });
        }
      }
    };
    await check();
    await testDb().ds.query('INSERT INTO rollup_participants (participant_id) VALUES ($1)', [none]);
    await check();
  });

  it('answers an odd-length HS prefix, HS10, transport mode and a mid-month range from the raw items', () => {
    const src = (f: TradeFilter, g: TradeDimension[]) => buildStatisticsQuery('1', f, g, 10, { rollups: true }).source;
    expect(src({ hsCodePrefix: '847' }, ['YEAR'])).to.equal('items');
    expect(src({}, ['HS10'])).to.equal('items');
    expect(src({}, ['TRANSPORT_MODE'])).to.equal('items');
    expect(src({ from: '2024-01-15' }, ['YEAR'])).to.equal('items');
    expect(src({ to: '2024-02-28' }, ['YEAR'])).to.equal('items');
    expect(src({ to: '2024-02-29' }, ['YEAR'])).to.equal('rollups');
    expect(buildStatisticsQuery('1', { to: '2024-02-29' }, ['YEAR'], 10, { rollups: 'listed' }).source).to.equal(
      'listed',
    );
  });
});
