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
      // Fixed lock order (ADDRESS, then USERNAME) in every transaction: no deadlocks.
      await sql.query(
        `INSERT INTO login_throttle (scope, key, failures, window_started_at, last_failure_at)
         VALUES ('ADDRESS', $1, 0, $3, $3), ('USERNAME', $2, 0, $3, $3) ON CONFLICT (scope, key) DO NOTHING`,
        [address, ukey, now],
      );
      const rows = await sql.query<Row>(
        `SELECT scope, failures, window_started_at, last_failure_at, locked_until FROM login_throttle
          WHERE (scope = 'ADDRESS' AND key = $1) OR (scope = 'USERNAME' AND key = $2)
          ORDER BY scope FOR UPDATE`,
        [address, ukey],
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
      await sql.query(
        `UPDATE login_throttle SET failures = $2, window_started_at = $3, last_failure_at = $4
          WHERE scope = 'ADDRESS' AND key = $1`,
        [address, addrFailures + 1, addrWindow, now],
      );
      await sql.query(
        `UPDATE login_throttle SET failures = $2, last_failure_at = $3, locked_until = $4
          WHERE scope = 'USERNAME' AND key = $1`,
        [ukey, userFailures, now, lock > 0 ? new Date(now.getTime() + lock * 1000) : null],
      );
      if (Math.random() < 0.01) await this.purge(sql, now);
    });
  }

  /** The password was right: the username's failures are forgotten, the address gets its attempt back. */
  async succeeded(normalisedUsername: string, address: string): Promise<void> {
    await this.db.run(ANONYMOUS, async (sql) => {
      await sql.query(
        `UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE scope = 'ADDRESS' AND key = $1`,
        [address],
      );
      await sql.query(`DELETE FROM login_throttle WHERE scope = 'USERNAME' AND key = $1`, [
        usernameKey(normalisedUsername),
      ]);
    });
  }

  /** Lifts a username's lock (an officer issued new credentials for it). */
  async clearUsername(normalisedUsername: string): Promise<void> {
    await this.db.run(ANONYMOUS, (sql) =>
      sql.query(`DELETE FROM login_throttle WHERE scope = 'USERNAME' AND key = $1`, [usernameKey(normalisedUsername)]),
    );
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
