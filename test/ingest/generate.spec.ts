import { Readable } from 'node:stream';
import { expect } from 'chai';
import { countryRows } from '../../src/db/reference/sync';
import { CUSTOMS_POSTS, CUSTOMS_PROCEDURES, HS_HEADINGS, TRANSPORT_MODES } from '../../src/db/reference/data';
import { DECLARATION_CSV_HEADER, generateDeclarations, generateDeclarationsCsv } from '../../src/ingest/generate';
import { RowSink } from '../../src/ingest/row-sink';
import { HEADER, readCsv } from './helpers';

async function text(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

const FIXED = [
  { voen: '1402345671', name: 'Xəzər Logistika MMC' },
  { fin: '7ABCD12', name: 'Aysel Məmmədova' },
];

describe('generateDeclarations', () => {
  it('writes identical bytes for the same seed and different bytes for another', async () => {
    const opts = { items: 5000, participants: 40, seed: 42 };
    const a = await text(generateDeclarationsCsv(opts));
    const b = await text(generateDeclarationsCsv(opts));
    const c = await text(generateDeclarationsCsv({ ...opts, seed: 43 }));
    expect(a).to.equal(b);
    expect(c).to.not.equal(a);
    expect(a.split('\n')[0]).to.equal(DECLARATION_CSV_HEADER);
    expect(DECLARATION_CSV_HEADER.split(',')).to.deep.equal(HEADER);
  });

  it('keeps participant identities stable for a seed whatever the item count', () => {
    const ids = (items: number) =>
      new Set(
        [...generateDeclarations({ items, participants: 5, seed: 9 })].map((r) => `${r[4]}|${r[5]}|${r[6]}|${r[7]}`),
      );
    const small = ids(3000);
    const large = ids(20000);
    for (const id of small) expect(large.has(id), id).to.equal(true);
  });

  it('produces rows that pass the importer validation, with realistic shapes', () => {
    const ref = {
      countries: new Set(countryRows().map((r) => r[0])),
      hsHeadings: new Set(HS_HEADINGS.map((h) => h[0])),
      customsPosts: new Set(CUSTOMS_POSTS.map((p) => p[0])),
      procedures: new Set(CUSTOMS_PROCEDURES.map((p) => p[0])),
      transportModes: new Set(TRANSPORT_MODES.map((m) => m[0])),
    };
    const sink = new RowSink(ref, { collectRejects: false, maxErrors: 20 });
    sink.record(HEADER, 1);
    const rows = [
      ...generateDeclarations({
        items: 60_000,
        participants: 60,
        seed: 5,
        participantsList: FIXED,
        from: '2022-01-01',
        to: '2023-12-31',
      }),
    ];
    rows.forEach((r, i) => sink.record(r, i + 2));
    sink.cutBatch();
    expect(sink.errors.map((e) => e.text)).to.deep.equal([]);
    expect(sink.validRows).to.equal(60_000);
    expect(rows).to.have.length(60_000);

    // Declarations: consecutive rows, items numbered 1..n with n ≤ 8, mostly small.
    const sizes = new Map<string, number>();
    for (const r of rows) sizes.set(r[0], (sizes.get(r[0]) ?? 0) + 1);
    const hist = [...sizes.values()].reduce(
      (h, n) => {
        h[n] = (h[n] ?? 0) + 1;
        return h;
      },
      {} as Record<number, number>,
    );
    expect(Math.max(...Object.keys(hist).map(Number))).to.be.at.most(8);
    expect(hist[1]).to.be.greaterThan(hist[2]);
    expect(hist[2]).to.be.greaterThan(hist[5]);

    // Both directions with their usual procedures; dates inside the range.
    const im = rows.filter((r) => r[3] === 'IM');
    const ex = rows.filter((r) => r[3] === 'EX');
    expect(ex.length).to.be.greaterThan(rows.length * 0.02);
    expect(im.filter((r) => r[9] === '40').length / im.length).to.be.greaterThan(0.8);
    expect(ex.filter((r) => r[9] === '10').length / ex.length).to.be.greaterThan(0.8);
    expect(rows.every((r) => r[2] >= '2022-01-01' && r[2] <= '2023-12-31')).to.equal(true);

    // Values: customs value ≈ 1.7 × statistical value (rounded), gross ≥ net.
    for (const r of rows.slice(0, 5000)) {
      expect(Math.abs(Number(r[21]) - Number(r[22]) * 1.7)).to.be.below(0.0051);
      expect(Number(r[16])).to.be.at.least(Number(r[15]));
    }

    // Skewed activity: the busiest declarant has many times the median's rows; the fixed
    // identities are present, plus FIN-only persons and exactly one GÖÖEN-only person.
    const perId = new Map<string, number>();
    for (const r of rows) perId.set(`${r[4]}|${r[5]}|${r[6]}`, (perId.get(`${r[4]}|${r[5]}|${r[6]}`) ?? 0) + 1);
    const counts = [...perId.values()].sort((a, b) => b - a);
    expect(counts[0]).to.be.greaterThan(5 * counts[Math.floor(counts.length / 2)]);
    expect(perId.get('1402345671||')).to.be.greaterThan(1000);
    expect(perId.get('|7ABCD12|')).to.be.greaterThan(100);
    expect(rows.find((r) => r[4] === '1402345671')![7]).to.equal('Xəzər Logistika MMC');
    const gooenOnly = new Set(rows.filter((r) => r[4] === '' && r[5] === '' && r[6] !== '').map((r) => r[6]));
    expect(gooenOnly.size).to.equal(1);
    expect([...perId.keys()].filter((k) => k.startsWith('|') && k.split('|')[1] !== '').length).to.be.greaterThan(1);

    // Each participant trades a few headings and partner countries, not everything.
    const headingsOf = new Map<string, Set<string>>();
    for (const r of rows) {
      const k = `${r[4]}|${r[5]}|${r[6]}`;
      if (!headingsOf.has(k)) headingsOf.set(k, new Set());
      headingsOf.get(k)!.add(r[10].slice(0, 4));
    }
    for (const s of headingsOf.values()) expect(s.size).to.be.at.most(9);
  });

  it('quotes fields per RFC 4180 so that a CSV reader gets the same values back', async () => {
    const opts = { items: 2000, participants: 10, seed: 3 };
    const parsed = readCsv(await text(generateDeclarationsCsv(opts)));
    expect(parsed.slice(1)).to.deep.equal([...generateDeclarations(opts)]);
    expect(parsed.some((r) => r[11].includes(','))).to.equal(true);
  });
});
