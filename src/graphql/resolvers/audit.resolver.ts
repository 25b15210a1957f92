import { toConnection } from '../connection';
import { Arg, Args, Resolver } from 'type-graphql';
import { OfficerCall, OfficerQuery, TraderCall, TraderQuery } from '../auth';
import { scopeOf, traderScope } from '../../db/tenant';
import { listAuditRecords, MAX_AUDIT_PAGE, serviceStatistics, type AuditPage } from '../../audit/queries';
import type { AuditRecord } from '../../audit/record';
import {
  AuditEntry,
  AuditEntryConnection,
  AuditFilter,
  AuditOutcomeEnum,
  AuditPeriod,
  ServiceStatistics,
} from '../types/audit.type';
import { AuthMethodEnum, RoleEnum } from '../types/enums';
import { DEFAULT_PAGE_SIZE, PageArgs } from '../types/page-args.type';

function toEntry(r: AuditRecord): AuditEntry {
  return Object.assign(new AuditEntry(), {
    id: r.id,
    sequence: r.seq,
    occurredAt: r.occurredAt,
    requestId: r.requestId,
    sessionId: r.sessionId,
    participantId: r.participantId,
    role: r.role as RoleEnum | null,
    username: r.username,
    authMethod: r.authMethod as AuthMethodEnum | null,
    login: r.login,
    loginSessionId: r.loginSessionId ?? null,
    loginParticipantId: r.loginParticipantId ?? null,
    loginUsername: r.loginUsername ?? null,
    refusedCount: r.refusedCount ?? null,
    clientIp: r.clientIp,
    userAgent: r.userAgent,
    operationType: r.operationType,
    operationName: r.operationName,
    rootFields: r.rootFields,
    documentHash: r.documentHash?.toString('hex') ?? null,
    variables: r.variables,
    outcome: r.outcome as AuditOutcomeEnum,
    errorCodes: r.errorCodes,
    rowsReturned: r.rowsReturned,
    responseHash: r.responseHash.toString('hex'),
    httpStatus: r.httpStatus,
    durationMs: r.durationUs / 1000,
    complaintId: r.complaintId,
    hash: r.hash.toString('hex'),
  });
}

function toAuditConnection(page: AuditPage, after: string | null | undefined): AuditEntryConnection {
  return toConnection(page, after, toEntry);
}

@Resolver()
export class AuditResolver {
  @OfficerQuery(
    () => AuditEntryConnection,
    `Officers: the audit log of every operation, newest first (first ≤ ${MAX_AUDIT_PAGE}).`,
  )
  async auditLog(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<AuditEntryConnection> {
    const page = await ctx.services.db.run(scopeOf(officer), (sql) =>
      listAuditRecords(sql, filter ?? {}, first ?? DEFAULT_PAGE_SIZE, after),
    );
    return toAuditConnection(page, after);
  }

  @TraderQuery(
    () => AuditEntryConnection,
    `The viewer's own query history (traders), newest first (first ≤ ${MAX_AUDIT_PAGE}).`,
  )
  async myQueryHistory(
    @TraderCall() { ctx, trader }: TraderCall,
    @Args() { first, after }: PageArgs,
  ): Promise<AuditEntryConnection> {
    const page = await ctx.services.db.run(traderScope(trader.participantId), (sql) =>
      listAuditRecords(sql, { participantId: trader.participantId }, first ?? DEFAULT_PAGE_SIZE, after),
    );
    return toAuditConnection(page, after);
  }

  @OfficerQuery(
    () => ServiceStatistics,
    'Officers: operations per hour, latency percentiles, error rates by code, active participants and logins over [from, to) (at most 366 days).',
  )
  async serviceStatistics(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('period', () => AuditPeriod) period: AuditPeriod,
  ): Promise<ServiceStatistics> {
    const s = await ctx.services.db.run(scopeOf(officer), (sql) => serviceStatistics(sql, period.from, period.to));
    return Object.assign(new ServiceStatistics(), {
      ...s,
      operationsPerHour: s.perHour,
      loginsByMethod: s.loginsByMethod.map((l) => ({ ...l, method: l.method as AuthMethodEnum })),
      auditIntegrity: ctx.services.audit.integrity(),
    });
  }
}
