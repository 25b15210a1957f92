/**
 * tradeStatistics against an oracle: the generator's rows are imported, then every figure is
 * recomputed here from the CSV text itself (a small RFC 4180 reader and integer arithmetic on
 * the decimal strings), importing nothing from src/ but the generator and importer under test.
 */
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { generateDeclarations } from '../../src/ingest/generate';
import { DECLARATION_CSV_HEADER, csvLine } from '../../src/ingest/columns';
import { importDeclarations } from '../../src/ingest/importer';
import { resetData, testDb } from '../support/db';
import { gql, traderToken } from '../support/server';

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** "123.4" with `scale` decimals → integer units. */
const units = (s: string, scale: number) => {
  const [i, f = ''] = s.split('.');
  return BigInt(i + f.padEnd(scale, '0'));
};
const fmt = (n: bigint, scale: number) => {
  const s = n.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
};

interface Group {
  decls: Set<string>;
  items: number;
  azn: bigint;
  usd: bigint;
  net: bigint;
}

describe('tradeStatistics against an independent oracle over generated data', () => {
  const VOEN = '1402345671';
  let all: Record<string, string>[];
  let text: string;

  before(async function () {
    this.timeout(120000);
    await resetData();
    const lines = [DECLARATION_CSV_HEADER];
    for (const r of generateDeclarations({
      items: 6000,
      participants: 4,
      seed: 99,
      participantsList: [{ voen: VOEN, name: 'Xəzər Logistika MMC' }],
    })) {
      lines.push(csvLine(r));
    }
    text = `${lines.join('\n')}\n`;
    await importDeclarations(testDb().ds, Readable.from([text]), { skipInvalid: false });
    const [header, ...body] = parseCsv(text).filter((r) => r.length > 1);
    all = body.map((r) => Object.fromEntries(header.map((h, n) => [h, r[n]])));
  });

  // The named trader (most items) and the one with the fewest: both read from rollups (kept for every
  // trader), both must equal the oracle.
  const traders: { name: string; pick: () => Promise<{ id: string; voen: string | null; fin: string | null }> }[] = [
    {
      name: 'the named trader',
      pick: async () => {
        const [p] = await testDb().ds.query('SELECT id::text AS id, voen, fin FROM participants WHERE voen = $1', [
          VOEN,
        ]);
        return p;
      },
    },
    {
      name: 'the trader with the fewest items',
      pick: async () => {
        const [p] = await testDb().ds.query(
          `SELECT p.id::text AS id, p.voen, p.fin FROM participants p JOIN declaration_items i ON i.participant_id = p.id
            GROUP BY p.id ORDER BY count(*), p.id LIMIT 1`,
        );
        return p;
      },
    },
  ];

  for (const trader of traders) {
    describe(trader.name, () => {
      let rows: Record<string, string>[];
      let token: string;

      before(async () => {
        const p = await trader.pick();
        rows = all.filter((r) =>
          p.voen ? r.declarant_voen === p.voen && !r.declarant_fin : r.declarant_fin === p.fin,
        );
        token = await traderToken(p.id);
        const [{ listed }] = await testDb().ds.query(
          'SELECT EXISTS (SELECT 1 FROM rollup_participants WHERE participant_id = $1) AS listed',
          [p.id],
        );
        expect(listed).to.equal(true);
        expect(rows.length).to.be.greaterThan(trader.name === 'the named trader' ? 500 : 20);
      });

      defineChecks(
        () => rows,
        () => token,
      );
    });
  }
});

