/**
 * GET /export/statistics.csv|.xlsx and /export/declarations.csv|.xlsx against the GraphQL API: the
 * files parsed back (csv-parse, exceljs) equal tradeStatistics exactly; another trader's data never
 * appears; formula-like text is neutralised while numbers stay numbers.
 */
import { expect } from 'chai';
import { beforeFreshData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant, MEASURES, type DeclSpec } from '../support/fixtures';
import { gql, traderToken } from '../support/server';
import { download, guarded, parseCsv, parseXlsx } from './helpers';

const A_DECLS: DeclSpec[] = [
  {
    number: 'A-1',
    date: '2023-03-15',
    direction: 'IM',
    post: '-10100',
    items: [
      {
        hs: '8471300000',
        country: 'CN',
        net: '10.500',
        gross: '12.000',
        azn: '1500.25',
        usd: '880.10',
        qty: '3.000',
        unit: 'pcs',
      },
      { hs: '8471410000', country: 'TR', net: '1.000', gross: '1.500', azn: '99.99', usd: '58.80' },
    ],
  },
  {
    number: 'A-2',
    date: '2024-07-01',
    direction: 'EX',
    items: [
      {
        hs: '0901110000',
        country: 'DE',
        net: '200.000',
        gross: '210.000',
        azn: '3400.00',
        usd: '2000.00',
        qty: '200.000',
        unit: 'kg',
      },
      {
        hs: '0901110000',
        country: 'DE',
        net: '50.000',
        gross: '52.000',
        azn: '850.10',
        usd: '500.06',
        qty: '50.000',
        unit: 'kg',
      },
      { hs: '8471300000', country: 'TR', transport: null, net: '2.000', gross: '2.500', azn: '700.00', usd: '411.76' },
    ],
  },
  {
    number: 'A-3',
    date: '2024-11-30',
    direction: 'IM',
    procedure: '51',
    items: [
      {
        hs: '2709001000',
        country: 'RU',
        net: '123456789012345.678',
        gross: '123456789012346.000',
        azn: '9999999999999.99',
        usd: '5882352941176.46',
      },
    ],
  },
];

const B_DECLS: DeclSpec[] = [
  {
    number: 'B-SECRET-1',
    date: '2024-01-10',
    direction: 'IM',
    items: [{ hs: '8471300000', country: 'CN', net: '7.000', gross: '8.000', azn: '77777.77', usd: '45751.63' }],
  },
];

const NUMERIC = new Set(['year', 'quarter', 'month', ...MEASURES.filter((m) => m !== 'supplementaryUnit')]);

/** The columns a groupBy gives, in order. */
function keyColumns(groupBy: string[]): string[] {
  const map: Record<string, string[]> = {
    DIRECTION: ['direction'],
    YEAR: ['year'],
    QUARTER: ['quarter'],
    MONTH: ['month'],
    HS2: ['hsCode'],
    HS4: ['hsCode'],
    HS6: ['hsCode'],
    HS10: ['hsCode'],
    COUNTRY: ['countryCode', 'countryName'],
    CUSTOMS_POST: ['customsPostCode'],
    PROCEDURE: ['procedureCode'],
    TRANSPORT_MODE: ['transportMode'],
  };
  return groupBy.flatMap((g) => map[g]);
}

/** tradeStatistics through GraphQL as the rows of strings the CSV should hold (null: empty). */
async function expectedRows(token: string, groupBy: string[], filter: Record<string, string>, lang: string) {
  const r = await gql(
    `query($g: [TradeDimension!]!, $f: TradeFilter, $l: Language) {
      tradeStatistics(groupBy: $g, filter: $f, first: 10000) {
        rows { key { direction year quarter month hsCode country { code name(lang: $l) } customsPostCode procedureCode transportMode }
               measures { ${MEASURES.join(' ')} } }
        truncated } }`,
    { g: groupBy, f: filter, l: lang.toUpperCase() },
    token,
  );
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  expect(r.data.tradeStatistics.truncated).to.equal(false);
  const cols = keyColumns(groupBy);
  return r.data.tradeStatistics.rows.map((row: any) => {
    const key = { ...row.key, countryCode: row.key.country?.code ?? null, countryName: row.key.country?.name ?? null };
    return [...cols.map((c) => key[c]), ...MEASURES.map((m) => row.measures[m])].map((v) =>
      v === null || v === undefined ? null : String(v),
    );
  });
}

