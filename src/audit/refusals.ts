/**
 * Refusals recorded, and bounded (issue 10): every request refused before anything executed gets an
 * audit record with outcome REJECTED, its reason code and the client address — up to
 * AUDIT_REFUSALS_PER_MINUTE per client address per minute. Beyond that a refusal gets no record of
 * its own; it is counted, and when the minute is over one summary record per address stands for
 * them (outcome REJECTED, the distinct reason codes, `refused_count`), so a flood cannot fill the
 * disk with records.
 *
 * A refusal carries no result, so it is not withheld when its record cannot be written (the
 * database is away: DATABASE_UNAVAILABLE): the record is kept in memory (at most MAX_PENDING) and
 * written on the next flush. Counters are per process; each instance of the service keeps its own.
 */
import crypto from 'node:crypto';
import type { Clock } from '../shared/clock';
import { AuditUnavailableError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { AppendResult } from './audit.service';
import type { AuditEntryInput } from './record';

/** Records kept for a retry while the database is away; beyond, refusals are only counted. */
export const MAX_PENDING = 1000;

/** How often counted refusals of ended minutes and pending records are written. */
export const FLUSH_INTERVAL_MS = 15_000;

/** The responseHash of a summary record: SHA-256 of the empty string (no one response was sent). */
const EMPTY_HASH = crypto.createHash('sha256').digest();

interface Window {
  minute: number;
  /** Refusals of this address in this minute. */
  seen: number;
  /** Of them, not recorded one by one. */
  unrecorded: number;
  codes: Set<string>;
}

export interface RefusalSink {
  append(entry: AuditEntryInput): Promise<AppendResult>;
}

/** What differs between refusal records: when, which request, who and from where, and what was sent. */
export type RejectedFacts = Pick<
  AuditEntryInput,
  'occurredAt' | 'requestId' | 'clientIp' | 'errorCodes' | 'responseHash'
> &
  Partial<AuditEntryInput>;

/** The audit record of a request refused before anything executed (outcome REJECTED, nothing returned). */
export function rejectedEntry(facts: RejectedFacts): AuditEntryInput {
  return {
    sessionId: null,
    userAccountId: null,
    participantId: null,
    role: null,
    username: null,
    authMethod: null,
    login: false,
    userAgent: null,
    operationType: null,
    operationName: null,
    rootFields: [],
    documentHash: null,
    variables: '{}',
    outcome: 'REJECTED',
    rowsReturned: 0,
    httpStatus: null,
    durationUs: 0,
    complaintId: null,
    ...facts,
  };
}

export class RefusalRecorder {
  private readonly windows = new Map<string, Window>();
  private pending: AuditEntryInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly audit: RefusalSink,
    private readonly clock: Clock,
    private readonly opts: { perMinute: number; logger: Logger },
  ) {}

  /**
   * Counts a refusal of `clientIp` at `at`; true when it is within the limit and gets its own record,
   * false when only the minute's summary will stand for it.
   */
  admit(clientIp: string | null, code: string, at: Date): boolean {
    const key = clientIp ?? '';
    const minute = Math.floor(at.getTime() / 60_000);
    let w = this.windows.get(key);
    if (w && w.minute !== minute) {
      this.windows.delete(key);
      this.summarise(key, w);
      this.kick();
      w = undefined;
    }
    if (!w) {
      w = { minute, seen: 0, unrecorded: 0, codes: new Set() };
      this.windows.set(key, w);
    }
    w.seen += 1;
    if (w.seen <= this.opts.perMinute) return true;
    w.unrecorded += 1;
    w.codes.add(code);
    return false;
  }

  /**
   * Writes the record of an admitted refusal. Resolves once it is written or kept for a retry
   * (never rejects): `wait` false does not wait for the database at all (it is known to be away).
   */
  async record(entry: AuditEntryInput, wait = true): Promise<void> {
    if (!wait) {
      this.keep(entry);
      this.kick();
      return;
    }
    try {
      await this.audit.append(entry);
    } catch (e) {
      // A timed-out write may still be committed by the writer: keeping it would write it twice.
      if (e instanceof AuditUnavailableError && e.timedOut) {
        this.opts.logger.error({ err: e, requestId: entry.requestId }, 'refusal record timed out');
        return;
      }
      this.keep(entry);
    }
  }

  /** Starts the periodic flush (unref'd: it never keeps the process alive). */
  start(): void {
    this.timer ??= setInterval(() => this.kick(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timer and writes everything counted so far (summaries of the current minute too). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush({ all: true });
  }

  /**
   * Writes the summaries of minutes that are over (all: of every minute) and retries pending records.
   * Safe to call at any time; concurrent calls share one run.
   */
  flush(opts: { all?: boolean } = {}): Promise<void> {
    this.flushing ??= this.doFlush(opts.all === true).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Records waiting for the database. */
  get pendingCount(): number {
    return this.pending.length;
  }

  private kick(): void {
    this.flush().catch((e: unknown) => this.opts.logger.error({ err: e }, 'refusal flush failed'));
  }

  private async doFlush(all: boolean): Promise<void> {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    for (const [key, w] of this.windows) {
      if (all || w.minute < minute) {
        this.windows.delete(key);
        this.summarise(key, w);
      }
    }
    const batch = this.pending;
    this.pending = [];
    const failed: AuditEntryInput[] = [];
    await Promise.all(
      batch.map((e) =>
        this.audit.append(e).catch((err: unknown) => {
          if (!(err instanceof AuditUnavailableError && err.timedOut)) failed.push(e);
        }),
      ),
    );
    for (const e of failed) this.keep(e);
  }

  private summarise(key: string, w: Window): void {
    if (w.unrecorded === 0) return;
    const start = new Date(w.minute * 60_000);
    this.keep(
      rejectedEntry({
        occurredAt: start,
        requestId: `refusals ${start.toISOString()} ${key}`.slice(0, 100),
        clientIp: key === '' ? null : key,
        errorCodes: [...w.codes].sort(),
        responseHash: EMPTY_HASH,
        refusedCount: w.unrecorded,
      }),
    );
  }

  private keep(entry: AuditEntryInput): void {
    if (this.pending.length >= MAX_PENDING) {
      this.opts.logger.error({ requestId: entry.requestId }, 'refusal record dropped: too many waiting');
      return;
    }
    this.pending.push(entry);
  }
}
