/**
 * Query accounting (regulation 3.4.1): one audit record per GraphQL operation — failed ones and
 * login attempts included — written before the response is released. When the record cannot be
 * made durable the response is replaced by an AUDIT_UNAVAILABLE error (HTTP 503): no result
 * leaves the service unaccounted.
 *
 * Also: one structured log line per operation (no variables, no secrets), Prometheus counters
 * and histograms, and the periodic signed checkpoint of the chain head.
 *
 * Register it LAST among the plugins: its willSendResponse hashes the response as the client
 * will receive it, after the other plugins (request id on errors) have changed it.
 */
import crypto from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { AppendResult, AuditService } from '../../audit/audit.service';
import { complaintIdOf, countRows, describeOperation } from '../../audit/operation';
import { receiptOf } from '../../audit/receipt';
import { sha256 } from '../../audit/sha256';
import { serialisedAs, serialiseResponse, withReceipt } from '../../audit/wire';
import { cleanText, type AuditEntryInput, type AuditOutcome } from '../../audit/record';
import type { RefusalRecorder } from '../../audit/refusals';
import type { Metrics } from '../../ops/metrics';
import { operationLabel } from '../../ops/metrics';
import { AuditUnavailableError, errorExtensions } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { GraphQLContext } from '../context';

export interface AuditPluginOptions {
  schema: GraphQLSchema;
  audit: AuditService;
  logger: Logger;
  metrics?: Metrics;
  /** Seconds between signed checkpoints (0: none from this server). */
  checkpointSeconds: number;
  /** Bounds the records of operations refused before execution (per client address per minute). */
  refusals?: RefusalRecorder;
}

/** Exactly how Apollo Server serialises a single result (runHttpQuery's prettyJSONStringify). */
export function serializeSingleResult(result: { errors?: unknown; data?: unknown; extensions?: unknown }): string {
  return `${JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions })}\n`;
}

function outcomeOf(
  data: Record<string, unknown> | null | undefined,
  errors: readonly GraphQLFormattedError[] | undefined,
): AuditOutcome {
  if (!errors || errors.length === 0) return 'SUCCESS';
  const anyData = data && Object.values(data).some((v) => v !== null && v !== undefined);
  return anyData ? 'PARTIAL' : 'ERROR';
}

function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  const codes: string[] = [];
  for (const e of errors ?? []) {
    const c = typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR';
    const clean = cleanText(c, 100);
    if (!codes.includes(clean)) codes.push(clean);
  }
  return codes;
}

