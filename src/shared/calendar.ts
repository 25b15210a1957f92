/**
 * Calendar dates as the service writes them: YYYY-MM-DD, a day that exists, years 1900–2999.
 * One definition for the GraphQL Date scalar, the contract service and the CSV importer.
 *
 * The year range is the importer's rule (docs: src/ingest/README.md): no customs document is
 * older than 1900, and a year from 3000 on is a typing error, not a date to store.
 */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const MIN_CALENDAR_YEAR = 1900;
export const MAX_CALENDAR_YEAR = 2999;

/** Gregorian leap year. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Whether s is a real calendar date YYYY-MM-DD with a year from 1900 to 2999 (2023-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (y < MIN_CALENDAR_YEAR || y > MAX_CALENDAR_YEAR || mo < 1 || mo > 12 || d < 1) return false;
  return d <= (mo === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[mo - 1]);
}