const CASES: { groupBy: string[]; filter: Record<string, string>; lang: string }[] = [
  { groupBy: ['HS2', 'YEAR'], filter: {}, lang: 'az' },
  { groupBy: ['COUNTRY'], filter: {}, lang: 'en' },
  { groupBy: ['COUNTRY', 'MONTH'], filter: { direction: 'IMPORT' }, lang: 'ru' },
  { groupBy: ['HS10', 'TRANSPORT_MODE'], filter: { from: '2024-01-01', to: '2024-12-31' }, lang: 'az' },
  { groupBy: ['CUSTOMS_POST', 'PROCEDURE', 'DIRECTION', 'QUARTER'], filter: { hsCodePrefix: '84' }, lang: 'az' },
  { groupBy: ['HS4'], filter: { countryCode: 'DE' }, lang: 'az' },
  { groupBy: [], filter: {}, lang: 'az' },
  { groupBy: ['YEAR'], filter: { countryCode: 'US' }, lang: 'az' },
];

function query(groupBy: string[] | null, filter: Record<string, string>, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ ...filter, ...(groupBy ? { groupBy: groupBy.join(',') } : {}), ...extra });
  return q.toString();
}

describe('exports: files equal the GraphQL answers', () => {
  let a: string;
  let b: string;
  let tokenA: string;

  beforeFreshData(async () => {
    a = await insertParticipant('1300000001');
    b = await insertParticipant('1300000002');
    await insertDeclarations(a, A_DECLS);
    await insertDeclarations(b, B_DECLS);
    const { ds } = testDb();
    // Text a spreadsheet would run as a formula, in every text column the files carry.
    await ds.query(`UPDATE declarations SET declarant_name = '=HYPERLINK("http://evil","x")' WHERE number = 'A-1'`);
    await ds.query(
      `UPDATE declaration_items SET description = $1, supplementary_unit = '@unit'
                     WHERE item_number = 1 AND declaration_id = (SELECT id FROM declarations WHERE number = 'A-1')`,
      ["=cmd|' /C calc'!A0"],
    );
    await ds.query(`UPDATE declaration_items SET description = E'\\tTAB, "quoted"\\nnew line' WHERE item_number = 2
                     AND declaration_id = (SELECT id FROM declarations WHERE number = 'A-1')`);
    await ds.query(`UPDATE declaration_items SET description = '+1-1', supplementary_unit = '-kg' WHERE item_number = 1
                     AND declaration_id = (SELECT id FROM declarations WHERE number = 'A-2')`);
    tokenA = await traderToken(a);
    void b;
  });

  for (const c of CASES) {
    const label = `groupBy=${c.groupBy.join(',') || '(none)'} ${JSON.stringify(c.filter)} lang=${c.lang}`;

    it(`statistics.csv: ${label}`, async () => {
      const expected = await expectedRows(tokenA, c.groupBy, c.filter, c.lang);
      const d = await download(`/export/statistics.csv?${query(c.groupBy, c.filter, { lang: c.lang })}`, tokenA);
      expect(d.status, d.body.toString()).to.equal(200);
      expect(d.headers['content-type']).to.equal('text/csv; charset=utf-8');
      const [header, ...rows] = parseCsv(d.body);
      expect(header).to.deep.equal([...keyColumns(c.groupBy), ...MEASURES]);
      expect(rows).to.deep.equal(expected.map((r: (string | null)[]) => r.map((v) => (v === null ? '' : guarded(v)))));
    });

    it(`statistics.xlsx: ${label}`, async () => {
      const expected = await expectedRows(tokenA, c.groupBy, c.filter, c.lang);
      const d = await download(`/export/statistics.xlsx?${query(c.groupBy, c.filter, { lang: c.lang })}`, tokenA);
      expect(d.status).to.equal(200);
      const [header, ...rows] = await parseXlsx(d.body);
      const names = [...keyColumns(c.groupBy), ...MEASURES];
      expect(header).to.deep.equal(names);
      expect(rows).to.have.length(expected.length);
      rows.forEach((row, i) =>
        row.forEach((cell, j) => {
          const want = expected[i][j];
          if (want === null) expect(cell, `${names[j]} row ${i}`).to.equal(null);
          else if (NUMERIC.has(names[j]) && typeof cell === 'number') {
            // A numeric cell is a double: exactly the decimal's value (no rounding happened).
            expect(cell, names[j]).to.equal(Number(want));
            expect(String(cell)).to.equal(want.includes('.') ? want.replace(/0+$/, '').replace(/\.$/, '') : want);
          } else expect(cell, `${names[j]} row ${i}`).to.equal(guarded(want));
        }),
      );
    });
  }

  it('writes measures as numbers: unquoted decimals in the CSV, numeric cells in the XLSX', async () => {
    const csv = await download('/export/statistics.csv?groupBy=YEAR', tokenA);
    const text = csv.body.toString('utf8');
    expect(text.split('\r\n')[1]).to.equal('2023,1,2,1600.24,938.90,11.500,13.500,,');
    const xlsx = await parseXlsx((await download('/export/statistics.xlsx?groupBy=YEAR', tokenA)).body);
    expect(xlsx[1]).to.deep.equal([2023, 1, 2, 1600.24, 938.9, 11.5, 13.5, null, null]);
  });

  it('keeps a decimal a double cannot hold exactly as its exact text in the XLSX (never rounded)', async () => {
    const rows = await parseXlsx(
      (await download('/export/statistics.xlsx?groupBy=PROCEDURE&procedureCode=51', tokenA)).body,
    );
    // 18 significant digits: more than a double (and Excel) keeps, so the exact digits are text.
    expect(rows[1][5]).to.equal('123456789012345.678');
    // 15 digits fit: a number.
    expect(rows[1][3]).to.equal(9999999999999.99);
  });

  it('neutralises formula-like text (declarant, description, unit, customs post) in both formats', async () => {
    const csv = await download('/export/declarations.csv', tokenA);
    const text = csv.body.toString('utf8');
    expect(text).to.contain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(text).to.contain(`"'=cmd|' /C calc'!A0"`);
    expect(text).to.contain(`"'+1-1"`);
    expect(text).to.contain(`"'-kg"`);
    expect(text).to.contain(`"'-10100"`);
    expect(text).to.contain(`"'\tTAB, ""quoted""\nnew line"`);
    expect(text).not.to.match(/(^|,)[=+@\t-]/m);
    const xlsx = await parseXlsx((await download('/export/declarations.xlsx', tokenA)).body);
    const flat = xlsx.flat().filter((v): v is string => typeof v === 'string');
    for (const v of flat) expect(v, v).not.to.match(/^[=+\-@\t\r]/);
    expect(flat).to.include(`'=cmd|' /C calc'!A0`);
    const stats = parseCsv((await download('/export/statistics.csv?groupBy=CUSTOMS_POST', tokenA)).body);
    expect(stats.map((r) => r[0])).to.include(`'-10100`);
  });

  it('declarations: one row per item of the caller, totals equal tradeStatistics, nothing of another trader', async () => {
    const totals = (
      await gql('{ tradeStatistics(groupBy: []) { totals { itemCount customsValueAzn netWeightKg } } }', {}, tokenA)
    ).data.tradeStatistics.totals;
    for (const format of ['csv', 'xlsx'] as const) {
      const d = await download(`/export/declarations.${format}?lang=en`, tokenA);
      expect(d.status).to.equal(200);
      const rows = format === 'csv' ? parseCsv(d.body) : await parseXlsx(d.body);
      const [header, ...items] = rows;
      expect(header).to.include.members(['declarationNumber', 'itemNumber', 'hsCode', 'customsValueAzn']);
      expect(items).to.have.length(totals.itemCount);
      const col = (n: string) => header.indexOf(n);
      const toCents = (v: unknown) => BigInt((typeof v === 'number' ? v.toFixed(2) : String(v)).replace('.', ''));
      const cents = items.reduce((s, r) => s + toCents(r[col('customsValueAzn')]), 0n);
      expect(cents).to.equal(BigInt(totals.customsValueAzn.replace('.', '')));
      expect(items.map((r) => r[col('declarationNumber')])).to.deep.equal(['A-1', 'A-1', 'A-2', 'A-2', 'A-2', 'A-3']);
      expect(items.find((r) => r[col('partnerCountryCode')] === 'DE')![col('partnerCountryName')]).to.equal('Germany');
      expect(d.body.toString('latin1')).not.to.contain('B-SECRET');
      expect(d.body.toString('latin1')).not.to.contain('77777');
    }
    // Filters apply per item, as in tradeStatistics.
    const de = parseCsv((await download('/export/declarations.csv?countryCode=DE&direction=EXPORT', tokenA)).body);
    expect(de).to.have.length(3);
  });

  it('adds a UTF-8 BOM with bom=1 only', async () => {
    const withBom = await download('/export/statistics.csv?groupBy=YEAR&bom=1', tokenA);
    expect([...withBom.body.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const without = await download('/export/statistics.csv?groupBy=YEAR', tokenA);
    expect(without.body.subarray(0, 4).toString()).to.equal('year');
  });

  it("another trader's export holds only their own rows", async () => {
    const tokenB = await traderToken(b);
    const rows = parseCsv((await download('/export/declarations.csv', tokenB)).body);
    expect(rows.slice(1).map((r) => r[0])).to.deep.equal(['B-SECRET-1']);
    const stats = parseCsv((await download('/export/statistics.csv?groupBy=HS2', tokenB)).body);
    expect(stats.slice(1)).to.deep.equal([['84', '1', '1', '77777.77', '45751.63', '7.000', '8.000', '', '']]);
  });
});