function defineChecks(rowsOf: () => Record<string, string>[], tokenOf: () => string): void {
  function oracle(keyOf: (r: Record<string, string>) => string | null): Map<string, Group> {
    const out = new Map<string, Group>();
    for (const r of rowsOf()) {
      const k = keyOf(r);
      if (k === null) continue;
      const g = out.get(k) ?? { decls: new Set(), items: 0, azn: 0n, usd: 0n, net: 0n };
      g.decls.add(r.declaration_number);
      g.items += 1;
      g.azn += units(r.customs_value_azn, 2);
      g.usd += units(r.statistical_value_usd, 2);
      g.net += units(r.net_weight_kg, 3);
      out.set(k, g);
    }
    return out;
  }
  const Q = `query($g: [TradeDimension!]!, $f: TradeFilter) { tradeStatistics(groupBy: $g, filter: $f, first: 10000) {
    rows { key { direction year quarter month hsCode country { code } customsPostCode procedureCode } measures { declarationCount itemCount customsValueAzn statisticalValueUsd netWeightKg } }
    totals { declarationCount itemCount customsValueAzn } truncated } }`;

  async function check(
    groupBy: string[],
    filter: Record<string, string>,
    keyOf: (r: Record<string, string>) => string | null,
    keyOfRow: (k: any) => string,
  ): Promise<void> {
    const r = await gql(Q, { g: groupBy, f: filter }, tokenOf());
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const expected = oracle(keyOf);
    expect(expected.size, 'the oracle must expect some groups, or the check proves nothing').to.be.greaterThan(0);
    const got = new Map<string, any>(r.data.tradeStatistics.rows.map((x: any) => [keyOfRow(x.key), x.measures]));
    expect([...got.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [k, g] of expected) {
      expect(got.get(k), k).to.deep.equal({
        declarationCount: g.decls.size,
        itemCount: g.items,
        customsValueAzn: fmt(g.azn, 2),
        statisticalValueUsd: fmt(g.usd, 2),
        netWeightKg: fmt(g.net, 3),
      });
    }
    const all = oracle((x) => (keyOf(x) === null ? null : 'all')).get('all');
    expect(r.data.tradeStatistics.totals).to.deep.equal({
      declarationCount: all?.decls.size ?? 0,
      itemCount: all?.items ?? 0,
      customsValueAzn: fmt(all?.azn ?? 0n, 2),
    });
  }

  it('matches HS2 x COUNTRY x YEAR', () =>
    check(
      ['HS2', 'COUNTRY', 'YEAR'],
      {},
      (r) => `${r.hs_code.slice(0, 2)}|${r.partner_country}|${r.registration_date.slice(0, 4)}`,
      (k) => `${k.hsCode}|${k.country.code}|${k.year}`,
    ));

  it('matches DIRECTION x MONTH with an HS prefix filter', () => {
    const prefix = rowsOf()[0].hs_code.slice(0, 2);
    return check(
      ['DIRECTION', 'MONTH'],
      { hsCodePrefix: prefix },
      (r) =>
        r.hs_code.startsWith(prefix)
          ? `${r.direction === 'IM' ? 'IMPORT' : 'EXPORT'}|${Number(r.registration_date.slice(5, 7))}`
          : null,
      (k) => `${k.direction}|${k.month}`,
    );
  });

  it('matches CUSTOMS_POST x HS4 within a date range and one partner country', () => {
    const country = rowsOf()[0].partner_country;
    return check(
      ['CUSTOMS_POST', 'HS4'],
      { from: '2022-03-15', to: '2024-06-30', countryCode: country },
      (r) =>
        r.partner_country === country && r.registration_date >= '2022-03-15' && r.registration_date <= '2024-06-30'
          ? `${r.customs_post_code}|${r.hs_code.slice(0, 4)}`
          : null,
      (k) => `${k.customsPostCode}|${k.hsCode}`,
    );
  });

  it('matches CUSTOMS_POST x HS4 within whole months and one partner country (a rollup grain)', () => {
    const country = rowsOf()[0].partner_country;
    return check(
      ['CUSTOMS_POST', 'HS4'],
      { from: '2022-03-01', to: '2024-06-30', countryCode: country },
      (r) =>
        r.partner_country === country && r.registration_date >= '2022-03-01' && r.registration_date <= '2024-06-30'
          ? `${r.customs_post_code}|${r.hs_code.slice(0, 4)}`
          : null,
      (k) => `${k.customsPostCode}|${k.hsCode}`,
    );
  });

  it('matches PROCEDURE x QUARTER x YEAR of exports under a 4-digit HS prefix (a rollup grain)', () => {
    const prefix = rowsOf()[0].hs_code.slice(0, 4);
    return check(
      ['PROCEDURE', 'QUARTER', 'YEAR'],
      { hsCodePrefix: prefix, direction: 'EXPORT' },
      (r) =>
        r.hs_code.startsWith(prefix) && r.direction === 'EX'
          ? `${r.procedure_code}|${Math.ceil(Number(r.registration_date.slice(5, 7)) / 3)}|${r.registration_date.slice(0, 4)}`
          : null,
      (k) => `${k.procedureCode}|${k.quarter}|${k.year}`,
    );
  });

  it('matches a single total with no grouping and an import-only filter', async () => {
    const r = await gql(Q, { g: [], f: { direction: 'IMPORT' } }, tokenOf());
    const all = oracle((x) => (x.direction === 'IM' ? 'all' : null)).get('all')!;
    expect(r.data.tradeStatistics.totals).to.deep.equal({
      declarationCount: all.decls.size,
      itemCount: all.items,
      customsValueAzn: fmt(all.azn, 2),
    });
  });
}
