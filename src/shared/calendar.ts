/**
 * Calendar dates as the service reads and writes them: YYYY-MM-DD, a day that exists, year 1900 or
 * later. One definition for the GraphQL Date scalar, the contract service and the CSV importer; and the
 * authority's date of an instant (SERVICE_TIME_ZONE, Asia/Baku by default) for contracts and complaints.
 *
 * The upper year is the caller's rule: the API accepts any year to 9999 (clients pass
 * `to: "9999-12-31"` as an open end), while the importer refuses a registration date from 3000 on
 * (a typing error, not a document date: see docs/import-format.md).
 */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const MIN_CALENDAR_YEAR = 1900;
/** The latest year of a date a customs document may carry (importer). */
export const MAX_DOCUMENT_YEAR = 2999;

/** Gregorian leap year. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Whether s is a real calendar date YYYY-MM-DD with a year from 1900 to `maxYear` (2023-02-30 is not). */
export function isCalendarDate(s: string, maxYear = 9999): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (y < MIN_CALENDAR_YEAR || y > maxYear || mo < 1 || mo > 12 || d < 1) return false;
  return d <= (mo === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[mo - 1]);
}

/** The date (YYYY-MM-DD) that `now` is in the given IANA time zone. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}
