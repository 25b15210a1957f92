/**
 * Rollups must never change an answer: for every single dimension, every pair of dimensions and a
 * set of filters, the statistics read from trade_rollups equal those computed from the raw items —
 * after the first import and after a re-import that changes values and moves a declaration to
 * another month.
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

describe('statistics rollups equal the raw computation', () => {
  let pid: string;
  let generated: string[][];
  let rdb: RequestDb;
  let filters: TradeFilter[];
  let small: string;

  async function load(text: string): Promise<void> {
    await importDeclarations(testDb().ds, Readable.from([text]), { skipInvalid: false, rollupMinItems: 500 });
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
    const [sample] = await ds.query(
      `SELECT left(hs_code, 4) AS hs4, partner_country, transport_mode, customs_post_code, procedure_code
         FROM declaration_items WHERE participant_id = $1 AND transport_mode IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5 ORDER BY count(*) DESC LIMIT 1`,
      [pid],
    );
    filters = [
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
  });

  async function compareAll(): Promise<number> {
    let viaRollups = 0;
    const groupings: TradeDimension[][] = [[]];
    for (const a of DIMS) groupings.push([a]);
    for (let i = 0; i < DIMS.length; i += 1) {
      for (let j = i + 1; j < DIMS.length; j += 1) {
        if (DIMS[i].startsWith('HS') && DIMS[j].startsWith('HS')) continue;
        groupings.push([DIMS[i], DIMS[j]]);
      }
    }
    groupings.push(
      ['HS2', 'COUNTRY', 'YEAR'],
      ['DIRECTION', 'MONTH', 'TRANSPORT_MODE'],
      ['HS4', 'CUSTOMS_POST', 'PROCEDURE', 'QUARTER'],
    );
    for (const f of filters) {
      for (const g of groupings) {
        const first = 7; // small, so truncation and the totals over cut rows are compared too
        const raw = await rdb.run(traderScope(pid), (sql) =>
          tradeStatistics(sql, pid, f, g, first, { rollups: false }),
        );
        const fast = await rdb.run(traderScope(pid), (sql) => tradeStatistics(sql, pid, f, g, first));
        expect(fast, `${JSON.stringify(f)} ${g.join('×')}`).to.deep.equal(raw);
        if (buildStatisticsQuery(pid, f, g, first, { rollups: true }).source === 'rollups') viaRollups += 1;
      }
    }
    return viaRollups;
  }

  it('after the first import, for every dimension pair and filter', async function () {
    this.timeout(300000);
    const viaRollups = await compareAll();
    // Most combinations must really come from the rollups, or this test proves nothing.
    expect(viaRollups).to.be.greaterThan(250);
  });

  it('after a re-import that changes values and moves a declaration to another month', async function () {
    this.timeout(300000);
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
    await compareAll();
  });

  it('keeps rollups only for participants with enough items, and the others read the raw items', async () => {
    const listed = (await testDb().ds.query('SELECT participant_id::text AS id FROM rollup_participants')).map(
      (r: { id: string }) => r.id,
    );
    expect(listed).to.include(pid).and.not.to.include(small);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM trade_rollups WHERE participant_id = $1', [
      small,
    ]);
    expect(n).to.equal(0);
    const raw = await rdb.run(traderScope(small), (sql) =>
      tradeStatistics(sql, small, {}, ['HS2', 'YEAR'], 100, { rollups: false }),
    );
    const served = await rdb.run(traderScope(small), (sql) => tradeStatistics(sql, small, {}, ['HS2', 'YEAR'], 100));
    expect(served.totals.itemCount).to.be.greaterThan(0);
    expect(served).to.deep.equal(raw);
  });

  it('answers an odd-length HS prefix, HS10, transport mode and a mid-month range from the raw items', () => {
    const src = (f: TradeFilter, g: TradeDimension[]) => buildStatisticsQuery('1', f, g, 10, { rollups: true }).source;
    expect(src({ hsCodePrefix: '847' }, ['YEAR'])).to.equal('items');
    expect(src({}, ['HS10'])).to.equal('items');
    expect(src({}, ['TRANSPORT_MODE'])).to.equal('items');
    expect(src({ from: '2024-01-15' }, ['YEAR'])).to.equal('items');
    expect(src({ to: '2024-02-28' }, ['YEAR'])).to.equal('items');
    expect(src({ to: '2024-02-29' }, ['YEAR'])).to.equal('rollups');
  });
});
