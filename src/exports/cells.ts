/**
 * Cells of an export, typed: a NUMBER cell holds an exact decimal string from PostgreSQL (or an
 * integer), a TEXT cell anything else. The formula guard (OWASP "CSV Injection", src/shared/csv-cell.ts)
 * applies to every TEXT cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return.
 *
 * Numbers are not text: a measure is written as the number it is, never quoted or prefixed — but
 * only when it IS a plain decimal (`-?digits[.digits]`, checked here, not assumed). Anything else
 * in a number column is treated as text and guarded, so a value such as `-1+cmd|…` can never pass
 * as a number. Measures are sums of columns the database keeps non-negative, so in practice no
 * number cell begins with `-`; a negative one would still be written as a number (a spreadsheet
 * reads `-12.5` as minus twelve and a half, not as a formula).
 */
import { csvField, isFormulaLike, reportCsvCell } from '../shared/csv-cell';

export type CellKind = 'text' | 'number';

export interface Column {
  /** The header cell: the GraphQL field name where there is one. */
  readonly name: string;
  readonly kind: CellKind;
}

/** A cell value: a string (numbers as exact decimal strings), a JS integer, or null (empty). */
export type CellValue = string | number | null;

const PLAIN_DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Whether `v` is a plain decimal number a spreadsheet reads as that number. */
export function isPlainDecimal(v: string): boolean {
  return PLAIN_DECIMAL.test(v);
}

/** One CSV cell: numbers as they are, text through the formula guard and RFC 4180 quoting. */
export function csvCell(kind: CellKind, v: CellValue): string {
  if (v === null) return '';
  const s = String(v);
  if (kind === 'number' && isPlainDecimal(s)) return s;
  return reportCsvCell(s);
}

/** The text a guarded TEXT cell holds in any format: a formula-like value gets a leading `'`. */
export function guardedText(v: string): string {
  return isFormulaLike(v) ? `'${v}` : v;
}

/**
 * The XLSX value of a cell: a number cell when the decimal has at most 15 significant digits and
 * survives a double (what Excel keeps and shows), else its exact digits as text (never silently
 * rounded); text guarded like the CSV.
 */
export function xlsxCell(kind: CellKind, v: CellValue): string | number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (kind === 'number' && isPlainDecimal(v)) {
    const n = Number(v);
    return significantDigits(v) <= EXCEL_DIGITS && sameDecimal(String(n), v) ? n : v;
  }
  return guardedText(v);
}

/** Excel shows and computes with 15 significant digits: a longer number would be shown rounded. */
const EXCEL_DIGITS = 15;

function significantDigits(v: string): number {
  const digits = v.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  const trimmed = v.includes('.') ? digits.replace(/0+$/, '') : digits;
  return trimmed.length;
}

/** Whether two plain decimals are the same number ("1.50" and "1.5"; JS never writes exponents below 1e21). */
function sameDecimal(a: string, b: string): boolean {
  if (/e/i.test(a)) return false;
  const norm = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  return norm(a) === norm(b) || (norm(a) === '0' && norm(b) === '-0') || (norm(a) === '-0' && norm(b) === '0');
}

/** The header line of a CSV (names are plain identifiers; still RFC 4180 quoted if ever needed). */
export function csvHeader(cols: readonly Column[]): string {
  return cols.map((c) => csvField(c.name)).join(',') + '\r\n';
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvRecord(cols: readonly Column[], values: readonly CellValue[]): string {
  let s = csvCell(cols[0].kind, values[0]);
  for (let i = 1; i < cols.length; i++) s += ',' + csvCell(cols[i].kind, values[i]);
  return s + '\r\n';
}
