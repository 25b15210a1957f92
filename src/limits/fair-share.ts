/**
 * A fair share of the database for every client key (a participant; an officer's account; an
 * anonymous client address), held across every instance of the service on one database:
 *  - a rate budget in cost points per fixed window (GitHub GraphQL style): an operation costs its
 *    estimate (src/graphql/plugins/complexity.plugin.ts) and is refused with RATE_LIMITED when the
 *    window's remaining points do not cover it;
 *  - at most `concurrentOperations` operations of one key running at once. One beyond waits up to
 *    `waitMs` (for a release in this instance without asking the database; for another instance's
 *    with a few backed-off retries), then RATE_LIMITED.
 * State in PostgreSQL (migrations 1764000001300 and 1764000001700): one row per key, its budget and
 * the count of its operations running now (`active`, with the newest lease's end), on the reserved
 * pool as the connection user: the request role has no access to it, and no trader's queries can
 * hold the connections it needs. A counter rather than a row per running operation: the insert and
 * delete per request of such rows left dead rows that made every admission slower until autovacuum
 * came (0.8 → 4.1 ms per admission as 8,000 → 40,000 dead rows piled up); the counter is an update
 * of a row the admission locks and updates anyway.
 *
 * Round trips (AdmitBatcher): the admissions of every request go to the database in batches, one
 * round trip each, one batch in flight at a time. Admits that arrive while a batch is in flight (or
 * in the same turn of the event loop) form the next one: one call of rate_admit_batch(releases,
 * keys, costs, …), which takes each key's row once, in key order (so two instances' batches cannot
 * deadlock), applies that key's releases, then its admissions in arrival order, each seeing the one
 * before: charged exactly as if sent one by one. Rows come back numbered by arrival.
 *
 * A release does not wait for the database: the in-process slot is given back at once, its key
 * queued; the queue goes with the next batch, or alone after RELEASE_FLUSH_MS when no admit comes.
 * A failed batch rejects each of its admits with the database's error and puts its releases back
 * (sent again with the next batch, or after RELEASE_RETRY_MS); close() sends what is queued (the
 * HTTP server calls it on shutdown). A release lost all the same (the process killed, the database
 * gone) is not lost for good: a key's count is reset once its newest lease has run out (four
 * statement timeouts, at least a minute, with no new operation of that key).
 */
import type { Pool } from 'pg';
import type { AppConfig } from '../config';
import type { Clock } from '../shared/clock';
import { RateLimitedError, secondsUntil } from '../shared/errors';

/** How long released slots wait for an admit to take them along before they are sent alone. */
export const RELEASE_FLUSH_MS = 5;
/** After a failed batch, its releases are sent again this long after (or with the next admit, sooner). */
export const RELEASE_RETRY_MS = 1_000;
/** At most this many admits in one batch (the rest form the next). */
export const MAX_BATCH = 500;

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
  /** Frees the slot in this instance at once and queues its release in the database; resolves at once. */
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

/** One admit's row of a batch: rate_admit_batch()'s outcome, and the `now` it was judged at. */
interface AdmitRow {
  outcome: 'OK' | 'BUDGET' | 'BUSY';
  spent: string;
  window_end: Date;
  /** Whether the operation holds one of its key's slots (released by key when it ends). */
  slot: boolean;
  now: Date;
}

interface PendingAdmit {
  key: string;
  cost: number;
  resolve: (row: AdmitRow) => void;
  reject: (e: unknown) => void;
}

export interface AdmitParams {
  windowSeconds: number;
  budgetPoints: number;
  cap: number;
  leaseSeconds: number;
}

/**
 * Group admission and deferred release (see the header): every admit and release of this instance
 * goes through here, at most one batch in flight.
 */
