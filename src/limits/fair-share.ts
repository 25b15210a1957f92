/**
 * A fair share of the database for every client key (a participant; an officer's account; an
 * anonymous client address), held across every instance of the service on one database:
 *  - a rate budget in cost points per fixed window (GitHub GraphQL style): an operation costs its
 *    estimate (src/graphql/plugins/complexity.plugin.ts) and is refused with RATE_LIMITED when the
 *    window's remaining points do not cover it;
 *  - at most `concurrentOperations` operations of one key running at once. One beyond waits up to
 *    `waitMs` (for a release in this instance without asking the database; for another instance's
 *    with a few backed-off retries), then RATE_LIMITED.
 * State in PostgreSQL (migration 1764000001300): the budget row and the slot leases, both taken by
 * rate_admit() in one round trip; a second releases the slot. Both on the reserved pool as the
 * connection user: the request role has no access to them, and no trader's queries can hold the
 * connections they need.
 */
import type { Pool } from 'pg';
import type { AppConfig } from '../config';
import type { Clock } from '../shared/clock';
import { RateLimitedError, secondsUntil } from '../shared/errors';

/** What `extensions.cost` and the `rateLimit` query field report. */
export interface CostReport {
  /** Points this operation cost (its estimate). */
  readonly requested: number;
  /** Points left in the window after it. */
  readonly remaining: number;
  /** When the window ends and the budget is whole again. */
  readonly resetAt: Date;
  /** Points per window. */
  readonly limit: number;
}

/** An admitted operation: its report, and the release of its slot (call once it has run). */
export interface Admission {
  readonly report: CostReport;
  release: () => Promise<void>;
}

/** RATE_LIMITED with the budget as it stood (responses show it in extensions.cost). */
export class RateRefusal extends RateLimitedError {
  constructor(
    message: string,
    retryAfterSeconds: number,
    readonly report: CostReport,
  ) {
    super(message, retryAfterSeconds);
  }
}

export type LimitsConfig = AppConfig['limits'];

/** The client key of a request: participant, else user account or session, else client address. */
export function clientKey(
  viewer: { participantId: string | null; userAccountId: string | null; sessionId: string } | null,
  clientIp: string,
): string {
  if (viewer?.participantId) return `p:${viewer.participantId}`;
  if (viewer?.userAccountId) return `u:${viewer.userAccountId}`;
  if (viewer) return `s:${viewer.sessionId}`;
  return `a:${clientIp}`.slice(0, 200);
}

interface LocalKey {
  active: number;
  waiters: (() => void)[];
}

const ADMIT =
  'SELECT outcome, spent::text AS spent, window_end, slot_id::text AS slot_id FROM rate_admit($1, $2, $3, $4, $5, $6, $7)';

export class FairShare {
  private readonly local = new Map<string, LocalKey>();
  private readonly leaseSeconds: number;

  constructor(
    /** The reserved pool, looked up on first use. */
    private readonly pool: () => Pool,
    private readonly clock: Clock,
    private readonly cfg: LimitsConfig,
    /** A statement runs at most this long (0: no limit); a slot's lease outlives several. */
    statementTimeoutMs: number,
  ) {
    this.leaseSeconds = Math.max(60, Math.ceil((4 * (statementTimeoutMs || 30_000)) / 1000));
  }

