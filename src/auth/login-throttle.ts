/**
 * Failed-login counters in PostgreSQL, so every server instance shares them.
 *
 * - Per username string (normalised, whether or not an account has it): after `lockoutThreshold`
 *   failures the username is locked for lockoutBaseSeconds, doubling with each further failure
 *   up to lockoutMaxSeconds (ACCOUNT_LOCKED with retryAfterSeconds). The count is forgotten after a
 *   correct password or failureResetMinutes without a failure.
 * - Per client address: at most addressMaxFailures failures in a fixed window of
 *   addressWindowMinutes (RATE_LIMITED with retryAfterSeconds until the window's end).
 *
 * An attempt is counted *before* the password is checked, under a row lock, and given back when
 * the password is right: concurrent guesses cannot slip past the limit between check and count.
 * Times are the application clock's, passed into SQL.
 */
import crypto from 'node:crypto';
import type { AppConfig } from '../config';
import { ANONYMOUS, type RequestDb, type Sql } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { AccountLockedError, RateLimitedError, secondsUntil } from '../shared/errors';

type Limits = AppConfig['login'];

interface Row {
  scope: 'ADDRESS' | 'USERNAME';
  failures: number;
  window_started_at: Date;
  last_failure_at: Date;
  locked_until: Date | null;
}

/** The counter key of a username string: its SHA-256, so a password typed as a username is not stored. */
export function usernameKey(normalisedUsername: string): string {
  return crypto.createHash('sha256').update(normalisedUsername, 'utf8').digest('hex');
}

export class LoginThrottle {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly limits: Limits,
  ) {}

  /** The lock that the n-th consecutive failure sets, in seconds (0 below the threshold). */
  lockSeconds(failures: number): number {
    const { lockoutThreshold, lockoutBaseSeconds, lockoutMaxSeconds } = this.limits;
    if (failures < lockoutThreshold) return 0;
    const steps = Math.min(failures - lockoutThreshold, 30);
    return Math.min(lockoutBaseSeconds * 2 ** steps, lockoutMaxSeconds);
  }

  /**
   * Refuses the attempt (RATE_LIMITED, ACCOUNT_LOCKED) or counts it as a failure in advance;
   * call `succeeded` when the password turns out to be right.
   */
  async begin(normalisedUsername: string, address: string): Promise<void> {
    const now = this.clock.now();
    const ukey = usernameKey(normalisedUsername);
    await this.db.run(ANONYMOUS, async (sql) => {
      // Both rows created if missing, locked and read in one statement: the no-op update locks an
      // existing row and returns its latest version. Fixed lock order (ADDRESS, then USERNAME, as
      // VALUES lists them) in every transaction: no deadlocks.
      const rows = await sql.query<Row>(
        `INSERT INTO login_throttle AS t (scope, key, failures, window_started_at, last_failure_at)
         VALUES ('ADDRESS', $1, 0, $3, $3), ('USERNAME', $2, 0, $3, $3)
         ON CONFLICT (scope, key) DO UPDATE SET failures = t.failures
         RETURNING scope, failures, window_started_at, last_failure_at, locked_until`,
        [address, ukey, now],
      );
      const addr = rows.find((r) => r.scope === 'ADDRESS')!;
      const user = rows.find((r) => r.scope === 'USERNAME')!;

      const windowMs = this.limits.addressWindowMinutes * 60_000;
      let addrFailures = addr.failures;
      let addrWindow = new Date(addr.window_started_at);
      if (addrWindow.getTime() + windowMs <= now.getTime()) {
        addrFailures = 0;
        addrWindow = now;
      }
      if (addrFailures >= this.limits.addressMaxFailures) {
        const retry = secondsUntil(new Date(addrWindow.getTime() + windowMs), now);
        throw new RateLimitedError(`too many failed login attempts from this address: try again in ${retry} s`, retry);
      }
      if (user.locked_until && new Date(user.locked_until) > now) {
        // The same answer for existing and unknown usernames.
        const retry = secondsUntil(new Date(user.locked_until), now);
        throw new AccountLockedError(`too many failed attempts for this username: try again in ${retry} s`, retry);
      }
      let userFailures = user.failures;
      if (new Date(user.last_failure_at).getTime() + this.limits.failureResetMinutes * 60_000 <= now.getTime()) {
        userFailures = 0;
      }
      userFailures += 1;
      const lock = this.lockSeconds(userFailures);
      // Both counts in one statement: the address's (and its window), the username's (and its lock).
      await sql.query(
        `UPDATE login_throttle t
            SET failures = CASE t.scope WHEN 'ADDRESS' THEN $3::int ELSE $5::int END,
                window_started_at = CASE t.scope WHEN 'ADDRESS' THEN $4::timestamptz ELSE t.window_started_at END,
                locked_until = CASE t.scope WHEN 'USERNAME' THEN $6::timestamptz ELSE t.locked_until END,
                last_failure_at = $7
          WHERE (t.scope = 'ADDRESS' AND t.key = $1) OR (t.scope = 'USERNAME' AND t.key = $2)`,
        [
          address,
          ukey,
          addrFailures + 1,
          addrWindow,
          userFailures,
          lock > 0 ? new Date(now.getTime() + lock * 1000) : null,
          now,
        ],
      );
      if (Math.random() < 0.01) await this.purge(sql, now);
    });
  }

  /** The password was right: the username's failures are forgotten, the address gets its attempt back. */
  async succeeded(normalisedUsername: string, address: string): Promise<void> {
    // One statement, one round trip. The DELETE waits for the UPDATE (its condition reads it), so the rows
    // are locked in begin()'s order, ADDRESS then USERNAME: no deadlock with a concurrent attempt.
    await this.db.send(
      ANONYMOUS,
      `WITH given_back AS (
         UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE scope = 'ADDRESS' AND key = $1
         RETURNING 1
       )
       DELETE FROM login_throttle WHERE scope = 'USERNAME' AND key = $2 AND (SELECT count(*) FROM given_back) >= 0`,
      [address, usernameKey(normalisedUsername)],
    );
  }

  /** Lifts a username's lock (an officer issued new credentials for it). */
  async clearUsername(normalisedUsername: string): Promise<void> {
    await this.db.send(ANONYMOUS, `DELETE FROM login_throttle WHERE scope = 'USERNAME' AND key = $1`, [
      usernameKey(normalisedUsername),
    ]);
  }

  /** Drops counters that can no longer refuse anything. */
  private async purge(sql: Sql, now: Date): Promise<void> {
    const keepMinutes = Math.max(this.limits.failureResetMinutes, this.limits.addressWindowMinutes);
    await sql.query(
      `DELETE FROM login_throttle WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM login_throttle
          WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2) LIMIT 1000))`,
      [new Date(now.getTime() - keepMinutes * 60_000), now],
    );
  }
}