export function auditPlugin(opts: AuditPluginOptions): ApolloServerPlugin<GraphQLContext> {
  const { schema, audit, logger, metrics } = opts;
  return {
    async serverWillStart() {
      const timer =
        opts.checkpointSeconds > 0
          ? setInterval(() => {
              audit.checkpoint().catch((err: unknown) => logger.error({ err }, 'audit checkpoint failed'));
            }, opts.checkpointSeconds * 1000)
          : null;
      timer?.unref();
      return {
        async serverWillStop() {
          if (timer) clearInterval(timer);
          await audit.drain().catch(() => undefined);
          if (opts.checkpointSeconds > 0) {
            await audit.checkpoint().catch((err: unknown) => logger.error({ err }, 'final audit checkpoint failed'));
          }
        },
      };
    },

    async requestDidStart({ contextValue }) {
      const occurredAt = contextValue.services.clock.now();
      const started = performance.now();
      // The actor: the session this request carried, fixed before anything executes. A login in the
      // request never changes it; what the login opened is recorded in the login_* fields.
      const actor = contextValue.viewer;
      // From here this plugin records the request; the HTTP layer records only what never got here.
      contextValue.audit.inPipeline = true;
      let resolved = false;
      let executed = false;
      return {
        async didResolveOperation() {
          resolved = true;
        },

        async executionDidStart() {
          executed = true;
        },

        async willSendResponse(rc) {
          const ctx = rc.contextValue;
          const { response } = rc;
          const body = response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const data = result.data as Record<string, unknown> | null | undefined;
          // Serialised once (src/audit/wire.ts): the record hashes these bytes, and Apollo Server sends them
          // with the receipt spliced in. A client recomputes the hash after removing the receipt (and
          // `extensions` when that leaves it empty), so an empty `extensions` is never sent.
          const serialised = body.kind === 'single' ? serialiseResponse(result) : null;
          const responseHash = sha256(serialised ? serialised.text : JSON.stringify(result));
          const facts = describeOperation(schema, rc.document, rc.operation, rc.request.variables);
          const codes = errorCodes(result.errors);
          // Refused before anything executed (parse, validation, a pre-execution check): REJECTED.
          const outcome: AuditOutcome = !executed && codes.length > 0 ? 'REJECTED' : outcomeOf(data, result.errors);
          const login = facts.loginMethod !== null;
          const v = actor;
          const opened = login ? ctx.loginSession : null;
          const durationUs = Math.round((performance.now() - started) * 1000);
          const entry: AuditEntryInput = {
            occurredAt,
            requestId: cleanText(ctx.requestId, 100),
            sessionId: v?.sessionId ?? null,
            userAccountId: v?.userAccountId ?? null,
            participantId: v?.participantId ?? null,
            role: v?.role ?? null,
            username: cleanText(v?.username ?? null, 200),
            authMethod: login ? facts.loginMethod : (v?.authMethod ?? null),
            login,
            loginSessionId: opened?.sessionId ?? null,
            loginUserAccountId: opened?.userAccountId ?? null,
            loginParticipantId: opened?.participantId ?? null,
            loginRole: opened?.role ?? null,
            loginUsername: login ? cleanText(opened?.username ?? facts.loginUsername ?? null, 200) : null,
            clientIp: cleanText(ctx.clientIp ?? null, 100),
            userAgent: cleanText(ctx.userAgent ?? null, 500),
            operationType: facts.operationType,
            operationName: cleanText(facts.operationName, 200),
            rootFields: facts.roots.map((r) => cleanText(r.field, 200)).slice(0, 50),
            documentHash: facts.documentHash,
            variables: facts.variables,
            outcome,
            errorCodes: codes,
            rowsReturned: countRows(data),
            responseHash,
            httpStatus: response.http.status ?? 200,
            durationUs,
            complaintId: cleanText(complaintIdOf(data, facts.roots), 100),
          };
          let auditId: string | null = null;
          let appended: AppendResult | null = null;
          let finalOutcome: string = outcome;
          // Refusals beyond the per-address limit are only counted (one summary record per minute).
          const recordIt =
            outcome !== 'REJECTED' ||
            !opts.refusals ||
            opts.refusals.admit(entry.clientIp, codes[0] ?? 'REJECTED', occurredAt);
          try {
            if (recordIt) {
              appended = await audit.append(entry);
              auditId = appended.id;
            }
          } catch (err) {
            finalOutcome = 'AUDIT_UNAVAILABLE';
            metrics?.auditFailures.inc();
            logger.error({ err, requestId: ctx.requestId }, 'audit record not written: response withheld');
            const refusal = new AuditUnavailableError(err);
            const withheld = {
              errors: [
                { message: refusal.message, extensions: { ...errorExtensions(refusal), requestId: ctx.requestId } },
              ],
            };
            response.body = { kind: 'single', singleResult: withheld };
            response.http.status = 503;
            if (err instanceof AuditUnavailableError && err.timedOut) {
              // The record may still be written once the database answers: make it say what was sent.
              const sent: Partial<AuditEntryInput> = {
                outcome: 'ERROR',
                errorCodes: ['AUDIT_UNAVAILABLE'],
                rowsReturned: 0,
                httpStatus: 503,
                responseHash: crypto.createHash('sha256').update(serializeSingleResult(withheld), 'utf8').digest(),
              };
              audit
                .recordWithheld(entry, sent)
                .catch((e: unknown) =>
                  logger.error({ err: e, requestId: ctx.requestId }, 'record of a withheld response not written'),
                );
            }
          }
          // The receipt: added after the record was hashed, so it is not part of what it hashes.
          if (appended && body.kind === 'single' && response.body === body) {
            const receipt = receiptOf(appended, responseHash, ctx.services.config.audit.logOrigin);
            const extensions = body.singleResult.extensions;
            body.singleResult.extensions = { ...extensions, receipt };
            // Sent as serialised above with the receipt added (a receipt already among the extensions would
            // keep its place in Apollo's serialisation: then Apollo serialises it).
            if (serialised && !(extensions && 'receipt' in extensions)) {
              serialisedAs(body.singleResult, withReceipt(serialised, receipt));
            }
          }
          const label = resolved ? operationLabel(facts.roots.map((r) => r.field)) : '(invalid)';
          const seconds = (performance.now() - started) / 1000;
          metrics?.operations.inc({ operation: label, type: facts.operationType ?? 'none', outcome: finalOutcome });
          metrics?.duration.observe({ operation: label, outcome: finalOutcome }, seconds);
          if (login && facts.loginMethod) {
            metrics?.logins.inc({
              method: facts.loginMethod,
              result: outcome === 'SUCCESS' && auditId ? 'success' : 'refused',
            });
          }
          logger.info(
            {
              requestId: ctx.requestId,
              auditId,
              operationType: facts.operationType,
              operationName: entry.operationName,
              rootFields: entry.rootFields,
              outcome: finalOutcome,
              errorCodes: codes,
              rowsReturned: entry.rowsReturned,
              durationMs: Math.round(durationUs) / 1000,
              participantId: entry.participantId,
              sessionId: entry.sessionId,
              authMethod: entry.authMethod,
              login,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
