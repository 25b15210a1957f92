/**
 * Fixed-window counters in PostgreSQL, one row per client key, so every server instance shares the
 * count. Taken inside the caller's transaction: the row lock serialises concurrent hits of one key,
 * and a rollback (a refused or failed request) undoes the count.
 */
import type { Sql } from '../db/tenant';
import { RateLimitedError, secondsUntil } from './errors';

/** Tables of the shape (client_key text PRIMARY KEY, window_start timestamptz, hits integer). */
export type RateLimitTable = 'complaint_rate_limits' | 'challenge_rate_limits';

/** Start of the fixed window that holds `now`. */
export function windowStart(now: Date, windowMinutes: number): Date {
  const ms = windowMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/**
 * Counts one hit of `key` in the current window and returns the window's count (this hit included)
 * and its end. Windows never move back, so instances with slightly different clocks cannot reset a
 * count; windows that ended are forgotten.
 */
async function hitWindow(
  sql: Sql,
  table: RateLimitTable,
  key: string,
  now: Date,
  windowMinutes: number,
): Promise<{ hits: number; windowEnd: Date }> {
  const start = windowStart(now, windowMinutes);
  const [row] = await sql.query<{ hits: number; window_start: Date }>(
    `INSERT INTO ${table} AS c (client_key, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (client_key) DO UPDATE SET
       hits = CASE WHEN EXCLUDED.window_start > c.window_start THEN 1 ELSE c.hits + 1 END,
       window_start = GREATEST(c.window_start, EXCLUDED.window_start)
     RETURNING hits, window_start`,
    [key, start],
  );
  // Cheap: an index range (or a scan of the few live keys) on window_start.
  await sql.query(`DELETE FROM ${table} WHERE window_start < $1`, [start]);
  return { hits: row.hits, windowEnd: new Date(new Date(row.window_start).getTime() + windowMinutes * 60_000) };
}

export interface WindowLimit {
  /** Hits allowed per window. */
  readonly max: number;
  readonly windowMinutes: number;
}

/**
 * Counts one hit of `key` in the current window; throws RATE_LIMITED with `refusal` and the seconds
 * until the window ends when the window already held `limit.max`.
 */
export async function countWithinLimit(
  sql: Sql,
  table: RateLimitTable,
  key: string,
  now: Date,
  limit: WindowLimit,
  refusal: string,
): Promise<void> {
  const { hits, windowEnd } = await hitWindow(sql, table, key, now, limit.windowMinutes);
  if (hits > limit.max) throw new RateLimitedError(refusal, secondsUntil(windowEnd, now));
}
