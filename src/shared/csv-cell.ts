/**
 * CSV cells (RFC 4180) for every CSV the service writes, and the one guard against CSV formula
 * injection (OWASP "CSV Injection"): a spreadsheet opening a report runs a cell such as
 * `=cmd|' /C calc'!A0` as a formula.
 *
 * `reportCsvLine` is for files a person opens (reports, exports, the importer's rejects file): a
 * cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in
 * front and is quoted, so a spreadsheet shows it as text. That includes a negative number such as
 * `-12.5`, which then reads `'-12.5`: the OWASP rule has no exception for numbers, and one would
 * have to decide what "a number" is (`-1+1` is a formula) — a wrong guess would be a hole. In the
 * importer's rejects file a sign is never a valid value anyway (decimals carry no sign), so the
 * quote shows the rejected text as it was, marked.
 *
 * `csvLine` is plain RFC 4180 without the guard, for data files meant for a program (the test-data
 * generator's output is import data, not a report: a value there must reach the importer as is).
 */
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE_ALL = /"/g;
/** First characters a spreadsheet reads as the start of a formula (OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field per RFC 4180: quoted only when it holds a comma, quote or line break. */
export function csvField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(QUOTE_ALL, '""')}"` : v;
}

/** One CSV record (RFC 4180 fields, `\n` at the end), no formula guard: data for programs. */
export function csvLine(fields: ReadonlyArray<string>): string {
  let s = csvField(fields[0]);
  for (let i = 1; i < fields.length; i++) s += ',' + csvField(fields[i]);
  return s + '\n';
}

/** Whether a spreadsheet could read the cell as a formula. */
export function isFormulaLike(v: string): boolean {
  return FORMULA_START.test(v);
}

/** One cell for a CSV that people open: formula-like cells become `"'…"`, the rest RFC 4180. */
export function reportCsvCell(v: string): string {
  return isFormulaLike(v) ? `"'${v.replace(QUOTE_ALL, '""')}"` : csvField(v);
}

/** One record of a CSV that people open (see reportCsvCell), `\n` at the end. */
export function reportCsvLine(fields: ReadonlyArray<string>): string {
  let s = reportCsvCell(fields[0]);
  for (let i = 1; i < fields.length; i++) s += ',' + reportCsvCell(fields[i]);
  return s + '\n';
}
