/** Calendar dates of the authority (SERVICE_TIME_ZONE, Asia/Baku by default), from the app clock. */

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
