import fs from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { generateDeclarationsCsv } from '../../src/ingest/generate';
import { ImportRejectedError } from '../../src/ingest/errors';
import { importDeclarations, type AffectedMonth } from '../../src/ingest/importer';
import { resetData, testDb } from '../support/db';
import { HEADER, checksums, csv, expectRejected, readCsvObjects, row, sumDecimal, tmpFile, type Row } from './helpers';

const NOW = new Date('2025-06-01T10:00:00Z');

async function streamToString(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

async function importText(text: string, opts: Parameters<typeof importDeclarations>[2] = {}) {
  return importDeclarations(testDb().ds, tmpFile('in.csv', text), { now: NOW, ...opts });
}

/** Registers declaration number TAKEN to a first declarant (VÖEN 1000000001). */
async function registerTaken() {
  await importText(csv([row({ declaration_number: 'TAKEN', declarant_voen: '1000000001', declarant_name: 'Owner' })]));
}

describe('importDeclarations', () => {
  beforeEach(resetData);

  describe('a generated file', () => {
    let text: string;
    before(async () => {
      text = await streamToString(generateDeclarationsCsv({ items: 3000, participants: 25, seed: 11 }));
    });

    it('loads every row with the values of the CSV (counts and sums computed from the text)', async () => {
      const rows = readCsvObjects(text);
      const sumOf = (column: string, scale: number) =>
        sumDecimal(
          rows.map((r) => r[column]),
          scale,
        );
      const summary = await importText(text);
      expect(summary).to.include({ rows: rows.length, inserted: rows.length, replaced: 0, unchanged: 0, rejected: 0 });

      const ids = new Set(rows.map((r) => `${r.declarant_voen}|${r.declarant_fin}|${r.declarant_gooen}`));
      const numbers = new Set(rows.map((r) => r.declaration_number));
      expect(summary.participantsCreated).to.equal(ids.size);
      expect(summary.declarationsCreated).to.equal(numbers.size);

      const { ds } = testDb();
      const [db] = await ds.query(`
        SELECT count(*)::int AS n, sum(customs_value_azn)::text AS azn, sum(statistical_value_usd)::text AS usd,
               sum(net_weight_kg)::text AS net, sum(gross_weight_kg)::text AS gross,
               sum(supplementary_quantity)::text AS qty, sum(invoice_value)::text AS inv,
               count(*) FILTER (WHERE direction = 'EX')::int AS ex,
               count(DISTINCT declaration_id)::int AS decls, count(DISTINCT participant_id)::int AS parts
          FROM declaration_items`);
      expect(db).to.deep.equal({
        n: rows.length,
        azn: sumOf('customs_value_azn', 2),
        usd: sumOf('statistical_value_usd', 2),
        net: sumOf('net_weight_kg', 3),
        gross: sumOf('gross_weight_kg', 3),
        qty: sumOf('supplementary_quantity', 3),
        inv: sumOf('invoice_value', 2),
        ex: rows.filter((r) => r.direction === 'EX').length,
        decls: numbers.size,
        parts: ids.size,
      });

      // Row by row: one sampled item per declaration number, joined through its declaration.
      const sample = rows.filter((_, i) => i % 97 === 0);
      for (const r of sample) {
        const [item] = await ds.query(
          `SELECT i.hs_code, i.partner_country, coalesce(i.origin_country, '') AS origin, i.registration_date::text AS date,
                  i.customs_value_azn::text AS azn, coalesce(i.description, '') AS description, p.name
             FROM declaration_items i JOIN declarations d ON d.participant_id = i.participant_id AND d.id = i.declaration_id
             JOIN participants p ON p.id = d.participant_id
            WHERE d.number = $1 AND i.item_number = $2`,
          [r.declaration_number, Number(r.item_number)],
        );
        expect(item).to.deep.equal({
          hs_code: r.hs_code,
          partner_country: r.partner_country,
          origin: r.origin_country,
          date: r.registration_date,
          azn: r.customs_value_azn,
          description: r.description,
          name: r.declarant_name,
        });
      }
    });

    it('changes nothing when the same file is imported again', async () => {
      const rows = readCsvObjects(text);
      await importText(text);
      const before = await checksums();
      const again = await importDeclarations(testDb().ds, tmpFile('again.csv', text), {
        now: new Date('2025-07-01T00:00:00Z'),
      });
      expect(again).to.include({
        inserted: 0,
        replaced: 0,
        unchanged: rows.length,
        rejected: 0,
        participantsCreated: 0,
        declarationsCreated: 0,
        declarationsUpdated: 0,
        affectedMonths: 0,
      });
      expect(await checksums()).to.deep.equal(before);
    });
  });

  describe('in several database batches', () => {
    it('gives the same tables as one batch, with declarations split across batches', async () => {
      const generated = readCsvObjects(
        await streamToString(generateDeclarationsCsv({ items: 4000, participants: 30, seed: 12 })),
      );
      // Move the second item of some declarations to the end of the file (other batches).
      const moved = generated.filter((r, i) => r.item_number === '2' && i % 3 === 0);
      const rows = [...generated.filter((r) => !moved.includes(r)), ...moved];
      const text = csv(rows);
      const one = await importText(text);
      const single = await checksums();
      await resetData();
      const many = await importText(text, { batchRows: 300 });
      expect(await checksums()).to.deep.equal(single);
      expect(many).to.deep.include({
        inserted: 4000,
        replaced: 0,
        unchanged: 0,
        participantsCreated: one.participantsCreated,
        declarationsCreated: one.declarationsCreated,
        affectedMonths: one.affectedMonths,
      });
      const again = await importText(text, { batchRows: 300 });
      expect(again).to.include({ inserted: 0, replaced: 0, unchanged: 4000 });
      expect(await checksums()).to.deep.equal(single);
    });

    it('still reports problems of later batches, database checks included, and changes nothing', async () => {
      await registerTaken();
      const before = await checksums();
      const rows = Array.from({ length: 50 }, (_, i) => row({ declaration_number: `B-${i}` }));
      rows[3] = row({ declaration_number: 'B-3', direction: 'XX' });
      rows[40] = row({ declaration_number: 'TAKEN' });
      rows[45] = row({ declaration_number: 'B-45', partner_country: 'ZZ' });
      const e = await expectRejected(importText(csv(rows), { batchRows: 10 }));
      expect(e.errors.map((x) => x.split(': ').slice(0, 2).join(': '))).to.deep.equal([
        'line 5: direction',
        'line 42: declaration_number',
        'line 47: partner_country',
      ]);
      expect(await checksums()).to.deep.equal(before);
    });
  });

  it('analyses the tables after a large import, so the planner does not plan for empty tables', async () => {
    const text = await streamToString(generateDeclarationsCsv({ items: 40, participants: 3, seed: 5 }));
    const steps = (opts: Parameters<typeof importDeclarations>[2]) => {
      const seen: string[] = [];
      return { seen, opts: { ...opts, onStep: (s: string) => seen.push(s) } };
    };
    const small = steps({ analyzeMinRows: 41 });
    await importText(text, small.opts);
    expect(small.seen).not.to.include('analyze');
    await resetData();
    const large = steps({ analyzeMinRows: 40 });
    const s = await importText(text, large.opts);
    expect(large.seen).to.include('analyze');
    // ANALYZE of a small table reads every row: the planner's row counts are now exact.
    const rel = await testDb().ds.query(`SELECT relname, reltuples::int AS n FROM pg_class
      WHERE relname IN ('declarations', 'declaration_items') ORDER BY relname`);
    expect(rel).to.deep.equal([
      { relname: 'declaration_items', n: 40 },
      { relname: 'declarations', n: s.declarationsCreated },
    ]);
  });

  it('replaces a re-imported row with its new values and leaves the other items alone', async () => {
    const a1 = row({ item_number: '1' });
    const a2 = row({ item_number: '2', hs_code: '0802120000', customs_value_azn: '10.00' });
    await importText(csv([a1, a2]));
    const { ds } = testDb();
    const [{ before }] = await ds.query(`SELECT imported_at AS before FROM declarations`);

    const later = new Date('2025-09-09T09:09:09Z');
    const changed = { ...a1, customs_value_azn: '99.99', hs_code: '8704000000', description: 'Trucks' };
    const s = await importDeclarations(ds, tmpFile('changed.csv', csv([changed])), { now: later });
    expect(s).to.include({ inserted: 0, replaced: 1, unchanged: 0, declarationsUpdated: 0 });
    const items = await ds.query(
      `SELECT item_number, hs_code, customs_value_azn::text AS azn, description FROM declaration_items ORDER BY item_number`,
    );
    expect(items).to.deep.equal([
      { item_number: 1, hs_code: '8704000000', azn: '99.99', description: 'Trucks' },
      { item_number: 2, hs_code: '0802120000', azn: '10.00', description: 'Motor cars, "sedan"' },
    ]);
    const [{ after }] = await ds.query(`SELECT imported_at AS after FROM declarations`);
    expect(before.toISOString()).to.equal(NOW.toISOString());
    expect(after.toISOString()).to.equal(later.toISOString());
  });

  it('moves items that are not in the file along when a declaration header changes', async () => {
    await importText(csv([row({ item_number: '1' }), row({ item_number: '2' })]));
    let affected: AffectedMonth[] = [];
    const s = await importText(
      csv([row({ item_number: '1', registration_date: '2024-05-02', customs_post_code: '99999' })]),
      {
        afterLoad: async (_c, a) => {
          affected = a;
        },
      },
    );
    expect(s).to.include({ replaced: 1, declarationsUpdated: 1 });
    const items = await testDb().ds.query(
      `SELECT item_number, registration_date::text AS d, customs_post_code AS post, unknown_reference AS flags
         FROM declaration_items ORDER BY item_number`,
    );
    expect(items).to.deep.equal([
      { item_number: 1, d: '2024-05-02', post: '99999', flags: ['customs_post'] },
      { item_number: 2, d: '2024-05-02', post: '99999', flags: ['customs_post'] },
    ]);
    expect(affected.map((a) => a.month)).to.deep.equal(['2024-03-01', '2024-05-01']);
  });

  it('changes nothing when one row in the middle is invalid, and names its physical line', async () => {
    await importText(csv([row({ declaration_number: 'OLD-1' })]));
    const before = await checksums();
    const rows = [
      row({ declaration_number: 'N-1', declarant_voen: '1111111111', declarant_name: 'New Co' }),
      // A line break inside a quoted field: this record spans lines 3–4.
      row({
        declaration_number: 'N-2',
        declarant_voen: '1111111111',
        declarant_name: 'New Co',
        description: 'two\nlines',
      }),
      row({
        declaration_number: 'N-3',
        declarant_voen: '1111111111',
        declarant_name: 'New Co',
        registration_date: '2023-02-30',
      }),
      row({ declaration_number: 'N-4', declarant_voen: '1111111111', declarant_name: 'New Co' }),
    ];
    const e = await expectRejected(importText(csv(rows)));
    expect(e).to.be.instanceOf(ImportRejectedError);
    expect(e.errors).to.deep.equal(['line 5: registration_date: "2023-02-30" is not a calendar date YYYY-MM-DD']);
    expect(e.rejectedRows).to.equal(1);
    expect(await checksums()).to.deep.equal(before);
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['a date that is not in the calendar', { registration_date: '2023-02-30' }, 'registration_date'],
      [
        'a registration year from 3000 on (the API accepts it, a document may not)',
        { registration_date: '3000-01-01' },
        'registration_date',
      ],
      ['a direction other than IM/EX', { direction: 'XX' }, 'direction'],
      ['money with 3 decimals', { customs_value_azn: '10.123' }, 'customs_value_azn'],
      ['a weight with 4 decimals', { net_weight_kg: '1.1234', gross_weight_kg: '2' }, 'net_weight_kg'],
      ['gross weight below net weight', { net_weight_kg: '10.5', gross_weight_kg: '10.4' }, 'gross_weight_kg'],
      ['a negative value', { statistical_value_usd: '-5.00' }, 'statistical_value_usd'],
      ['an unknown country', { partner_country: 'ZZ' }, 'partner_country'],
      ['a lower-case country code', { origin_country: 'de' }, 'origin_country'],
      ['no declarant id at all', { declarant_voen: '', declarant_fin: '', declarant_gooen: '' }, 'declarant_voen'],
      ['a VÖEN that is not 10 digits', { declarant_voen: '14023456' }, 'declarant_voen'],
      ['a FIN with lower-case letters', { declarant_fin: '7abcd12' }, 'declarant_fin'],
      ['an HS code that is not 10 digits', { hs_code: '87032319' }, 'hs_code'],
      ['a 3-digit procedure code', { procedure_code: '400' }, 'procedure_code'],
      ['item number 0', { item_number: '0' }, 'item_number'],
      ['a missing declarant name', { declarant_name: ' ' }, 'declarant_name'],
      ['an over-long description', { description: 'x'.repeat(1001) }, 'description'],
      ['an invoice value without currency', { invoice_currency: '' }, 'invoice_currency'],
      ['an exponent in a number', { invoice_value: '1e5' }, 'invoice_value'],
    ];
    for (const [what, overrides, column] of cases) {
      it(`rejects ${what} naming ${column}`, async () => {
        const e = await expectRejected(importText(csv([row({ declaration_number: 'OK-1' }), row(overrides)])));
        expect(e.errors).to.have.length(1);
        expect(e.errors[0]).to.match(new RegExp(`^line 3: ${column}: `));
        expect((await checksums()).item_count).to.equal(0);
      });
    }

    it('rejects a declaration-level field that differs between items of one declaration', async () => {
      const e = await expectRejected(
        importText(
          csv([
            row({ item_number: '1' }),
            row({ item_number: '2' }),
            row({ item_number: '3', direction: 'EX', procedure_code: '10' }),
          ]),
        ),
      );
      expect(e.errors).to.deep.equal([
        'line 4: direction: "EX" differs from "IM" on line 2 (same declaration 10100/150324/T000001)',
        'line 4: procedure_code: "10" differs from "40" on line 2 (same declaration 10100/150324/T000001)',
      ]);
    });

    it('rejects a declarant that differs between items of one declaration', async () => {
      const e = await expectRejected(
        importText(csv([row({ item_number: '1' }), row({ item_number: '2', declarant_voen: '1999999991' })])),
      );
      expect(e.errors[0]).to.match(/^line 3: declarant_voen: "1999999991" differs/);
    });

    it('rejects an item number repeated within a declaration', async () => {
      const e = await expectRejected(importText(csv([row(), row({ hs_code: '8704000000' })])));
      expect(e.errors).to.deep.equal([
        'line 3: item_number: item 1 of declaration 10100/150324/T000001 appears more than once in the file',
      ]);
    });

    it('rejects a header with a missing and an unknown column before loading anything', async () => {
      const header = HEADER.filter((h) => h !== 'partner_country').concat('colour');
      const e = await expectRejected(importText(csv([row({ colour: 'red' })], header)));
      expect(e.errors).to.deep.equal(['line 1: header: missing column: partner_country; unknown column: colour']);
    });

    it('accepts the columns in any order and a byte order mark', async () => {
      const header = [...HEADER].reverse();
      const s = await importText('\uFEFF' + csv([row()], header));
      expect(s.inserted).to.equal(1);
    });

    it('reports a row with the wrong number of fields', async () => {
      const text = csv([row()]) + 'a,b,c\n';
      const e = await expectRejected(importText(text));
      expect(e.errors).to.deep.equal(['line 3: record: expected 23 fields, got 3']);
    });

    it('reports an unterminated quote as a CSV error', async () => {
      const e = await expectRejected(importText(csv([row()]) + '"open,quote\n'));
      expect(e.errors[0]).to.match(/^line \d+: csv: /);
    });

    it('stops at a CSV syntax error deep in a large file and names its line', async () => {
      const rows = Array.from({ length: 30_000 }, (_, i) => row({ declaration_number: `BIG-${i}` }));
      const lines = csv(rows).split('\n');
      lines[25_000] = lines[25_000].replace('Xəzər Logistika MMC', 'Xəzər "Logistika" MMC');
      const e = await expectRejected(importText(lines.join('\n')));
      expect(e.errors).to.have.length(1);
      expect(e.errors[0]).to.match(/^line 25001: csv: Invalid Opening Quote/);
      expect((await checksums()).item_count).to.equal(0);
    });

    it('names the line a multi-line record starts on', async () => {
      const e = await expectRejected(
        importText(
          csv([
            row({ declaration_number: 'M-1', description: 'a\nb\nc' }),
            row({ declaration_number: 'M-2', description: 'x\ny', direction: 'XX' }),
          ]),
        ),
      );
      expect(e.errors).to.deep.equal(['line 5: direction: "XX" is not IM or EX']);
    });

    it('reports every bad row, in line order', async () => {
      const rows = [
        row({ item_number: '1', direction: 'X' }),
        row({ item_number: '2' }),
        row({ item_number: '3', hs_code: 'abc' }),
      ];
      const e = await expectRejected(importText(csv(rows)));
      expect(e.errors.map((x) => x.split(':')[0])).to.deep.equal(['line 2', 'line 4']);
      expect(e.errorCount).to.equal(2);
    });
  });

  it('keeps and flags an unknown customs post, procedure, HS heading and transport mode', async () => {
    const s = await importText(
      csv([
        row({
          item_number: '1',
          customs_post_code: '77777',
          procedure_code: '99',
          hs_code: '9998000000',
          transport_mode: '6',
        }),
        row({ item_number: '2', customs_post_code: '77777', procedure_code: '99' }),
      ]),
    );
    expect(s.inserted).to.equal(2);
    const items = await testDb().ds.query(
      `SELECT item_number, customs_post_code, hs_code, unknown_reference FROM declaration_items ORDER BY item_number`,
    );
    expect(items).to.deep.equal([
      {
        item_number: 1,
        customs_post_code: '77777',
        hs_code: '9998000000',
        unknown_reference: ['customs_post', 'procedure', 'hs_heading', 'transport_mode'],
      },
      {
        item_number: 2,
        customs_post_code: '77777',
        hs_code: '8703231990',
        unknown_reference: ['customs_post', 'procedure'],
      },
    ]);
  });

  describe('--skip-invalid', () => {
    it('imports the valid rows and writes the others to the rejects file with an error column', async () => {
      const input = tmpFile(
        'mixed.csv',
        csv([
          row({ declaration_number: 'A-1' }),
          row({ declaration_number: 'A-2', direction: 'XX' }),
          row({ declaration_number: 'A-3', description: 'with, comma' }),
          row({ declaration_number: 'A-4', customs_value_azn: '1.001' }),
        ]),
      );
      const s = await importDeclarations(testDb().ds, input, { skipInvalid: true, now: NOW });
      expect(s).to.include({ rows: 4, inserted: 2, rejected: 2, rejectsPath: `${input}.rejects.csv` });
      const numbers = await testDb().ds.query(`SELECT number FROM declarations ORDER BY number`);
      expect(numbers.map((r: { number: string }) => r.number)).to.deep.equal(['A-1', 'A-3']);
      const rejects = readCsvObjects(fs.readFileSync(`${input}.rejects.csv`, 'utf8'));
      expect(rejects.map((r) => [r.declaration_number, r.error])).to.deep.equal([
        ['A-2', 'direction: "XX" is not IM or EX'],
        ['A-4', 'customs_value_azn: "1.001" has more than 2 decimal places'],
      ]);
      expect(Object.keys(rejects[0])).to.deep.equal([...HEADER, 'error']);
      expect(rejects[0].description).to.equal('Motor cars, "sedan"');
    });

    it('leaves no rejects file when the file is rejected as a whole', async () => {
      const input = tmpFile('badheader.csv', csv([row()], HEADER.slice(1)));
      await expectRejected(importDeclarations(testDb().ds, input, { skipInvalid: true, now: NOW }));
      expect(fs.existsSync(`${input}.rejects.csv`)).to.equal(false);
    });

    it('writes rows rejected by the database check to the rejects file too', async () => {
      await registerTaken();
      const input = tmpFile(
        'taken.csv',
        csv([
          row({ declaration_number: 'TAKEN', declarant_voen: '1000000002', declarant_name: 'Other' }),
          row({ declaration_number: 'FREE', declarant_voen: '1000000002', declarant_name: 'Other' }),
        ]),
      );
      const rejectsPath = tmpFile('r.csv', '');
      const s = await importDeclarations(testDb().ds, input, { skipInvalid: true, rejectsPath, now: NOW });
      expect(s).to.include({ inserted: 1, rejected: 1, rejectsPath });
      const rejects = readCsvObjects(fs.readFileSync(rejectsPath, 'utf8'));
      expect(rejects).to.have.length(1);
      expect(rejects[0]).to.include({
        declaration_number: 'TAKEN',
        declarant_voen: '1000000002',
        net_weight_kg: '1400.5',
        description: 'Motor cars, "sedan"',
        error: 'declaration_number: TAKEN is already registered to another declarant',
      });
    });

    it('neutralises formula-like cells in the rejects file (CSV injection), a negative number included', async () => {
      await registerTaken();
      const input = tmpFile(
        'formulas.csv',
        csv([
          row({
            declaration_number: 'F-1',
            description: "=cmd|' /C calc'!A0",
            declarant_name: '@SUM(1+1)',
            net_weight_kg: '-12.5',
            customs_post_code: '\t=1+1',
          }),
          row({
            declaration_number: 'TAKEN',
            declarant_voen: '1000000002',
            declarant_name: '+Other',
            description: '-2+3',
          }),
          row({ declaration_number: 'OK-1', declarant_voen: '1000000002', description: '=imported as is' }),
        ]),
      );
      const s = await importDeclarations(testDb().ds, input, { skipInvalid: true, now: NOW });
      expect(s).to.include({ inserted: 1, rejected: 2 });
      const text = fs.readFileSync(`${input}.rejects.csv`, 'utf8');
      expect(text).to.include(`"'=cmd|' /C calc'!A0"`);
      const rejects = parse(text, { columns: true }) as Row[];
      expect(rejects).to.have.length(2);
      expect(rejects[0]).to.include({
        declaration_number: 'F-1',
        description: "'=cmd|' /C calc'!A0",
        declarant_name: "'@SUM(1+1)",
        // OWASP: every cell that begins with "-" is marked, numbers too (src/shared/csv-cell.ts).
        net_weight_kg: "'-12.5",
        customs_post_code: "'\t=1+1",
      });
      expect(rejects[1]).to.include({
        declaration_number: 'TAKEN',
        declarant_name: "'+Other",
        description: "'-2+3",
        error: 'declaration_number: TAKEN is already registered to another declarant',
      });
      // The import data itself is not altered: the guard is for the report only.
      const [d] = await testDb().ds.query(`SELECT description FROM declaration_items WHERE description LIKE '=%'`);
      expect(d.description).to.equal('=imported as is');
    });
  });

  describe('participants', () => {
    it('creates each declarant once, with the kind the identifiers imply', async () => {
      const s = await importText(
        csv([
          row({ declaration_number: 'D1', declarant_voen: '1000000001', declarant_name: 'Company MMC' }),
          row({
            declaration_number: 'D2',
            declarant_voen: '1000000002',
            declarant_fin: 'ABC1234',
            declarant_name: 'Entrepreneur',
          }),
          row({ declaration_number: 'D3', declarant_voen: '', declarant_fin: 'XYZ9876', declarant_name: 'Person' }),
          row({
            declaration_number: 'D4',
            declarant_voen: '',
            declarant_gooen: 'G123456789',
            declarant_name: 'No taxpayer',
          }),
          row({ declaration_number: 'D5', declarant_voen: '1000000001', declarant_name: 'Company MMC (renamed)' }),
        ]),
      );
      expect(s.participantsCreated).to.equal(4);
      const ps = await testDb().ds.query(
        `SELECT kind, name, voen, fin, gooen, created_at FROM participants ORDER BY id`,
      );
      expect(ps.map((p: Record<string, unknown>) => [p.kind, p.name, p.voen, p.fin, p.gooen])).to.deep.equal([
        ['LEGAL_ENTITY', 'Company MMC', '1000000001', null, null],
        ['NATURAL_PERSON', 'Entrepreneur', '1000000002', 'ABC1234', null],
        ['NATURAL_PERSON', 'Person', null, 'XYZ9876', null],
        ['NATURAL_PERSON', 'No taxpayer', null, null, 'G123456789'],
      ]);
      expect(ps[0].created_at.toISOString()).to.equal(NOW.toISOString());
    });

    it('matches an existing participant by VÖEN, else FIN, else GÖÖEN', async () => {
      await importText(
        csv([
          row({
            declaration_number: 'D1',
            declarant_voen: '1000000002',
            declarant_fin: 'ABC1234',
            declarant_name: 'Entrepreneur',
          }),
          row({ declaration_number: 'D2', declarant_voen: '', declarant_gooen: 'G1', declarant_name: 'Person' }),
        ]),
      );
      const s = await importText(
        csv([
          row({ declaration_number: 'E1', declarant_voen: '', declarant_fin: 'ABC1234', declarant_name: 'x' }),
          row({ declaration_number: 'E2', declarant_voen: '1000000002', declarant_name: 'y' }),
          row({ declaration_number: 'E3', declarant_voen: '', declarant_gooen: 'G1', declarant_name: 'z' }),
        ]),
      );
      expect(s.participantsCreated).to.equal(0);
      const owners = await testDb().ds.query(
        `SELECT d.number, p.name FROM declarations d JOIN participants p ON p.id = d.participant_id ORDER BY d.number`,
      );
      expect(owners).to.deep.equal([
        { number: 'D1', name: 'Entrepreneur' },
        { number: 'D2', name: 'Person' },
        { number: 'E1', name: 'Entrepreneur' },
        { number: 'E2', name: 'Entrepreneur' },
        { number: 'E3', name: 'Person' },
      ]);
    });

    it('rejects a declaration number registered to another participant, naming every row', async () => {
      await importText(
        csv([row({ declaration_number: 'X-1', declarant_voen: '1000000001', declarant_name: 'Owner' })]),
      );
      const before = await checksums();
      const e = await expectRejected(
        importText(
          csv([
            row({ declaration_number: 'Y-1', declarant_voen: '1000000002', declarant_name: 'Other' }),
            row({ declaration_number: 'X-1', item_number: '1', declarant_voen: '1000000002', declarant_name: 'Other' }),
            row({ declaration_number: 'X-1', item_number: '2', declarant_voen: '1000000002', declarant_name: 'Other' }),
          ]),
        ),
      );
      expect(e.errors).to.deep.equal([
        'line 3: declaration_number: X-1 is already registered to another declarant',
        'line 4: declaration_number: X-1 is already registered to another declarant',
      ]);
      expect(await checksums()).to.deep.equal(before);
    });
  });

  describe('afterLoad', () => {
    it('gets the touched (participant, month) pairs inside the transaction', async () => {
      let seen: { affected: AffectedMonth[]; items: number } | undefined;
      await importText(
        csv([
          row({ declaration_number: 'M1', registration_date: '2024-01-31' }),
          row({ declaration_number: 'M2', registration_date: '2024-02-01' }),
          row({ declaration_number: 'M3', registration_date: '2024-02-20' }),
        ]),
        {
          afterLoad: async (client, affected) => {
            const r = await client.query('SELECT count(*)::int AS n FROM declaration_items');
            seen = { affected, items: r.rows[0].n };
          },
        },
      );
      const [{ id }] = await testDb().ds.query(`SELECT id::text AS id FROM participants`);
      expect(seen).to.deep.equal({
        affected: [
          { participantId: id, month: '2024-01-01' },
          { participantId: id, month: '2024-02-01' },
        ],
        items: 3,
      });
    });

    it('rolls the whole import back when it throws', async () => {
      const p = importText(csv([row()]), {
        afterLoad: async () => {
          throw new Error('rollup failed');
        },
      });
      let err: unknown;
      try {
        await p;
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.match(/rollup failed/);
      expect(await checksums()).to.include({ item_count: 0 });
      const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM participants');
      expect(n).to.equal(0);
    });
  });

  it('serialises concurrent imports (both succeed, no duplicate participants)', async () => {
    const a = csv([row({ declaration_number: 'C-1', declarant_voen: '1000000009', declarant_name: 'Same' })]);
    const b = csv([row({ declaration_number: 'C-2', declarant_voen: '1000000009', declarant_name: 'Same' })]);
    const [sa, sb] = await Promise.all([importText(a), importText(b)]);
    expect(sa.participantsCreated + sb.participantsCreated).to.equal(1);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM declarations');
    expect(n).to.equal(2);
  });

  it('reads a stream as well as a path', async () => {
    const s = await importDeclarations(testDb().ds, Readable.from([csv([row()])]), { now: NOW });
    expect(s.inserted).to.equal(1);
  });
});
