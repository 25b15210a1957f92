/**
 * Login challenges for signature logins. A challenge is a short UTF-8 text naming this service
 * (its public origin), a 256-bit nonce and the expiry, so the signer's software shows what they
 * log in to and a challenge relayed from another site names this one. It lives in PostgreSQL and
 * is consumed atomically once, so any server instance can verify it and none accepts it twice.
 */
import crypto from 'node:crypto';
import { ANONYMOUS, type RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { ChallengeAlreadyUsedError, ChallengeExpiredError, ChallengeNotFoundError } from '../shared/errors';
import { countWithinLimit } from '../shared/rate-limit';

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

export class ChallengeService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly settings: { origin: string; ttlSeconds: number; perAddressPerMinute: number },
  ) {}

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
    await this.db.run(ANONYMOUS, async (sql) => {
      const limit = { max: this.settings.perAddressPerMinute, windowMinutes: 1 };
      const refusal = 'too many login challenges from this address: try again in a minute';
      await countWithinLimit(sql, 'challenge_rate_limits', clientIp.slice(0, 100), now, limit, refusal);
      // Expired challenges are purged an hour after expiry (kept that long to answer CHALLENGE_EXPIRED).
      await sql.query(`DELETE FROM login_challenges WHERE expires_at < $1`, [new Date(now.getTime() - 3600_000)]);
      await sql.query(
        `INSERT INTO login_challenges (id, nonce, to_be_signed, client_ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [challenge.id, nonce, challenge.toBeSigned, clientIp, now, expiresAt],
      );
    });
    return challenge;
  }

  /**
   * Marks the challenge used and returns it; a challenge is spent even if the signature then
   * fails, so one challenge gives one try. Errors: CHALLENGE_NOT_FOUND / _ALREADY_USED / _EXPIRED.
   */
  async consume(id: string): Promise<LoginChallenge> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new ChallengeNotFoundError();
    }
    const now = this.clock.now();
    return this.db.run(ANONYMOUS, async (sql) => {
      const [row] = await sql.query<{ nonce: string; to_be_signed: string; expires_at: Date }>(
        `UPDATE login_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING nonce, to_be_signed, expires_at`,
        [id, now],
      );
      if (row) return { id, nonce: row.nonce, toBeSigned: row.to_be_signed, expiresAt: new Date(row.expires_at) };
      const [old] = await sql.query<{ used_at: Date | null }>(`SELECT used_at FROM login_challenges WHERE id = $1`, [
        id,
      ]);
      if (!old) throw new ChallengeNotFoundError();
      if (old.used_at) throw new ChallengeAlreadyUsedError();
      throw new ChallengeExpiredError();
    });
  }
}
