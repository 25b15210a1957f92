/**
 * What a signed statistical extract says, as one UTF-8 CSV text: a statement block (`field,value` records: the
 * participant, the query, the time of issue, the audit record that registered it, the hash of the figures), an
 * empty line, then the figures exactly as tradeStatistics returns them (one record per group, then `total`).
 *
 * The CSV extract is this text; the PDF extract shows it as a page and carries the same text as its embedded file
 * `extract.csv`, so a program reads the figures of either format the same way (`parseStatement`).
 */
import crypto from 'node:crypto';
import { reportCsvLine } from '../shared/csv-cell';
import type { TradeDimension, TradeStatistics } from '../statistics/statistics.service';
import type { TradeGroupKey } from '../statistics/dimensions';
import { MEASURES } from '../statistics/measures';

export type ExtractFormat = 'PDF' | 'CSV';

/** The query as the API states it (GraphQL names: direction IMPORT/EXPORT, groupBy enum values). */
export interface ExtractQuery {
  readonly filter: Readonly<Record<string, string>>;
  readonly groupBy: readonly TradeDimension[];
}

export interface ExtractParticipant {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly voen: string | null;
  readonly fin: string | null;
  readonly gooen: string | null;
}

/** The audit record the resolver appended before the document was made (src/extracts/README.md). */
export interface ExtractAuditReference {
  readonly recordId: string;
  readonly recordSeq: string;
  readonly requestId: string;
}

export interface ExtractStatement {
  readonly format: ExtractFormat;
  readonly issuedAt: Date;
  readonly participant: ExtractParticipant;
  readonly query: ExtractQuery;
  readonly audit: ExtractAuditReference;
  /** The figures block (figuresCsv) and its SHA-256, which the audit record also holds. */
  readonly figuresCsv: string;
  readonly signerSubject: string;
}

export const DOCUMENT_TITLE =
  'Xarici ticarət əməliyyatları üzrə statistik çıxarış / Statistical extract of foreign-trade operations';
export const ISSUER = 'Dövlət Gömrük Komitəsi — gömrük ticarət statistikası e-xidməti';

/** The key field each dimension fills, and the figures column it becomes. */
const KEY_FIELD: Record<TradeDimension, keyof TradeGroupKey> = {
  DIRECTION: 'direction',
  YEAR: 'year',
  QUARTER: 'quarter',
  MONTH: 'month',
  HS2: 'hsCode',
  HS4: 'hsCode',
  HS6: 'hsCode',
  HS10: 'hsCode',
  COUNTRY: 'countryCode',
  CUSTOMS_POST: 'customsPostCode',
  PROCEDURE: 'procedureCode',
  TRANSPORT_MODE: 'transportMode',
};

export const MEASURE_COLUMNS = MEASURES.map((m) => m.field);

export function figuresHeader(groupBy: readonly TradeDimension[]): string[] {
  return ['row', ...groupBy.map((d) => KEY_FIELD[d]), ...MEASURE_COLUMNS];
}

function keyCell(key: TradeGroupKey, field: keyof TradeGroupKey): string {
  const v = key[field];
  if (v === undefined || v === null) return '';
  if (field === 'direction') return v === 'IM' ? 'IMPORT' : 'EXPORT';
  return String(v);
}

/** The figures block: header, one record per group in tradeStatistics order, then the totals. */
export function figuresCsv(stats: TradeStatistics, groupBy: readonly TradeDimension[]): string {
  const measures = (m: TradeStatistics['totals']) =>
    MEASURE_COLUMNS.map((c) => (m[c] === null || m[c] === undefined ? '' : String(m[c])));
  let out = reportCsvLine(figuresHeader(groupBy));
  for (const r of stats.rows) {
    out += reportCsvLine(['group', ...groupBy.map((d) => keyCell(r.key, KEY_FIELD[d])), ...measures(r.measures)]);
  }
  out += reportCsvLine(['total', ...groupBy.map(() => ''), ...measures(stats.totals)]);
  return out;
}

export function sha256Hex(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON of the filter (sorted keys), as the statement and the audit record name it. */
export function filterJson(filter: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The statement block's records, in order. */
export function statementFields(s: ExtractStatement): [string, string][] {
  const p = s.participant;
  return [
    ['document', DOCUMENT_TITLE],
    ['issuer', ISSUER],
    ['format', s.format],
    ['issuedAt', s.issuedAt.toISOString()],
    ['participantName', p.name],
    ['participantKind', p.kind],
    ['participantVoen', p.voen ?? ''],
    ['participantFin', p.fin ?? ''],
    ['participantGooen', p.gooen ?? ''],
    ['filter', filterJson(s.query.filter)],
    ['groupBy', s.query.groupBy.join(';')],
    ['auditRecordId', s.audit.recordId],
    ['auditRecordSeq', s.audit.recordSeq],
    ['auditRequestId', s.audit.requestId],
    ['figuresSha256', sha256Hex(s.figuresCsv)],
    ['signer', s.signerSubject],
  ];
}

/** The whole CSV text: statement, an empty line, the figures. */
export function statementCsv(s: ExtractStatement): string {
  let out = reportCsvLine(['field', 'value']);
  for (const [k, v] of statementFields(s)) out += reportCsvLine([k, v]);
  return `${out}\n${s.figuresCsv}`;
}

// ---- reading it back (verify-extract, tests) --------------------------------------------------------------

/** RFC 4180 records of a CSV text (quoted fields, doubled quotes); the formula guard's quote is removed. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field.startsWith("'") && /^'[=+\-@\t\r]/.test(field) ? field.slice(1) : field);
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      records.push(record);
      record = [];
    } else field += c;
    i++;
  }
  if (field !== '' || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

export interface ParsedStatement {
  /** The statement block's `field → value`. */
  readonly fields: ReadonlyMap<string, string>;
  /** The figures block as text (what figuresSha256 covers). */
  readonly figuresCsv: string;
  readonly header: readonly string[];
  /** Every figures record as `column → value`. */
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** Splits and reads an extract's CSV text; throws an Error saying what is missing when it is not one. */
export function parseStatement(text: string): ParsedStatement {
  const cut = text.indexOf('\n\n');
  if (cut < 0) throw new Error('not a statistical extract: no empty line between the statement and the figures');
  const head = parseCsvRecords(text.slice(0, cut + 1));
  const figuresText = text.slice(cut + 2);
  if (head[0]?.join(',') !== 'field,value') throw new Error('not a statistical extract: no "field,value" header');
  const fields = new Map<string, string>();
  for (const r of head.slice(1)) {
    if (r.length !== 2) throw new Error(`statement record "${r.join(',')}" does not have two fields`);
    fields.set(r[0]!, r[1]!);
  }
  const figures = parseCsvRecords(figuresText);
  const header = figures[0] ?? [];
  if (header[0] !== 'row') throw new Error('not a statistical extract: the figures have no "row" column');
  const rows = figures.slice(1).map((r) => {
    if (r.length !== header.length) throw new Error(`a figures record has ${r.length} fields, not ${header.length}`);
    return Object.fromEntries(header.map((h, n) => [h, r[n]!]));
  });
  return { fields, figuresCsv: figuresText, header, rows };
}
