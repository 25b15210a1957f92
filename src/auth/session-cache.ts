/**
 * The session cache of one instance: token hash → Viewer for a few seconds, so an authenticated
 * request whose session was looked up moments ago makes no round trip for it.
 *
 * Never stale beyond a notification's delivery:
 *  - Only sessions auth_session accepted are kept (a bad token always asks the database), each at
 *    most SESSION_CACHE_SECONDS, never past the session's absolute expiry nor past the least its
 *    idle expiry can be (auth_session slides it at most once a minute: see SessionService.resolve).
 *  - Every change that makes auth_session refuse a session sends pg_notify('session_revoked', …) in
 *    its own transaction (migration 1764000001640); RevocationListener, on a dedicated connection,
 *    drops the entries it names (the session, every session of a participant or of a user account,
 *    or all of them for a payload it does not understand).
 *  - The cache is used only while that listener is connected, LISTENing and has shown itself alive
 *    within the last heartbeats: while it is starting, lost, reconnecting or silent, every look-up
 *    goes to the database and the cache is emptied (a notification may have been missed).
 *  - A look-up that was on its way while any notification arrived (or the listener came or went)
 *    is not cached: its answer may predate the change the notification announced.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from '../db/pool';
import type { Viewer } from './viewer';

/** The channel the triggers of migration 1764000001640 notify. */
export const REVOCATION_CHANNEL = 'session_revoked';

/** What one notification says to forget. */
export type Revocation =
  { readonly kind: 'session' | 'participant' | 'account'; readonly id: string } | { readonly kind: 'all' };

const PAYLOAD_RE = /^(session|participant|account):([0-9]{1,19})$/;

/** The payload of a notification (`session:12`, `participant:3`, `account:7`, `all`); anything else: all. */
export function parseRevocation(payload: string | undefined): Revocation {
  const m = PAYLOAD_RE.exec(payload ?? '');
  if (!m) return { kind: 'all' };
  return { kind: m[1] as 'session' | 'participant' | 'account', id: m[2] };
}

/** How a look-up was answered: from the cache, by the database (then cached or not), or the cache off. */
export type LookupResult = 'hit' | 'miss' | 'bypass';

interface Entry {
  readonly viewer: Viewer;
  /** Clock time (ms) it was cached at: a clock moved back before it makes it a miss. */
  readonly from: number;
  /** Clock time (ms) it stops being used. */
  readonly until: number;
}

export interface SessionCacheOptions {
  /** Entry lifetime in seconds (SESSION_CACHE_SECONDS); 0: the cache is off. */
  readonly seconds: number;
  /** Entries kept at most; the least recently used goes first. */
  readonly maxEntries?: number;
  /** Called for every look-up (metrics). */
  readonly onLookup?: (result: LookupResult) => void;
}

/** A miss's ticket: its answer is cached only if no notification or listener change came meanwhile. */
export type CacheTicket = number;

export class SessionCache {
  readonly seconds: number;
  readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every notification and every change of the listener's state. */
  private epoch = 0;
  /** Whether the listener is LISTENing (RevocationListener sets it). */
  private listenerUp = false;
  /** Monotonic time (ms) until which the listener is known to be alive (its last heartbeat answered). */
  private aliveUntil = 0;
  private readonly onLookup: (result: LookupResult) => void;

  constructor(opts: SessionCacheOptions) {
    this.seconds = opts.seconds;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.onLookup = opts.onLookup ?? (() => undefined);
  }

  /** Whether look-ups may be answered from the cache now. */
  get usable(): boolean {
    if (this.seconds <= 0 || !this.listenerUp) return false;
    if (performance.now() > this.aliveUntil) {
      // The listener has not shown itself alive lately: a notification may be stuck on the way.
      this.clear();
      return false;
    }
    return true;
  }

