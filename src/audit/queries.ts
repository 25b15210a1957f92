/**
 * The control views over audit records (regulation 3.4.1–3.4.2): the audit log with filters, a
 * trader's own query history, and service statistics over a period. Plain SQL over `Sql` (the
 * request role under row-level security); nothing here knows about GraphQL.
 */
import type { Sql } from '../db/tenant';
import { cursorCodec, toPage, type Page } from '../shared/cursor';
import { BadUserInputError } from '../shared/errors';
import { rowToRecord, type AuditAuthMethod, type AuditOutcome, type AuditRecord, type AuditRow } from './record';

export const MAX_AUDIT_PAGE = 500;
/** serviceStatistics covers at most this many days. */
export const MAX_STATISTICS_DAYS = 366;

export interface AuditLogFilter {
  participantId?: string | null;
  from?: Date | null;
  to?: Date | null;
  operationName?: string | null;
  outcome?: AuditOutcome | null;
  authMethod?: AuditAuthMethod | null;
  login?: boolean | null;
}

export type AuditPage = Page<AuditRecord>;

/** The sort key of the newest-first list: the chain sequence number. */
export const auditCursor = cursorCodec('a1|', { seq: 'id' });

const ID_RE = /^[0-9]{1,19}$/;

/** Newest first (chain order). `participantId` in the filter restricts to one participant. */
export async function listAuditRecords(
  sql: Sql,
  filter: AuditLogFilter,
  first: number,
  after?: string | null,
): Promise<AuditPage> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_AUDIT_PAGE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_AUDIT_PAGE}`, 'first');
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.participantId !== undefined && filter.participantId !== null) {
    if (!ID_RE.test(filter.participantId))
      throw new BadUserInputError('participantId: not a participant id', 'participantId');
    // The participant's records: as the actor, or as the one a login opened a session for.
    add((p) => `(participant_id = ${p}::bigint OR login_participant_id = ${p}::bigint)`, filter.participantId);
  }
  if (filter.from) add((p) => `occurred_at >= ${p}`, filter.from);
  if (filter.to) add((p) => `occurred_at < ${p}`, filter.to);
  if (filter.operationName) add((p) => `(operation_name = ${p} OR ${p} = ANY (root_fields))`, filter.operationName);
  if (filter.outcome) add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.authMethod) add((p) => `auth_method = ${p}`, filter.authMethod);
  if (filter.login !== undefined && filter.login !== null) add((p) => `login = ${p}`, filter.login);
  if (after) add((p) => `seq < ${p}::bigint`, auditCursor.decode(after).seq);
  params.push(first + 1);
  const rows = await sql.query<AuditRow>(
    `SELECT * FROM audit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  return toPage(rows.map(rowToRecord), first, (r) => auditCursor.encode({ seq: String(r.seq) }));
}

export interface ServiceStatistics {
  from: Date;
  to: Date;
  operations: number;
  failedOperations: number;
  /** Share of operations whose outcome is not SUCCESS (0 when there were none). */
  errorRate: number;
  /** Nearest-rank percentiles of the operation durations, in milliseconds; null without operations. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Hours (UTC) with at least one operation, in order. */
  perHour: { hour: Date; operations: number; failed: number }[];
  /** Each code counted once per operation that reported it; rate = count / operations. */
  errorsByCode: { code: string; count: number; rate: number }[];
  activeParticipants: number;
  loginsByMethod: { method: AuditAuthMethod; attempts: number; succeeded: number; refused: number }[];
  refusedLogins: number;
}

/** Figures over [from, to): see ServiceStatistics for each definition. */
export async function serviceStatistics(sql: Sql, from: Date, to: Date): Promise<ServiceStatistics> {
  if (!(to.getTime() > from.getTime())) throw new BadUserInputError('period: `to` must be after `from`', 'period');
  if (to.getTime() - from.getTime() > MAX_STATISTICS_DAYS * 86_400_000) {
    throw new BadUserInputError(`period: at most ${MAX_STATISTICS_DAYS} days`, 'period');
  }
  const p = [from, to];
  // An export's STARTED record is not an operation of its own: its completion record counts it.
  const inPeriod = "occurred_at >= $1 AND occurred_at < $2 AND outcome <> 'STARTED'";
  const [totals] = await sql.query<{
    operations: number;
    failed: number;
    p50: string | null;
    p95: string | null;
    participants: number;
    refused: number;
  }>(
    `SELECT count(*)::int AS operations,
            count(*) FILTER (WHERE outcome <> 'SUCCESS')::int AS failed,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_us) AS p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_us) AS p95,
            count(DISTINCT participant_id)::int AS participants,
            count(*) FILTER (WHERE login AND outcome <> 'SUCCESS')::int AS refused
       FROM audit_records WHERE ${inPeriod}`,
    p,
  );
  const perHour = await sql.query<{ hour: Date; operations: number; failed: number }>(
    `SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, count(*)::int AS operations,
            count(*) FILTER (WHERE outcome <> 'SUCCESS')::int AS failed
       FROM audit_records WHERE ${inPeriod} GROUP BY 1 ORDER BY 1`,
    p,
  );
  const byCode = await sql.query<{ code: string; count: number }>(
    `SELECT code, count(*)::int AS count
       FROM audit_records, unnest(error_codes) AS code WHERE ${inPeriod}
      GROUP BY code ORDER BY count DESC, code`,
    p,
  );
  const logins = await sql.query<{ method: AuditAuthMethod; attempts: number; succeeded: number }>(
    `SELECT auth_method AS method, count(*)::int AS attempts,
            count(*) FILTER (WHERE outcome = 'SUCCESS')::int AS succeeded
       FROM audit_records WHERE ${inPeriod} AND login AND auth_method IS NOT NULL
      GROUP BY auth_method ORDER BY auth_method`,
    p,
  );
  const ops = totals.operations;
  const ms = (us: string | null) => (us === null ? null : Number(us) / 1000);
  return {
    from,
    to,
    operations: ops,
    failedOperations: totals.failed,
    errorRate: ops === 0 ? 0 : totals.failed / ops,
    latencyP50Ms: ms(totals.p50),
    latencyP95Ms: ms(totals.p95),
    perHour: perHour.map((h) => ({ hour: new Date(h.hour), operations: h.operations, failed: h.failed })),
    errorsByCode: byCode.map((c) => ({ code: c.code, count: c.count, rate: ops === 0 ? 0 : c.count / ops })),
    activeParticipants: totals.participants,
    loginsByMethod: logins.map((l) => ({ ...l, refused: l.attempts - l.succeeded })),
    refusedLogins: totals.refused,
  };
}
