/**
 * Login challenges for signature logins. A challenge is a short UTF-8 text naming this service
 * (its public origin), a 256-bit nonce and the expiry, so the signer's software shows what they
 * log in to and a challenge relayed from another site names this one. It lives in PostgreSQL and
 * is consumed atomically once, so any server instance can verify it and none accepts it twice.
 */
import crypto from 'node:crypto';
import { ANONYMOUS, type RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import {
  ChallengeAlreadyUsedError,
  ChallengeExpiredError,
  ChallengeNotFoundError,
  RateLimitedError,
  secondsUntil,
} from '../shared/errors';
import { windowStart } from '../shared/rate-limit';

export interface LoginChallenge {
  readonly id: string;
  readonly nonce: string;
  readonly toBeSigned: string;
  readonly expiresAt: Date;
}

export const SERVICE_TITLE = 'Gömrük ticarət statistikası e-xidməti / Customs trade statistics e-service';

export function challengeText(origin: string, nonce: string, expiresAt: Date): string {
  return `${SERVICE_TITLE}\nLogin to: ${origin}\nNonce: ${nonce}\nExpires: ${expiresAt.toISOString()}\n`;
}

/** Challenges expired longer than this are purged; until then they answer CHALLENGE_EXPIRED. */
export const CHALLENGE_KEEP_MS = 3600_000;

/** By default one creation in this many also purges what can no longer answer anything (see create). */
export const SWEEP_EVERY = 100;

const REFUSAL = 'too many login challenges from this address: try again in a minute';

export class ChallengeService {
  /** Creations by this instance so far; the sweep rides along with one in `sweepEvery`, the first included. */
  private created = 0;

  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly settings: {
      origin: string;
      ttlSeconds: number;
      perAddressPerMinute: number;
      /** One creation in this many also purges (default SWEEP_EVERY; 1: every creation). */
      sweepEvery?: number;
    },
  ) {}

  /**
   * A new challenge, in ONE statement (one round trip): the per-address counter of the current
   * one-minute window counts the hit and the challenge row is inserted only if the window still had
   * room (as src/shared/rate-limit.ts counts it: windows never move back; a refused hit is not
   * counted). One creation in `sweepEvery` also purges, in the same statement, the challenges
   * expired more than an hour ago (kept that long to answer CHALLENGE_EXPIRED) and the counters
   * of windows that ended. A refusal (RATE_LIMITED) reads the window's end in a second round trip.
   */
  async create(clientIp: string): Promise<LoginChallenge> {
    const now = this.clock.now();
    const nonce = crypto.randomBytes(32).toString('base64');
    const expiresAt = new Date(now.getTime() + this.settings.ttlSeconds * 1000);
    const challenge = {
      id: crypto.randomUUID(),
      nonce,
      toBeSigned: challengeText(this.settings.origin, nonce, expiresAt),
      expiresAt,
    };
    const key = clientIp.slice(0, 100);
    const start = windowStart(now, 1);
    const sweep = this.created++ % Math.max(1, this.settings.sweepEvery ?? SWEEP_EVERY) === 0;
    // Data-modifying CTEs all run, referenced or not, on the table as it was before the statement:
    // the DELETEs leave alone the rows the INSERTs write (the new challenge; this address's counter,
    // excluded, as one statement must not both update and delete a row).
    const rows = await this.db.send<{ created: number }>(
      ANONYMOUS,
      `WITH hit AS (
         INSERT INTO challenge_rate_limits AS c (client_key, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (client_key) DO UPDATE SET
           hits = CASE WHEN EXCLUDED.window_start > c.window_start THEN 1 ELSE c.hits + 1 END,
           window_start = GREATEST(c.window_start, EXCLUDED.window_start)
         WHERE EXCLUDED.window_start > c.window_start OR c.hits < $3
         RETURNING hits
       ), added AS (
         INSERT INTO login_challenges (id, nonce, to_be_signed, client_ip, created_at, expires_at)
         SELECT $4::uuid, $5::text, $6::text, $7::text, $8::timestamptz, $9::timestamptz FROM hit WHERE hit.hits <= $3
         RETURNING id
       )${
         sweep
           ? `, purged AS (DELETE FROM login_challenges WHERE expires_at < $10),
       ended AS (DELETE FROM challenge_rate_limits WHERE window_start < $2 AND client_key <> $1)`
           : ''
       }
       SELECT count(*)::int AS created FROM added`,
      [
        key,
        start,
        this.settings.perAddressPerMinute,
        challenge.id,
        nonce,
        challenge.toBeSigned,
        clientIp,
        now,
        expiresAt,
        ...(sweep ? [new Date(now.getTime() - CHALLENGE_KEEP_MS)] : []),
      ],
    );
    if (rows[0]?.created === 1) return challenge;
    // Refused: the window is full until its end (the counter row holds it; a later window, if another
    // instance's clock is ahead).
    const [w] = await this.db.send<{ window_start: Date }>(
      ANONYMOUS,
      `SELECT window_start FROM challenge_rate_limits WHERE client_key = $1`,
      [key],
    );
    const from = w ? new Date(Math.max(new Date(w.window_start).getTime(), start.getTime())) : start;
    throw new RateLimitedError(REFUSAL, secondsUntil(new Date(from.getTime() + 60_000), now));
  }

  /**
   * Marks the challenge used and returns it; a challenge is spent even if the signature then
   * fails, so one challenge gives one try. Errors: CHALLENGE_NOT_FOUND / _ALREADY_USED / _EXPIRED.
   * One round trip; a refusal reads why in a second one.
   */
  async consume(id: string): Promise<LoginChallenge> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new ChallengeNotFoundError();
    }
    const now = this.clock.now();
    const [row] = await this.db.send<{ nonce: string; to_be_signed: string; expires_at: Date }>(
      ANONYMOUS,
      `UPDATE login_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING nonce, to_be_signed, expires_at`,
      [id, now],
    );
    if (row) return { id, nonce: row.nonce, toBeSigned: row.to_be_signed, expiresAt: new Date(row.expires_at) };
    const [old] = await this.db.send<{ used_at: Date | null }>(
      ANONYMOUS,
      `SELECT used_at FROM login_challenges WHERE id = $1`,
      [id],
    );
    if (!old) throw new ChallengeNotFoundError();
    if (old.used_at) throw new ChallengeAlreadyUsedError();
    throw new ChallengeExpiredError();
  }
}