  /** Whether the cache is on and its listener LISTENing and alive (no side effect, for metrics). */
  get listening(): boolean {
    return this.seconds > 0 && this.listenerUp && performance.now() <= this.aliveUntil;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached viewer of `key` (the token hash) at `now`, or undefined, with a ticket for put().
   * Counts the look-up as a hit, a miss or a bypass.
   */
  lookup(key: string, now: Date): { viewer?: Viewer; ticket: CacheTicket | null } {
    if (!this.usable) {
      this.onLookup('bypass');
      return { ticket: null };
    }
    const e = this.entries.get(key);
    const t = now.getTime();
    if (e && e.from <= t && t < e.until) {
      // Least recently used goes first: a hit moves the entry to the end.
      this.entries.delete(key);
      this.entries.set(key, e);
      this.onLookup('hit');
      return { viewer: e.viewer, ticket: null };
    }
    if (e) this.entries.delete(key);
    this.onLookup('miss');
    return { ticket: this.epoch };
  }

  /**
   * Keeps the viewer auth_session accepted at `now` until `until` (capped at SESSION_CACHE_SECONDS),
   * unless a notification came (or the listener changed) since the look-up's ticket was taken.
   */
  put(key: string, viewer: Viewer, now: Date, until: Date, ticket: CacheTicket | null): void {
    if (ticket === null || ticket !== this.epoch || !this.usable) return;
    const from = now.getTime();
    const end = Math.min(from + this.seconds * 1000, until.getTime());
    if (end <= from) return;
    this.entries.delete(key);
    this.entries.set(key, { viewer, from, until: end });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets what `r` names; answers of look-ups still on their way are not cached. */
  revoke(r: Revocation): void {
    this.epoch += 1;
    if (r.kind === 'all') {
      this.entries.clear();
      return;
    }
    for (const [key, e] of this.entries) {
      const v = e.viewer;
      const match =
        r.kind === 'session'
          ? v.sessionId === r.id
          : r.kind === 'participant'
            ? v.participantId === r.id
            : v.userAccountId === r.id;
      if (match) this.entries.delete(key);
    }
  }

  /** Forgets everything (and what is on its way). */
  clear(): void {
    this.revoke({ kind: 'all' });
  }

  /** The listener's state: LISTENing (and alive for `aliveMs`) or not; either way the cache starts empty. */
  setListening(listening: boolean, aliveMs = 0): void {
    this.listenerUp = listening;
    this.aliveUntil = listening ? performance.now() + aliveMs : 0;
    this.clear();
  }

  /** The listener answered a heartbeat: alive for `aliveMs` more. */
  alive(aliveMs: number): void {
    if (this.listenerUp) this.aliveUntil = performance.now() + aliveMs;
  }
}

/** What the listener logs: its connection found, lost or failing. */
export interface ListenerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ListenerOptions {
  /** First reconnect delay; doubled on each failed try up to maxBackoffMs. */
  readonly firstBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /**
   * A heartbeat (`SELECT 1`) every this many ms; an unanswered one within the same time counts the
   * connection as lost. The cache is used only within two heartbeats of the last answer.
   */
  readonly heartbeatMs?: number;
}

/** The connection settings of the main pool of `ds`, for the listener's own connection. */
export function listenerConnection(ds: DataSource): () => pg.ClientConfig {
  return () => ({
    ...(poolOf(ds).options as pg.ClientConfig),
    application_name: 'customs-stats-listener',
    keepAlive: true,
  });
}

/**
 * LISTEN session_revoked on a dedicated pg.Client (not from the pools), feeding SessionCache.
 * start() with the HTTP server, stop() when it closes. Reconnects with a doubling backoff; the cache
 * is off while it is not listening.
 */
export class RevocationListener {
  private client: pg.Client | undefined;
  private running = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private log: ListenerLog = { info: () => undefined, warn: () => undefined };
  private firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly heartbeatMs: number;
  /** Connections established (LISTEN acknowledged) since start: for logs and tests. */
  connects = 0;

  constructor(
    private readonly cache: SessionCache,
    private readonly connection: () => pg.ClientConfig,
    opts: ListenerOptions = {},
  ) {
    this.firstBackoffMs = opts.firstBackoffMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.heartbeatMs = opts.heartbeatMs ?? 5_000;
  }

  /** Whether it is LISTENing now. */
  get listening(): boolean {
    return this.client !== undefined && this.cache.listening;
  }

  /** The backend pid of its connection (tests end it with pg_terminate_backend). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  /** Starts listening (no-op when the cache is off or it already runs). */
  start(log?: ListenerLog): void {
    if (log) this.log = log;
    if (this.running || this.cache.seconds <= 0) return;
    this.running = true;
    void this.connect();
  }

  /** Stops listening and closes its connection; the cache is off and empty afterwards. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.cache.setListening(false);
    const c = this.client;
    this.client = undefined;
    if (c) await endClient(c);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connection());
    this.client = client;
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (n) => {
      if (n.channel === REVOCATION_CHANNEL) this.cache.revoke(parseRevocation(n.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
    } catch (e) {
      this.lost(client, e as Error);
      return;
    }
    if (this.client !== client) return;
    this.failures = 0;
    this.connects += 1;
    this.cache.setListening(true, 2 * this.heartbeatMs);
    this.log.info({ pid: this.backendPid }, 'session cache: listening for revocations');
    this.heartbeat = setInterval(() => void this.beat(client), this.heartbeatMs);
    this.heartbeat.unref();
  }

  private async beat(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat unanswered')), this.heartbeatMs);
      timer.unref();
    });
    try {
      await Promise.race([client.query('SELECT 1'), late]);
      // Notifications committed before the heartbeat arrive before its answer: the cache may go on.
      if (this.client === client) this.cache.alive(2 * this.heartbeatMs);
    } catch (e) {
      this.lost(client, e as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The connection failed or ended: cache off and empty, then a new connection after a backoff. */
  private lost(client: pg.Client, err: Error | undefined): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.cache.setListening(false);
    void endClient(client);
    if (!this.running) return;
    const delay = Math.min(this.maxBackoffMs, this.firstBackoffMs * 2 ** this.failures);
    this.failures += 1;
    this.log.warn(
      { err: err?.message, retryInMs: delay },
      'session cache: revocation listener lost; sessions are looked up in the database until it is back',
    );
    this.retry = setTimeout(() => {
      if (this.running) void this.connect();
    }, delay);
    this.retry.unref();
  }
}

/** Ends a client without waiting long for a connection that no longer answers. */
async function endClient(client: pg.Client): Promise<void> {
  client.removeAllListeners('notification');
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1_000);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
