/**
 * GET /export/statistics.csv|.xlsx and /export/declarations.csv|.xlsx: tradeStatistics and the
 * trader's items as files, with the same bearer auth, filter and groupBy as the GraphQL field
 * (src/exports/README.md). Mounted by src/http/server.ts.
 *
 * Accounting (src/audit/README.md, "Exports"): a file cannot be withheld once its first byte left,
 * so an export gets two audit records under one request id — STARTED, durable before the first
 * byte (if it cannot be written: 503 AUDIT_UNAVAILABLE and nothing is sent), and the completion
 * record (SUCCESS, or ERROR with CLIENT_DISCONNECTED / CLIENT_STALLED / the database's code) with
 * the SHA-256 of every byte handed to the socket and the rows written. The response ends (its last
 * chunk and the Content-Digest trailer) only once the completion record is durable; if it cannot be
 * written the connection is cut, so no client holds a complete, verifiable file the log does not
 * account for. Refusals before anything ran get one record like any refused request.
 */
import crypto from 'node:crypto';
import type express from 'express';
import type { RefusalRecorder } from '../audit/refusals';
import { cleanText, type AuditEntryInput, type AuditOutcome } from '../audit/record';
import type { Viewer } from '../auth/viewer';
import { isDatabaseUnavailable } from '../db/unavailable';
import type { Services } from '../services';
import {
  AppError,
  AuditUnavailableError,
  DatabaseUnavailableError,
  ForbiddenError,
  InternalServerError,
  PasswordChangeRequiredError,
  QueryTimeoutError,
  UnauthenticatedError,
  type AppErrorCode,
} from '../shared/errors';
import type { Logger } from '../shared/logger';
import { errorEntry } from '../shared/error-language';
import { parseAcceptLanguage } from '../shared/lang';
import { validateTradeFilter } from '../statistics/trade-filter';
import { RateRefusal, type CostReport } from '../limits/fair-share';
import { exportLimits, type ExportLimits, type ExportPermit } from './limits';
import { traderScope } from '../db/tenant';
import { parseExportParams, type ExportFormat, type ExportKind, type ExportParams } from './params';
import { checkStatisticsRows, cursorRows, declarationsSource, loadCountries, statisticsSource } from './sources';
import { ClientGoneError, csvWriter, Sink, xlsxWriter, type RowWriter } from './writers';

/**
 * What an export costs before its rows: one statement over the trader's items, as the GraphQL cost
 * model charges tradeStatistics (ROOT_STATEMENT_COST in src/graphql/plugins/complexity.plugin.ts).
 */
export const EXPORT_STATEMENT_COST = 500;

/** HTTP status of an export refused with this code (the GraphQL field answers most of them in a 200). */
const STATUS: Partial<Record<AppErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  PARTICIPANT_BLOCKED: 403,
  RATE_LIMITED: 429,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  QUERY_TIMEOUT: 503,
  DATABASE_UNAVAILABLE: 503,
  AUDIT_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The responseHash of a STARTED record: SHA-256 of the empty string (no byte of the body sent yet). */
const NOTHING_SENT = crypto.createHash('sha256').digest();

const PG_QUERY_CANCELED = '57014';

/** The AppError a failure is answered (or recorded) with. */
function asAppError(e: unknown, logger: Logger, requestId: string): AppError {
  if (e instanceof AppError) return e;
  if (isDatabaseUnavailable(e)) return new DatabaseUnavailableError();
  if ((e as { code?: unknown } | null)?.code === PG_QUERY_CANCELED) return new QueryTimeoutError();
  logger.error({ err: e, requestId }, 'export failed');
  return new InternalServerError();
}

export interface ExportRoutes {
  readonly limits: ExportLimits;
  /** Exports still running (close() waits for them). */
  readonly active: number;
  /** Resolves when no export runs (or after `timeoutMs`). */
  idle(timeoutMs: number): Promise<void>;
}

export interface ExportDeps {
  services: Services;
  logger: Logger;
  /** The bounded recorder of refused requests; null: no audit (benchmarks only). */
  refusals: RefusalRecorder | null;
  /** false only in benchmarks: no audit records. */
  audit: boolean;
  /** The operation cost limit (MAX_QUERY_COMPLEXITY). */
  maxComplexity: number;
}

