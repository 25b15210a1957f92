/**
 * Opaque bearer sessions: 256 random bits, only their SHA-256 stored, idle and absolute expiry,
 * revocable one by one or for a whole participant or user account.
 */
import crypto from 'node:crypto';
import type { RequestDb, Sql } from '../db/tenant';
import type { Clock } from '../shared/clock';
import type { Principal } from './auth-provider';
import type { Viewer } from './viewer';

const TOKEN_PREFIX = 'cts_';

export interface IssuedSession {
  readonly token: string;
  readonly expiresAt: Date;
  readonly viewer: Viewer;
}

interface SessionRow {
  id: string;
  participant_id: string | null;
  user_account_id: string | null;
  role: Viewer['role'];
  auth_method: Viewer['authMethod'];
  username: string | null;
  must_change_password: boolean;
  last_seen_at: Date;
  idle_expires_at: Date;
  expires_at: Date;
}

export interface RevokeScope {
  readonly participantId?: string;
  readonly userAccountId?: string;
}

export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}

export class SessionService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly limits: { idleMinutes: number; absoluteHours: number },
  ) {}

  async create(p: Principal): Promise<IssuedSession> {
    const now = this.clock.now();
    const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.limits.absoluteHours * 3600_000);
    const idle = this.idleExpiry(now, expiresAt);
    const [row] = await this.db.run(null, (sql) =>
      sql.query<{ id: string }>(
        `INSERT INTO sessions (token_hash, participant_id, user_account_id, role, auth_method, username,
         must_change_password, authn_detail, created_at, last_seen_at, idle_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING id`,
        [
          hashToken(token),
          p.participantId,
          p.userAccountId,
          p.role,
          p.authMethod,
          p.username,
          p.mustChangePassword,
          JSON.stringify(p.detail),
          now,
          idle,
          expiresAt,
        ],
      ),
    );
    return {
      token,
      expiresAt,
      viewer: {
        sessionId: String(row.id),
        role: p.role,
        authMethod: p.authMethod,
        participantId: p.participantId,
        userAccountId: p.userAccountId,
        username: p.username,
        mustChangePassword: p.mustChangePassword,
        expiresAt,
      },
    };
  }

  /** The viewer of a live session, or null (unknown, expired, idle too long, revoked). */
  async resolve(token: string): Promise<Viewer | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
    const now = this.clock.now();
    return this.db.run(null, async (sql) => {
      // Besides revocation, the look-up itself refuses a session whose participant is blocked or whose
      // password account is disabled or under a contract that is not ACTIVE: a login racing with the
      // block or suspension, or a revocation that never ran, cannot keep a session alive.
      const [row] = await sql.query<SessionRow>(
        `SELECT s.id, s.participant_id, s.user_account_id, s.role, s.auth_method, s.username,
                s.must_change_password, s.last_seen_at, s.idle_expires_at, s.expires_at
           FROM sessions s
          WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.idle_expires_at > $2
            AND NOT EXISTS (SELECT 1 FROM participant_blocks b
                             WHERE b.participant_id = s.participant_id AND b.unblocked_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM user_accounts a LEFT JOIN contracts c ON c.id = a.contract_id
                             WHERE a.id = s.user_account_id
                               AND (a.disabled_at IS NOT NULL OR (a.contract_id IS NOT NULL AND c.status <> 'ACTIVE')))`,
        [hashToken(token), now],
      );
      if (!row) return null;
      // Slide the idle window, at most once a minute per session to keep reads cheap.
      if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
        await sql.query(`UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1`, [
          row.id,
          now,
          this.idleExpiry(now, row.expires_at),
        ]);
      }
      return {
        sessionId: String(row.id),
        role: row.role,
        authMethod: row.auth_method,
        participantId: row.participant_id === null ? null : String(row.participant_id),
        userAccountId: row.user_account_id === null ? null : String(row.user_account_id),
        username: row.username,
        mustChangePassword: row.must_change_password,
        expiresAt: new Date(row.expires_at),
      };
    });
  }

  async revoke(sessionId: string): Promise<boolean> {
    const rows = await this.db.run(null, (sql) =>
      sql.query(`UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [
        sessionId,
        this.clock.now(),
      ]),
    );
    return rows.length > 0;
  }

  /** Revokes every live session of a participant (blocked) or of a user account (suspended contract…). */
  async revokeAll(by: RevokeScope): Promise<number> {
    return this.db.run(null, (sql) => this.revokeAllIn(sql, by));
  }

  /** revokeAll inside the caller's transaction: the revocation commits with the change that calls for it. */
  async revokeAllIn(sql: Sql, by: RevokeScope): Promise<number> {
    const rows = await sql.query(
      `UPDATE sessions SET revoked_at = $3
        WHERE revoked_at IS NULL AND (participant_id = $1 OR user_account_id = $2) RETURNING id`,
      [by.participantId ?? null, by.userAccountId ?? null, this.clock.now()],
    );
    return rows.length;
  }

  private idleExpiry(now: Date, absolute: Date): Date {
    const idle = new Date(now.getTime() + this.limits.idleMinutes * 60_000);
    return idle < absolute ? idle : absolute;
  }
}