export class AdmitBatcher {
  private queue: PendingAdmit[] = [];
  private releases: string[] = [];
  private inFlight: Promise<Error | undefined> | undefined;
  private scheduled = false;
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: () => Pool,
    private readonly clock: Clock,
    private readonly params: AdmitParams,
  ) {}

  /** The admission of `key` costing `cost` in the next batch. */
  admit(key: string, cost: number): Promise<AdmitRow> {
    return new Promise<AdmitRow>((resolve, reject) => {
      this.queue.push({ key, cost, resolve, reject });
      this.schedule();
    });
  }

  /** Queues the release of one slot of `key`; it goes with the next batch. */
  release(key: string): void {
    this.releases.push(key);
    if (!this.inFlight && !this.scheduled && !this.releaseTimer) this.armRelease(RELEASE_FLUSH_MS);
  }

  /** Releases not yet sent to the database (tests, shutdown). */
  get pendingReleases(): number {
    return this.releases.length;
  }

  /**
   * Sends everything queued and waits for it (shutdown). Throws the database's error when the
   * releases could not be sent; they stay queued (a key's count resets once its newest lease runs out).
   */
  async flush(): Promise<void> {
    for (;;) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      if (this.queue.length === 0 && this.releases.length === 0) return;
      const failed = await this.run();
      if (failed !== undefined && this.queue.length === 0) throw failed;
    }
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    // The admits of this turn of the event loop go together.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.inFlight) void this.run();
    });
  }

  private armRelease(ms: number): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      if (!this.inFlight && !this.scheduled) void this.run();
    }, ms);
    // Nothing keeps the process alive for a release: close() flushes, and leases expire.
    this.releaseTimer.unref();
  }

  /** Sends one batch; on settling, starts the next when admits (or releases) are waiting. Resolves to its error. */
  private run(): Promise<Error | undefined> {
    if (this.releaseTimer) {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = undefined;
    }
    const batch = this.queue.splice(0, MAX_BATCH);
    const releases = this.releases.splice(0);
    if (batch.length === 0 && releases.length === 0) return Promise.resolve(undefined);
    const done = this.send(batch, releases).then(
      () => {
        this.inFlight = undefined;
        if (this.queue.length > 0) void this.run();
        else if (this.releases.length > 0) this.armRelease(RELEASE_FLUSH_MS);
        return undefined;
      },
      (e: unknown) => {
        for (const p of batch) p.reject(e);
        // Not lost: they go again with the next batch, or on their own a while later.
        this.releases.unshift(...releases);
        this.inFlight = undefined;
        if (this.queue.length > 0) void this.run();
        else if (this.releases.length > 0) this.armRelease(RELEASE_RETRY_MS);
        return e instanceof Error ? e : new Error(String(e));
      },
    );
    this.inFlight = done;
    return done;
  }

  private async send(batch: PendingAdmit[], releases: string[]): Promise<void> {
    const now = this.clock.now();
    const { windowSeconds, budgetPoints, cap, leaseSeconds } = this.params;
    // rate_admit_batch takes the keys' rows in key order itself; rows come back numbered by arrival.
    const { rows } = await this.pool().query<Omit<AdmitRow, 'now'> & { n: number }>(
      `SELECT n, outcome, spent::text AS spent, window_end, slot
         FROM rate_admit_batch($1::text[], $2::text[], $3::bigint[], $4::timestamptz, $5, $6, $7, $8)`,
      [
        releases,
        batch.map((a) => a.key),
        batch.map((a) => a.cost),
        now,
        windowSeconds,
        budgetPoints,
        cap,
        leaseSeconds,
      ],
    );
    if (rows.length !== batch.length)
      throw new Error(`rate_admit_batch answered ${rows.length} rows for ${batch.length}`);
    for (const r of rows)
      batch[r.n - 1].resolve({ outcome: r.outcome, spent: r.spent, window_end: r.window_end, slot: r.slot, now });
  }
}

export class FairShare {
  private readonly local = new Map<string, LocalKey>();
  private readonly batcher: AdmitBatcher;

  constructor(
    /** The reserved pool, looked up on first use. */
    private readonly pool: () => Pool,
    private readonly clock: Clock,
    private readonly cfg: LimitsConfig,
    /** A statement runs at most this long (0: no limit); a slot's lease outlives several. */
    statementTimeoutMs: number,
  ) {
    this.batcher = new AdmitBatcher(pool, clock, {
      windowSeconds: cfg.windowSeconds,
      budgetPoints: cfg.budgetPoints,
      cap: cfg.concurrentOperations,
      leaseSeconds: Math.max(60, Math.ceil((4 * (statementTimeoutMs || 30_000)) / 1000)),
    });
  }

  /** Charges `cost` points to `key` and takes one of its slots; throws RateRefusal (RATE_LIMITED). */
  async admit(key: string, cost: number): Promise<Admission> {
    // One admit the database would refuse would fail the whole batch, other clients' admits with it.
    if (!Number.isSafeInteger(cost) || cost < 0) throw new TypeError(`not a cost in points: ${cost}`);
    if (key.length === 0 || key.length > 200 || key.includes('\0')) throw new TypeError('not a client key');
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
        const row = await this.batcher.admit(key, cost);
        const spent = Number(row.spent);
        const report: CostReport = {
          requested: cost,
          remaining: Math.max(0, this.cfg.budgetPoints - spent),
          resetAt: new Date(row.window_end),
          limit: this.cfg.budgetPoints,
        };
        if (row.outcome === 'OK') {
          const slot = row.slot;
          let released = false;
          return {
            report,
            release: () => {
              if (!released) {
                released = true;
                releaseLocal();
                if (slot) this.batcher.release(key);
              }
              return Promise.resolve();
            },
          };
        }
        if (row.outcome === 'BUDGET') {
          throw new RateRefusal(
            `the rate budget is spent: this operation costs ${cost} points, ${report.remaining} of ` +
              `${report.limit} remain until ${report.resetAt.toISOString()}`,
            secondsUntil(report.resetAt, row.now),
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

  /** Sends the released slots still queued (shutdown); throws when the database refuses. */
  close(): Promise<void> {
    return this.batcher.flush();
  }

  /** Releases not yet sent to the database. */
  get pendingReleases(): number {
    return this.batcher.pendingReleases;
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