/** `extensions.cost` of a GraphQL response, for an export's refusal body. */
const costExtension = (r: CostReport) => ({
  requested: r.requested,
  remaining: r.remaining,
  resetAt: r.resetAt.toISOString(),
  limit: r.limit,
});

const FILE_RE = /^(statistics|declarations)\.(csv|xlsx)$/;

export function mountExports(app: express.Express, deps: ExportDeps): ExportRoutes {
  const limits = exportLimits({
    maxComplexity: deps.maxComplexity,
    poolMax: deps.services.config.db.poolMax,
    fair: deps.services.limits.fair,
  });
  const running = new Set<Promise<void>>();
  app.get('/export/:file', (req, res, next) => {
    const m = FILE_RE.exec(String(req.params.file));
    // express routes HEAD to GET handlers: a HEAD would run (and account) the whole export for nothing.
    if (!m || req.method !== 'GET') {
      next();
      return;
    }
    const p = runExport(deps, limits, req, res, m[1] as ExportKind, m[2] as ExportFormat).catch((e: unknown) => {
      deps.logger.error({ err: e, requestId: res.locals.requestId }, 'export handler failed');
      if (!res.headersSent) res.status(500).end();
      else res.destroy();
    });
    running.add(p);
    void p.finally(() => running.delete(p));
  });
  return {
    limits,
    get active() {
      return running.size;
    },
    async idle(timeoutMs) {
      if (running.size === 0) return;
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}

async function authenticate(services: Services, header: string | undefined): Promise<Viewer> {
  const auth = header?.trim();
  if (!auth) throw new UnauthenticatedError('log in first: send Authorization: Bearer <token>');
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  let viewer: Viewer | null = null;
  try {
    viewer = m ? await services.sessions.resolve(m[1]) : null;
  } catch (e) {
    if (isDatabaseUnavailable(e)) throw new DatabaseUnavailableError();
    throw e;
  }
  if (!viewer) throw new UnauthenticatedError('the session is missing, expired or revoked');
  if (viewer.mustChangePassword) throw new PasswordChangeRequiredError();
  // Officers have no trade data of their own: the GraphQL field's answer.
  if (viewer.role !== 'TRADER' || viewer.participantId === null) {
    throw new ForbiddenError('only traders have declarations');
  }
  return viewer;
}

async function runExport(
  deps: ExportDeps,
  limits: ExportLimits,
  req: express.Request,
  res: express.Response,
  kind: ExportKind,
  format: ExportFormat,
): Promise<void> {
  const { services, logger } = deps;
  const { audit, clock, metrics } = services;
  const occurredAt = clock.now();
  const started = performance.now();
  const requestId = String(res.locals.requestId);
  // Error messages in the language Accept-Language asks for, as GraphQL gives them (src/shared/error-language.ts).
  const language = parseAcceptLanguage(req.get('accept-language')).language;
  const operationName = `GET /export/${kind}.${format}`;
  const rootField = kind === 'statistics' ? 'exportStatistics' : 'exportDeclarations';
  const clientIp = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const q = req.originalUrl.indexOf('?');
  const search = q < 0 ? '' : req.originalUrl.slice(q + 1);
  let viewer: Viewer | null = null;
  let params: ExportParams | null = null;

  const entry = (e: Pick<AuditEntryInput, 'outcome' | 'errorCodes' | 'rowsReturned' | 'responseHash' | 'httpStatus'>) =>
    ({
      occurredAt,
      requestId: cleanText(requestId, 100),
      sessionId: viewer?.sessionId ?? null,
      userAccountId: viewer?.userAccountId ?? null,
      participantId: viewer?.participantId ?? null,
      role: viewer?.role ?? null,
      username: cleanText(viewer?.username ?? null, 200),
      authMethod: viewer?.authMethod ?? null,
      login: false,
      clientIp: cleanText(req.ip ?? req.socket.remoteAddress ?? null, 100),
      userAgent: cleanText(req.get('user-agent') ?? null, 500),
      operationType: 'query',
      operationName,
      rootFields: [rootField],
      // What was asked, canonically: the path and the parameters sorted by key (none when unreadable).
      documentHash: params
        ? crypto
            .createHash('sha256')
            .update(`${operationName}?${new URLSearchParams(params.canonical).toString()}`)
            .digest()
        : null,
      variables: params ? JSON.stringify(params.canonical) : '{}',
      complaintId: null,
      durationUs: Math.round((performance.now() - started) * 1000),
      ...e,
    }) satisfies AuditEntryInput;

  const observe = (outcome: string, codes: string[], rows: number, auditId: string | null) => {
    metrics.operations.inc({ operation: rootField, type: 'query', outcome });
    metrics.duration.observe({ operation: rootField, outcome }, (performance.now() - started) / 1000);
    logger.info(
      {
        requestId,
        auditId,
        operationName,
        outcome,
        errorCodes: codes,
        rowsReturned: rows,
        durationMs: Math.round(performance.now() - started),
        participantId: viewer?.participantId ?? null,
        sessionId: viewer?.sessionId ?? null,
      },
      'export',
    );
  };

  /** Answers an error before the first byte, after its record (REJECTED: bounded, never withheld). */
  const refuse = async (e: unknown, outcome: AuditOutcome): Promise<void> => {
    let err = asAppError(e, logger, requestId);
    // Refused by the rate budget or the slots: the budget as it stood, as GraphQL shows it in extensions.cost.
    const cost = e instanceof RateRefusal ? costExtension(e.report) : undefined;
    const body = () =>
      JSON.stringify({
        errors: [errorEntry(err, language, { requestId })],
        ...(cost && err === e ? { extensions: { cost } } : {}),
      });
    const status = () => STATUS[err.code] ?? err.httpStatus ?? 500;
    let auditId: string | null = null;
    if (deps.audit && !(e instanceof AuditUnavailableError)) {
      const rec = entry({
        outcome,
        errorCodes: [err.code],
        rowsReturned: 0,
        responseHash: crypto.createHash('sha256').update(body()).digest(),
        httpStatus: status(),
      });
      if (outcome === 'REJECTED') {
        if (deps.refusals?.admit(rec.clientIp, err.code, occurredAt)) {
          await deps.refusals.record(rec, err.code !== 'DATABASE_UNAVAILABLE');
        }
      } else {
        try {
          auditId = (await audit.append(rec)).id;
        } catch (ae) {
          logger.error({ err: ae, requestId }, 'audit record not written: export error withheld');
          metrics.auditFailures.inc();
          err = new AuditUnavailableError(ae);
        }
      }
    }
    observe(err.code === 'AUDIT_UNAVAILABLE' ? 'AUDIT_UNAVAILABLE' : outcome, [err.code], 0, auditId);
    res.status(status()).type('application/json');
    if (err.code === 'RATE_LIMITED' || err.code === 'ACCOUNT_LOCKED') {
      const after = err.details?.retryAfterSeconds;
      if (typeof after === 'number') res.set('Retry-After', String(after));
    }
    if (err.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', 'Bearer');
    res.set('Cache-Control', 'no-store');
    res.send(body());
  };

  try {
    params = parseExportParams(kind, search);
    viewer = await authenticate(services, req.get('authorization'));
  } catch (e) {
    await refuse(e, 'REJECTED');
    return;
  }
  const trader = viewer as Viewer & { participantId: string };
  const p = params;
  let permit: ExportPermit;
  try {
    permit = await limits.beforeExport(trader, EXPORT_STATEMENT_COST, clientIp);
  } catch (e) {
    await refuse(e, 'REJECTED');
    return;
  }
  /** Gives back the export's place and request slot (the slot's DELETE may fail: its lease then expires). */
  const release = () =>
    permit.release().catch((e: unknown) => logger.warn({ err: e, requestId }, 'export request slot not released'));

  const stallMs = services.config.db.statementTimeoutMs || 30_000;
  const sink = new Sink(res, stallMs);
  res.on('close', () => {
    if (!res.writableFinished) sink.fail(new ClientGoneError('CLIENT_DISCONNECTED'));
  });
  let streaming = false;
  let executed = false;
  let rows = 0;
  let startId: string | null = null;

  let lastId: string | null = null;
  /** The completion record; false when it could not be written (the caller cuts the connection). */
  const complete = async (outcome: AuditOutcome, codes: string[]): Promise<boolean> => {
    if (!deps.audit) {
      observe(outcome, codes, rows, null);
      return true;
    }
    try {
      lastId = (
        await audit.append(
          entry({ outcome, errorCodes: codes, rowsReturned: rows, responseHash: sink.digest(), httpStatus: 200 }),
        )
      ).id;
      observe(outcome, codes, rows, lastId);
      return true;
    } catch (ae) {
      metrics.auditFailures.inc();
      logger.error({ err: ae, requestId, startId }, 'export completion record not written: connection cut');
      observe('AUDIT_UNAVAILABLE', [...codes, 'AUDIT_UNAVAILABLE'], rows, null);
      return false;
    }
  };
  try {
    await services.db.run(traderScope(trader.participantId), async (sql) => {
      const countries = await loadCountries(sql);
      validateTradeFilter(p.filter, (c) => countries.has(c));
      executed = true;
      const source =
        kind === 'statistics'
          ? await statisticsSource(sql, trader.participantId, p.filter, p.groupBy, p.lang, countries)
          : declarationsSource(trader.participantId, p.filter, p.lang, countries);
      const batches = cursorRows(sql, source);
      const first = await batches.next();
      if (kind === 'statistics') checkStatisticsRows(first.done ? undefined : first.value[0]);
      if (deps.audit) {
        const start = entry({
          outcome: 'STARTED',
          errorCodes: [],
          rowsReturned: 0,
          responseHash: NOTHING_SENT,
          httpStatus: 200,
        });
        try {
          startId = (await audit.append(start)).id;
        } catch (ae) {
          const refusal = ae instanceof AuditUnavailableError ? ae : new AuditUnavailableError(ae);
          logger.error({ err: ae, requestId }, 'export start record not written: nothing sent');
          metrics.auditFailures.inc();
          if (refusal.timedOut) {
            const withheld = JSON.stringify({
              errors: [errorEntry(refusal, language, { requestId })],
            });
            audit
              .recordWithheld(start, {
                outcome: 'ERROR',
                errorCodes: ['AUDIT_UNAVAILABLE'],
                httpStatus: 503,
                responseHash: crypto.createHash('sha256').update(withheld).digest(),
              })
              .catch((we: unknown) => logger.error({ err: we, requestId }, 'record of a withheld export not written'));
          }
          throw refusal;
        }
      }
      // From here the STARTED record stands: whatever happens next is told by the completion record.
      streaming = true;
      if (sink.failure) throw sink.failure;
      res.status(200);
      res.set({
        'Content-Type': CONTENT_TYPES[format],
        'Content-Disposition': `attachment; filename="${kind}.${format}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        Trailer: 'Content-Digest, X-Export-Rows, X-Export-Audit-Record-Id',
        ...(startId ? { 'X-Audit-Record-Id': startId } : {}),
      });
      const writer: RowWriter =
        format === 'csv' ? await csvWriter(sink, source.columns, p.bom) : await xlsxWriter(sink, source.columns, kind);
      const write = async (batch: Record<string, unknown>[]) => {
        for (const r of batch) {
          const cells = source.toCells(r);
          if (!cells) continue;
          await writer.row(cells);
          rows += 1;
        }
      };
      if (!first.done) await write(first.value);
      for await (const batch of batches) await write(batch);
      await writer.end();
    });
  } catch (e) {
    if (!streaming) {
      await release();
      if (e instanceof AuditUnavailableError) {
        observe('AUDIT_UNAVAILABLE', ['AUDIT_UNAVAILABLE'], 0, null);
        res.status(503).type('application/json').set('Cache-Control', 'no-store');
        res.send(JSON.stringify({ errors: [errorEntry(e, language, { requestId })] }));
        return;
      }
      await refuse(e, executed ? 'ERROR' : 'REJECTED');
      return;
    }
    // The export started (bytes may have left): the completion record says how far it got and why it stopped.
    const code = e instanceof ClientGoneError ? e.code : asAppError(e, logger, requestId).code;
    res.destroy();
    const released = release();
    await complete('ERROR', [code]);
    await released;
    return;
  }
  const released = release();
  const completed = await complete('SUCCESS', []);
  await released;
  if (completed) {
    const digest = sink.digest();
    res.addTrailers({
      'Content-Digest': `sha-256=:${digest.toString('base64')}:`,
      'X-Export-Rows': String(rows),
      ...(lastId ? { 'X-Export-Audit-Record-Id': lastId } : {}),
    });
    res.end();
  } else {
    res.destroy();
  }
}
