/**
 * Test helpers for the importer: an independent RFC 4180 reader (the oracle: it shares no code
 * with src/ingest), a valid base row to derive bad rows from, and table checksums.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDb } from '../support/db';

export const HEADER = [
  'declaration_number',
  'item_number',
  'registration_date',
  'direction',
  'declarant_voen',
  'declarant_fin',
  'declarant_gooen',
  'declarant_name',
  'customs_post_code',
  'procedure_code',
  'hs_code',
  'description',
  'origin_country',
  'partner_country',
  'transport_mode',
  'net_weight_kg',
  'gross_weight_kg',
  'supplementary_quantity',
  'supplementary_unit',
  'invoice_value',
  'invoice_currency',
  'customs_value_azn',
  'statistical_value_usd',
];

export type Row = Record<string, string>;

/** A valid row (known reference codes); override any column. */
export function row(overrides: Row = {}): Row {
  return {
    declaration_number: '10100/150324/T000001',
    item_number: '1',
    registration_date: '2024-03-15',
    direction: 'IM',
    declarant_voen: '1402345671',
    declarant_fin: '',
    declarant_gooen: '',
    declarant_name: 'Xəzər Logistika MMC',
    customs_post_code: '10100',
    procedure_code: '40',
    hs_code: '8703231990',
    description: 'Motor cars, "sedan"',
    origin_country: 'DE',
    partner_country: 'DE',
    transport_mode: '3',
    net_weight_kg: '1400.5',
    gross_weight_kg: '1500.250',
    supplementary_quantity: '1',
    supplementary_unit: 'pcs',
    invoice_value: '20000.00',
    invoice_currency: 'EUR',
    customs_value_azn: '37000.10',
    statistical_value_usd: '21764.76',
    ...overrides,
  };
}

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text (header + rows) in the given column order. */
export function csv(rows: Row[], header: string[] = HEADER): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => field(r[h] ?? '')).join(','))].join('\n') + '\n';
}

let tmpDir: string | undefined;
// Root-level hook: the temporary files go when the run ends.
after(() => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
});

/** Writes text to a fresh temporary file and returns its path. */
export function tmpFile(name: string, text: string): string {
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-test-'));
  const p = path.join(tmpDir, `${Date.now()}-${Math.random().toString(36).slice(2)}-${name}`);
  fs.writeFileSync(p, text);
  return p;
}

/** Minimal RFC 4180 reader: records as string arrays (quotes, doubled quotes, line breaks in quotes). */
export function readCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let f = '';
  let i = 0;
  let quoted = false;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          f += '"';
          i++;
        } else quoted = false;
      } else f += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      rec.push(f);
      f = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rec.push(f);
      out.push(rec);
      rec = [];
      f = '';
    } else f += c;
  }
  if (f !== '' || rec.length > 0) {
    rec.push(f);
    out.push(rec);
  }
  return out;
}

/** Records as objects keyed by the header. */
export function readCsvObjects(text: string): Row[] {
  const [header, ...records] = readCsv(text);
  return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** Exact sum of decimal strings, as a string with `scale` decimals. */
export function sumDecimal(values: string[], scale: number): string {
  let total = 0n;
  for (const v of values) {
    if (v === '' || v === undefined) continue;
    const [i, f = ''] = v.split('.');
    total += BigInt(i + f.padEnd(scale, '0'));
  }
  const s = total.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
}

/** md5 of every row of the tenant tables, for "nothing changed" assertions. */
export async function checksums(): Promise<Record<string, string>> {
  const { ds } = testDb();
  const [r] = await ds.query(`
    SELECT (SELECT md5(coalesce(string_agg(p::text, E'\\n' ORDER BY p.id), '')) FROM participants p) AS participants,
           (SELECT md5(coalesce(string_agg(d::text, E'\\n' ORDER BY d.participant_id, d.id), '')) FROM declarations d) AS declarations,
           (SELECT md5(coalesce(string_agg(i::text, E'\\n' ORDER BY i.participant_id, i.declaration_id, i.item_number), ''))
              FROM declaration_items i) AS items,
           (SELECT count(*)::int FROM declaration_items) AS item_count`);
  return r;
}

export async function expectRejected(
  p: Promise<unknown>,
): Promise<{ errors: string[]; errorCount: number; rejectedRows: number }> {
  try {
    await p;
  } catch (e) {
    if ((e as Error).name === 'ImportRejectedError') return e as never;
    throw e;
  }
  throw new Error('expected the import to be rejected');
}
