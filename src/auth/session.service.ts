/**
 * Opaque bearer sessions: 256 random bits, only their SHA-256 stored, idle and absolute expiry,
 * revocable one by one or for a whole participant or user account.
 */
import crypto from 'node:crypto';
import { ANONYMOUS, scopeOf, type Asker, type DbScope, type RequestDb, type Sql } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { ParticipantBlockedError } from '../shared/errors';
import type { Principal } from './auth-provider';
import type { SessionCache } from './session-cache';
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
    /** The session cache (SESSION_CACHE_SECONDS; none: every look-up asks the database). */
    private readonly cache?: SessionCache,
  ) {}

  /**
   * Opens a session for `p` in ONE round trip (one statement, RequestDb.send). With `unlessBlocked`
   * (every login does it) the INSERT writes nothing while the participant has an open block and the
   * login is refused with PARTICIPANT_BLOCKED: check and write are one statement, in the trader's
   * scope (RLS lets it read its own blocks). A block that commits after it is still enforced: the
   * block revokes the participant's sessions and the session look-up refuses those of a blocked one.
   */
  async create(p: Principal, opts: { unlessBlocked?: boolean } = {}): Promise<IssuedSession> {
    const now = this.clock.now();
    const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.limits.absoluteHours * 3600_000);
    const idle = this.idleExpiry(now, expiresAt);
    const checkBlock = opts.unlessBlocked === true && p.participantId !== null;
    // In the scope of who logged in: the row must be theirs (RLS), and the token hash is write-only.
    const [row] = await this.db.send<{ id: string }>(
      scopeOf(p),
      `INSERT INTO sessions (token_hash, participant_id, user_account_id, role, auth_method, username,
         must_change_password, authn_detail, created_at, last_seen_at, idle_expires_at, expires_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11${
         checkBlock
           ? `
        WHERE NOT EXISTS (SELECT 1 FROM participant_blocks WHERE participant_id = $2 AND unblocked_at IS NULL)`
           : ''
       }
       RETURNING id`,
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
    );
    if (!row) throw new ParticipantBlockedError();
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

  /**
   * The viewer of a live session, or null (unknown, expired, idle too long, revoked).
   *
   * From the session cache (src/auth/session-cache.ts: no round trip) when it holds the token and
   * its listener is LISTENing; else one round trip (RequestDb.send) to auth_session, whose answer
   * is cached when positive.
   */
  async resolve(token: string): Promise<Viewer | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
    const now = this.clock.now();
    const hash = hashToken(token);
    const key = hash.toString('base64');
    const cached = this.cache?.lookup(key, now);
    if (cached?.viewer) return cached.viewer;
    // The request role cannot read token hashes: the look-up is auth_session (SECURITY DEFINER,
    // migration 1764000001200). Besides revocation and expiry it refuses a session whose participant
    // is blocked or whose password account is disabled or under a contract that is not ACTIVE (a
    // login racing with the block or suspension, or a revocation that never ran, cannot keep a
    // session alive), and slides the idle window at most once a minute.
    const [row] = await this.db.send<SessionRow>(
      ANONYMOUS,
      `SELECT id::text AS id, participant_id::text AS participant_id, user_account_id::text AS user_account_id, role,
              auth_method, username, must_change_password, expires_at
         FROM auth_session($1, $2, $3)`,
      [hash, now, this.limits.idleMinutes * 60],
    );
    if (!row) return null;
    const viewer: Viewer = {
      sessionId: String(row.id),
      role: row.role,
      authMethod: row.auth_method,
      participantId: row.participant_id === null ? null : String(row.participant_id),
      userAccountId: row.user_account_id === null ? null : String(row.user_account_id),
      username: row.username,
      mustChangePassword: row.must_change_password,
      expiresAt: new Date(row.expires_at),
    };
    if (this.cache && cached)
      this.cache.put(key, viewer, now, this.cacheableUntil(now, viewer.expiresAt), cached.ticket);
    return viewer;
  }

  /**
   * How long an answer of auth_session at `now` may be reused: not past the absolute expiry, nor past
   * the earliest the idle expiry can be. auth_session slides the idle window only when the session
   * was last seen more than 60 s ago; otherwise idle_expires_at stays what that sighting (at most 60 s
   * ago) set: at least now + idle − 60 s. An idle limit of one minute is never cached.
   */
  private cacheableUntil(now: Date, expiresAt: Date): Date {
    const idle = now.getTime() + (this.limits.idleMinutes * 60 - 60) * 1000;
    return new Date(Math.min(idle, expiresAt.getTime()));
  }

  /** Revokes one session, in the scope of its owner (`who`: the viewer, or the principal of a refused login). */
  async revoke(who: Asker, sessionId: string): Promise<boolean> {
    const rows = await this.db.run(scopeOf(who), (sql) =>
      sql.query(`UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [
        sessionId,
        this.clock.now(),
      ]),
    );
    // This instance forgets it now; the others when the trigger's notification reaches them.
    this.cache?.revoke({ kind: 'session', id: sessionId });
    return rows.length > 0;
  }

  /**
   * Revokes every live session of a participant (blocked) or of a user account (suspended contract…),
   * in `scope`: the scope of the sessions' owner or an officer's.
   */
  async revokeAll(scope: DbScope, by: RevokeScope): Promise<number> {
    return this.db.run(scope, (sql) => this.revokeAllIn(sql, by));
  }

  /** revokeAll inside the caller's transaction: the revocation commits with the change that calls for it. */
  async revokeAllIn(sql: Sql, by: RevokeScope): Promise<number> {
    const rows = await sql.query(
      `UPDATE sessions SET revoked_at = $3
        WHERE revoked_at IS NULL AND (participant_id = $1 OR user_account_id = $2) RETURNING id`,
      [by.participantId ?? null, by.userAccountId ?? null, this.clock.now()],
    );
    if (by.participantId !== undefined) this.cache?.revoke({ kind: 'participant', id: by.participantId });
    if (by.userAccountId !== undefined) this.cache?.revoke({ kind: 'account', id: by.userAccountId });
    return rows.length;
  }

  private idleExpiry(now: Date, absolute: Date): Date {
    const idle = new Date(now.getTime() + this.limits.idleMinutes * 60_000);
    return idle < absolute ? idle : absolute;
  }
}
