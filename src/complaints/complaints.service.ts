/**
 * Complaint intake and handling (regulation 3.5.1–3.5.3).
 *
 * - Anyone may file electronically (rate-limited per client address); a logged-in trader's
 *   complaint carries their participant and may reference their own declaration or audit record.
 * - Officers record paper complaints, list them (by status, overdue), take them into review and
 *   answer them: RECEIVED → IN_REVIEW → ANSWERED (RECEIVED → ANSWERED directly is allowed too).
 * - The due date is the filing date in the authority's time zone plus the review term in days;
 *   a complaint is overdue from the day after its due date until it is answered.
 *
 * Nothing here knows about GraphQL. Every query runs through RequestDb (request role, RLS).
 */
import { ComplaintEntity, DeclarationEntity } from '../db/entities';
import type { ComplaintChannel, ComplaintStatus } from '../db/entities/complaint.entity';
import {
  ANONYMOUS,
  scopeOf,
  traderScope,
  type Asker,
  type DbScope,
  type RequestDb,
  type RequestTx,
} from '../db/tenant';
import { localDate } from '../shared/calendar';
import type { Clock } from '../shared/clock';
import { cursorCodec, type Page } from '../shared/cursor';
import { BadUserInputError } from '../shared/errors';
import {
  validateComplaint,
  validateId,
  validateText,
  type ComplaintFields,
  type ValidComplaint,
} from './complaint.validation';
import { clientKey, countFiling } from './rate-limit';
import {
  checkReceiptCitation,
  validateReceiptCitation,
  type ReceiptCitation,
  type ReceiptCitationInput,
} from './receipt-citation';

export type { ComplaintChannel, ComplaintStatus };

export const MAX_COMPLAINT_PAGE = 500;

export interface ComplaintsConfig {
  readonly reviewDays: number;
  readonly rateLimit: number;
  readonly rateWindowMinutes: number;
  /** IANA time zone of the authority's calendar (filing date, due date, "today"). */
  readonly timeZone: string;
}

export interface ComplaintRecord extends ValidComplaint {
  id: string;
  channel: ComplaintChannel;
  status: ComplaintStatus;
  participantId: string | null;
  recordedBy: string | null;
  filedAt: Date;
  dueDate: string;
  overdue: boolean;
  reviewStartedAt: Date | null;
  reviewStartedBy: string | null;
  answer: string | null;
  answeredAt: Date | null;
  answeredBy: string | null;
  /** The receipt the filer cited (checked on filing): its seq and leaf hash (hex). */
  receiptSeq: string | null;
  receiptLeafHash: string | null;
}

export type ComplaintPage = Page<ComplaintRecord>;

export interface ComplaintListOptions {
  status?: ComplaintStatus | null;
  /** true: only overdue ones; false: only those not overdue; null/undefined: both. */
  overdue?: boolean | null;
  first: number;
  after?: string | null;
}

/** Who files electronically: a trader's participant (from the session), or nobody in particular. */
export interface Filer {
  /** Set only for a logged-in trader; officers and anonymous filers have none. */
  readonly participantId: string | null;
  readonly clientIp: string;
}

const STATUSES: readonly ComplaintStatus[] = ['RECEIVED', 'IN_REVIEW', 'ANSWERED'];

