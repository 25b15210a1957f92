/**
 * Officers block a participant: while the block is open every login of the participant is refused
 * (password, CMS signature, Web eID, portal assertion: PARTICIPANT_BLOCKED, checked by the session's
 * INSERT at login, SessionService.create) and its sessions are revoked with the block and refused by
 * the session look-up. A contract's suspension, by contrast, concerns only the password account of that contract.
 * Blocks are kept after they are lifted, each naming the officers who blocked and unblocked.
 */
import type { SessionService } from '../auth/session.service';
import type { Viewer } from '../auth/viewer';
import { scopeOf, type Asker, type RequestDb, type Sql } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../shared/errors';
import { isUniqueViolation } from '../auth/account.service';

export const MAX_BLOCK_REASON_LENGTH = 2000;

export interface ParticipantBlockRecord {
  id: string;
  participantId: string;
  reason: string;
  blockedAt: Date;
  /** Username of the officer who blocked. */
  blockedBy: string;
  unblockedAt: Date | null;
  unblockedBy: string | null;
}

const SELECT = `
  SELECT b.id::text AS id, b.participant_id::text AS "participantId", b.reason, b.blocked_at AS "blockedAt",
         ba.username AS "blockedBy", b.unblocked_at AS "unblockedAt", ua.username AS "unblockedBy"
    FROM participant_blocks b
    JOIN user_accounts ba ON ba.id = b.blocked_by
    LEFT JOIN user_accounts ua ON ua.id = b.unblocked_by`;

function parseParticipantId(id: string): string {
  if (!/^[0-9]{1,18}$/.test(id)) throw new BadUserInputError('a participant id is a decimal number', 'id');
  return id;
}

/** The officer's account: a block names it, so a session without one (tests, tools) may not block. */
function officerAccount(officer: Viewer): string {
  if (officer.role !== 'OFFICER' || officer.userAccountId === null) {
    throw new ForbiddenError('blocking needs the session of an officer account');
  }
  return officer.userAccountId;
}

export class ParticipantBlockService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
  ) {}

  /** Opens a block and revokes every live session of the participant in the same transaction. */
  async block(
    id: string,
    rawReason: string,
    officer: Viewer,
  ): Promise<{ block: ParticipantBlockRecord; revokedSessions: number }> {
    const pid = parseParticipantId(id);
    const by = officerAccount(officer);
    const reason = rawReason.normalize('NFKC').trim();
    if (!reason) throw new BadUserInputError('reason: give the reason for the block', 'reason');
    if (reason.length > MAX_BLOCK_REASON_LENGTH)
      throw new BadUserInputError(`reason: at most ${MAX_BLOCK_REASON_LENGTH} characters`, 'reason');
    const now = this.clock.now();
    try {
      return await this.db.run(scopeOf(officer), async (tx) => {
        await this.checkParticipant(tx, pid);
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO participant_blocks (participant_id, reason, blocked_at, blocked_by)
           VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
          [pid, reason, now, by],
        );
        const revokedSessions = await this.sessions.revokeAllIn(tx, { participantId: pid });
        return { block: await this.load(tx, row.id), revokedSessions };
      });
    } catch (e) {
      if (isUniqueViolation(e, 'participant_blocks_open_key'))
        throw new BadUserInputError(`participant ${pid} is already blocked`, 'id');
      throw e;
    }
  }

  /** Closes the open block: logins work again (sessions revoked by the block stay revoked). */
  async unblock(id: string, officer: Viewer): Promise<ParticipantBlockRecord> {
    const pid = parseParticipantId(id);
    const by = officerAccount(officer);
    const now = this.clock.now();
    return this.db.run(scopeOf(officer), async (tx) => {
      await this.checkParticipant(tx, pid);
      const [row] = await tx.query<{ id: string }>(
        `UPDATE participant_blocks SET unblocked_at = $2, unblocked_by = $3
          WHERE participant_id = $1 AND unblocked_at IS NULL RETURNING id::text AS id`,
        [pid, now, by],
      );
      if (!row) throw new BadUserInputError(`participant ${pid} is not blocked`, 'id');
      return this.load(tx, row.id);
    });
  }

  /** Every block of a participant, newest first. */
  async history(asker: Asker, id: string): Promise<ParticipantBlockRecord[]> {
    const pid = parseParticipantId(id);
    return this.db.run(scopeOf(asker), async (tx) => {
      await this.checkParticipant(tx, pid);
      return tx.query<ParticipantBlockRecord>(`${SELECT} WHERE b.participant_id = $1 ORDER BY b.id DESC`, [pid]);
    });
  }

  private async checkParticipant(sql: Sql, pid: string): Promise<void> {
    const [p] = await sql.query(`SELECT 1 FROM participants WHERE id = $1`, [pid]);
    if (!p) throw new NotFoundError(`no participant with id ${pid}`);
  }

  private async load(sql: Sql, blockId: string): Promise<ParticipantBlockRecord> {
    const [r] = await sql.query<ParticipantBlockRecord>(`${SELECT} WHERE b.id = $1`, [blockId]);
    return r;
  }
}