  /** Charges `cost` points to `key` and takes one of its slots; throws RateRefusal (RATE_LIMITED). */
  async admit(key: string, cost: number): Promise<Admission> {
    const deadline = performance.now() + this.cfg.waitMs;
    const cap = this.cfg.concurrentOperations;
    if (cap > 0) await this.localAcquire(key, cap, deadline);
    let localHeld = cap > 0;
    const releaseLocal = () => {
      if (localHeld) this.localRelease(key);
      localHeld = false;
    };
    try {
      for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
        const now = this.clock.now();
        const { rows } = await this.pool().query<{
          outcome: 'OK' | 'BUDGET' | 'BUSY';
          spent: string;
          window_end: Date;
          slot_id: string | null;
        }>(ADMIT, [key, cost, now, this.cfg.windowSeconds, this.cfg.budgetPoints, cap, this.leaseSeconds]);
        const row = rows[0];
        const spent = Number(row.spent);
        const report: CostReport = {
          requested: cost,
          remaining: Math.max(0, this.cfg.budgetPoints - spent),
          resetAt: new Date(row.window_end),
          limit: this.cfg.budgetPoints,
        };
        if (row.outcome === 'OK') {
          const slot = row.slot_id;
          let released = false;
          return {
            report,
            release: async () => {
              if (released) return;
              released = true;
              releaseLocal();
              if (slot !== null) await this.pool().query('DELETE FROM rate_slots WHERE id = $1', [slot]);
            },
          };
        }
        if (row.outcome === 'BUDGET') {
          throw new RateRefusal(
            `the rate budget is spent: this operation costs ${cost} points, ${report.remaining} of ` +
              `${report.limit} remain until ${report.resetAt.toISOString()}`,
            secondsUntil(report.resetAt, now),
            report,
          );
        }
        // BUSY: the key's other slots are held by operations on other instances.
        if (performance.now() + delay > deadline) throw this.busy(cap, report);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    } catch (e) {
      releaseLocal();
      throw e;
    }
  }

  /** The budget of `key` as it stands, charging nothing (responses of operations refused before admission). */
  async peek(key: string, requested: number): Promise<CostReport> {
    const now = this.clock.now();
    const { rows } = await this.pool().query<{ spent: string; window_end: Date }>(
      `SELECT CASE WHEN b.window_start = w.start THEN b.spent ELSE 0 END::text AS spent,
              w.start + make_interval(secs => $3) AS window_end
         FROM (SELECT to_timestamp(floor(extract(epoch FROM $2::timestamptz) / $3) * $3) AS start) w
         LEFT JOIN rate_budgets b ON b.client_key = $1`,
      [key, now, this.cfg.windowSeconds],
    );
    const spent = Number(rows[0]?.spent ?? 0);
    return {
      requested,
      remaining: Math.max(0, this.cfg.budgetPoints - spent),
      resetAt: new Date(rows[0].window_end),
      limit: this.cfg.budgetPoints,
    };
  }

  private busy(cap: number, report: CostReport): RateRefusal {
    return new RateRefusal(
      `at most ${cap} operations of one participant (or client address) run at once: try again shortly`,
      1,
      report,
    );
  }

  private localAcquire(key: string, cap: number, deadline: number): Promise<void> {
    let k = this.local.get(key);
    if (!k) this.local.set(key, (k = { active: 0, waiters: [] }));
    if (k.active < cap) {
      k.active += 1;
      return Promise.resolve();
    }
    const entry = k;
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        entry.active += 1;
        resolve();
      };
      const timer = setTimeout(
        () => {
          entry.waiters.splice(entry.waiters.indexOf(wake), 1);
          reject(this.busyLocal(cap));
        },
        Math.max(0, deadline - performance.now()),
      );
      entry.waiters.push(wake);
    });
  }

  private busyLocal(cap: number): RateLimitedError {
    return new RateLimitedError(
      `at most ${cap} operations of one participant (or client address) run at once: try again shortly`,
      1,
    );
  }

  private localRelease(key: string): void {
    const k = this.local.get(key);
    if (!k) return;
    k.active -= 1;
    const next = k.waiters.shift();
    if (next) next();
    else if (k.active === 0) this.local.delete(key);
  }
}

/** The report of each request's operation, by its GraphQL context (the rateLimit field reads it). */
const reports = new WeakMap<object, CostReport>();

export function setCostReport(context: object, report: CostReport): void {
  reports.set(context, report);
}

export function costReportOf(context: object): CostReport | undefined {
  return reports.get(context);
}