/** The columns of a ComplaintRecord; `$today` is the parameter holding today's date. */
function columns(today: string): string {
  return `c.id::text AS id, c.channel, c.status, c.name, c.patronymic, c.surname, c.address,
    c.postal_address AS "postalAddress", c.workplace, c.email, c.declaration_number AS "declarationNumber",
    c.audit_record_id::text AS "auditRecordId", c.body AS text, c.participant_id::text AS "participantId",
    c.recorded_by AS "recordedBy", c.filed_at AS "filedAt", to_char(c.due_date, 'YYYY-MM-DD') AS "dueDate",
    (c.status <> 'ANSWERED' AND c.due_date < ${today}::date) AS overdue,
    c.review_started_at AS "reviewStartedAt", c.review_started_by AS "reviewStartedBy",
    c.answer, c.answered_at AS "answeredAt", c.answered_by AS "answeredBy",
    c.receipt_seq::text AS "receiptSeq", encode(c.receipt_leaf_hash, 'hex') AS "receiptLeafHash"`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * BAD_USER_INPUT naming the first reference a complaint carries (a cited receipt, a declaration, an audit
 * record) where the filer may not make one; `refusal` words why, from what is refused ("cite a receipt").
 */
function refuseReferences(
  citesReceipt: boolean,
  c: { declarationNumber: string | null; auditRecordId: string | null },
  refusal: (what: string) => string,
): void {
  const refs: [string, boolean, string][] = [
    ['input.receipt', citesReceipt, 'cite a receipt'],
    ['input.declarationNumber', c.declarationNumber !== null, 'reference a declaration'],
    ['input.auditRecordId', c.auditRecordId !== null, 'reference an audit record'],
  ];
  for (const [field, present, what] of refs) {
    if (present) throw new BadUserInputError(`${field}: ${refusal(what)}`, field);
  }
}

/** The sort key (filed at, id) of the newest-first list. */
export const complaintCursor = cursorCodec('c1|', { filedAt: 'timestamp', id: 'id' });

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export class ComplaintService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly config: ComplaintsConfig,
  ) {}

  /** An electronic complaint. Throws BAD_USER_INPUT naming the field, or RATE_LIMITED. */
  async file(
    input: ComplaintFields & { receipt?: ReceiptCitationInput | null },
    filer: Filer,
  ): Promise<ComplaintRecord> {
    const c = validateComplaint(input);
    const receipt = validateReceiptCitation(input.receipt);
    const trader = filer.participantId;
    if (trader === null) {
      refuseReferences(receipt !== null, c, (what) => `only a logged-in trader may ${what}`);
    }
    const now = this.clock.now();
    return this.db.run(trader === null ? ANONYMOUS : traderScope(trader), async (sql) => {
      await countFiling(sql, clientKey(filer.clientIp), now, {
        max: this.config.rateLimit,
        windowMinutes: this.config.rateWindowMinutes,
      });
      if (trader !== null) await this.checkReferences(sql, trader, c);
      if (trader !== null && receipt !== null) await checkReceiptCitation(sql, trader, receipt);
      return this.insert(sql, c, 'ELECTRONIC', trader, null, now, receipt);
    });
  }

  /** A complaint that arrived on paper, typed in by an officer (no references: those need the trader's login). */
  async recordPaper(
    input: ComplaintFields & { receipt?: ReceiptCitationInput | null },
    officer: string,
    asker: Asker,
  ): Promise<ComplaintRecord> {
    const c = validateComplaint(input);
    refuseReferences(
      input.receipt !== null && input.receipt !== undefined,
      c,
      (what) => `a paper complaint cannot ${what} (only its logged-in trader can); quote it in the text`,
    );
    const now = this.clock.now();
    return this.db.run(scopeOf(asker), (sql) => this.insert(sql, c, 'PAPER', null, officer, now));
  }

  /** RECEIVED → IN_REVIEW. */
  async startReview(id: unknown, officer: string, asker: Asker): Promise<ComplaintRecord> {
    const cid = validateId(id, 'id');
    const now = this.clock.now();
    const today = localDate(now, this.config.timeZone);
    return this.db.run(scopeOf(asker), async (sql) => {
      const [row] = await sql.query<ComplaintRecord>(
        `UPDATE complaints c SET status = 'IN_REVIEW', review_started_at = $2, review_started_by = $3
          WHERE c.id = $1 AND c.status = 'RECEIVED' RETURNING ${columns('$4')}`,
        [cid, now, officer, today],
      );
      if (row) return row;
      const status = await this.statusOf(sql, cid);
      throw new BadUserInputError(
        `id: complaint ${cid} is ${status}; only a RECEIVED complaint can be taken into review`,
        'id',
      );
    });
  }

  /** RECEIVED or IN_REVIEW → ANSWERED. */
  async answer(id: unknown, answer: unknown, officer: string, asker: Asker): Promise<ComplaintRecord> {
    const cid = validateId(id, 'id');
    const text = validateText(answer, 'answer');
    const now = this.clock.now();
    const today = localDate(now, this.config.timeZone);
    return this.db.run(scopeOf(asker), async (sql) => {
      const [row] = await sql.query<ComplaintRecord>(
        `UPDATE complaints c SET status = 'ANSWERED', answer = $2, answered_at = $3, answered_by = $4
          WHERE c.id = $1 AND c.status IN ('RECEIVED', 'IN_REVIEW') RETURNING ${columns('$5')}`,
        [cid, text, now, officer, today],
      );
      if (row) return row;
      const status = await this.statusOf(sql, cid);
      throw new BadUserInputError(`id: complaint ${cid} is already ${status}`, 'id');
    });
  }

  /** Every complaint (officers), newest first. */
  async list(asker: Asker, opts: ComplaintListOptions): Promise<ComplaintPage> {
    return this.page(scopeOf(asker), null, opts);
  }

  /** The complaints a trader's participant filed, newest first. */
  async listOfParticipant(participantId: string, opts: ComplaintListOptions): Promise<ComplaintPage> {
    return this.page(traderScope(participantId), participantId, opts);
  }

  private async page(scope: DbScope, participantId: string | null, opts: ComplaintListOptions): Promise<ComplaintPage> {
    const { first } = opts;
    if (!Number.isInteger(first) || first < 0 || first > MAX_COMPLAINT_PAGE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_COMPLAINT_PAGE}`, 'first');
    }
    if (opts.status != null && !STATUSES.includes(opts.status)) {
      throw new BadUserInputError(`status must be one of ${STATUSES.join(', ')}`, 'status');
    }
    const today = localDate(this.clock.now(), this.config.timeZone);
    const p = new Params();
    const t = p.add(today);
    const cond: string[] = [];
    if (participantId !== null) cond.push(`c.participant_id = ${p.add(participantId)}`);
    if (opts.status != null) cond.push(`c.status = ${p.add(opts.status)}`);
    if (opts.overdue === true) cond.push(`c.status <> 'ANSWERED' AND c.due_date < ${t}::date`);
    if (opts.overdue === false) cond.push(`NOT (c.status <> 'ANSWERED' AND c.due_date < ${t}::date)`);
    if (opts.after) {
      const cur = complaintCursor.decode(opts.after);
      cond.push(`(c.filed_at, c.id) < (${p.add(cur.filedAt)}::timestamptz, ${p.add(cur.id)}::bigint)`);
    }
    const rows = await this.db.run(scope, (sql) =>
      sql.query<ComplaintRecord>(
        `SELECT ${columns(t)} FROM complaints c ${cond.length ? `WHERE ${cond.join(' AND ')}` : ''}
        ORDER BY c.filed_at DESC, c.id DESC LIMIT ${p.add(first + 1)}`,
        p.values,
      ),
    );
    return {
      nodes: rows.slice(0, first).map((node) => ({ cursor: complaintCursor.encode(node), node })),
      hasNextPage: rows.length > first,
    };
  }

  /**
   * A trader may reference only their own declaration or audit record. Someone else's and a
   * non-existent one get the same message, so references cannot probe other participants' data.
   */
  private async checkReferences(tx: RequestTx, participantId: string, c: ValidComplaint): Promise<void> {
    if (c.declarationNumber !== null) {
      const found = await tx.repo(DeclarationEntity).existsBy({ participantId, number: c.declarationNumber });
      if (!found) {
        throw new BadUserInputError(
          'input.declarationNumber: you have no declaration with this number',
          'input.declarationNumber',
        );
      }
    }
    if (c.auditRecordId !== null) {
      // The audit table is built separately: until it exists, the reference is kept unchecked.
      const [t] = await tx.query<{ present: boolean; readable: boolean | null }>(
        `SELECT to_regclass('audit_records') IS NOT NULL AS present,
                CASE WHEN to_regclass('audit_records') IS NOT NULL THEN
                  has_column_privilege('audit_records', 'id', 'SELECT')
                  AND has_column_privilege('audit_records', 'participant_id', 'SELECT') END AS readable`,
      );
      if (t.present) {
        if (!t.readable) {
          // A deployment fault, not the user's: fail closed, and say what is missing in the log.
          throw new Error('audit_records exists but the request role may not read (id, participant_id): grant it');
        }
        const [a] = await tx.query(`SELECT 1 FROM audit_records WHERE id = $1 AND participant_id = $2`, [
          c.auditRecordId,
          participantId,
        ]);
        if (!a) {
          throw new BadUserInputError(
            'input.auditRecordId: you have no audit record with this id',
            'input.auditRecordId',
          );
        }
      }
    }
  }

  private async insert(
    tx: RequestTx,
    c: ValidComplaint,
    channel: ComplaintChannel,
    participantId: string | null,
    recordedBy: string | null,
    now: Date,
    receipt: ReceiptCitation | null = null,
  ): Promise<ComplaintRecord> {
    const today = localDate(now, this.config.timeZone);
    const due = addDays(today, this.config.reviewDays);
    // The id first and no RETURNING: an anonymous filer may read back only the row its own
    // transaction wrote (RLS, migration 1764000001200), which an INSERT … RETURNING cannot yet see.
    const [{ id }] = await tx.query<{ id: string }>(
      `SELECT nextval(pg_get_serial_sequence('complaints', 'id'))::text AS id`,
    );
    await tx.query(
      `INSERT INTO complaints (id, channel, name, patronymic, surname, address, postal_address, workplace, email,
                               declaration_number, audit_record_id, body, participant_id, recorded_by, filed_at, due_date,
                               receipt_seq, receipt_leaf_hash)
       OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        id,
        channel,
        c.name,
        c.patronymic,
        c.surname,
        c.address,
        c.postalAddress,
        c.workplace,
        c.email,
        c.declarationNumber,
        c.auditRecordId,
        c.text,
        participantId,
        recordedBy,
        now,
        due,
        receipt?.seq ?? null,
        receipt?.leafHash ?? null,
      ],
    );
    const [row] = await tx.query<ComplaintRecord>(`SELECT ${columns('$2')} FROM complaints c WHERE c.id = $1`, [
      id,
      today,
    ]);
    return row;
  }

  private async statusOf(tx: RequestTx, id: string): Promise<ComplaintStatus> {
    const r = await tx.repo(ComplaintEntity).findOne({ select: { status: true }, where: { id } });
    if (!r) throw new BadUserInputError(`id: no complaint ${id}`, 'id');
    return r.status;
  }
}
