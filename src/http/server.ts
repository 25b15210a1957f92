/**
 * HTTP wiring: Apollo Server 5 at /graphql (GraphQL over HTTP), GraphiQL at /graphiql, and the
 * operations endpoints. Nothing here holds business logic.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { cleanText } from '../audit/record';
import { RefusalRecorder, rejectedEntry } from '../audit/refusals';
import { stringifyAuditedResult } from '../audit/wire';
import { isDatabaseUnavailable } from '../db/unavailable';
import { createContext, type GraphQLContext } from '../graphql/context';
import { complexityPlugin } from '../graphql/plugins/complexity.plugin';
import { makeFormatError, requestIdPlugin, toGraphQLError } from '../graphql/plugins/errors.plugin';
import { auditPlugin } from '../graphql/plugins/audit.plugin';
import { loginAlonePlugin } from '../graphql/plugins/login-alone.plugin';
import { rateLimiting } from '../graphql/plugins/rate-limit.plugin';
import { inOperationScope } from '../limits/operation-gate';
import { buildAppSchema } from '../graphql/schema';
import type { Services } from '../services';
import { errorEntry, withErrorLanguage } from '../shared/error-language';
import { BadRequestError, DatabaseUnavailableError, PayloadTooLargeError, type AppError } from '../shared/errors';
import { parseAcceptLanguage, type LanguageChoice } from '../shared/lang';
import type { Logger } from '../shared/logger';
import { mountAuditCheckpoint } from './audit-checkpoint';
import { mountGraphiql } from './graphiql';
import { mountExports } from '../exports/routes';

export const MAX_QUERY_COMPLEXITY = 20_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly schema: GraphQLSchema;
  /** The bounded recorder of refused requests (null when the audit is off). */
  readonly refusals: RefusalRecorder | null;
  close(): Promise<void>;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{8,64}$/;

/** The error for a body express.json refused (by body-parser's error `type`), if it is the client's fault. */
function refusedBody(type: unknown): AppError | undefined {
  switch (type) {
    case 'entity.too.large':
      return new PayloadTooLargeError();
    case 'entity.parse.failed':
      return new BadRequestError('the request body is not valid JSON');
    case 'encoding.unsupported':
      return new BadRequestError('unsupported request body encoding', 415);
    case 'charset.unsupported':
      return new BadRequestError('unsupported request body charset', 415);
    default:
      return undefined;
  }
}

/** The reason a body express.json refused is recorded under (its response code is BAD_REQUEST for most). */
function refusedBodyReason(type: unknown): string | undefined {
  switch (type) {
    case 'entity.too.large':
      return 'PAYLOAD_TOO_LARGE';
    case 'entity.parse.failed':
      return 'INVALID_JSON';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'UNSUPPORTED_ENCODING';
    default:
      return undefined;
  }
}

/**
 * The reason code of a request refused outside the GraphQL pipeline: the one the HTTP layer noted,
 * else one named after what Apollo Server refused (batched array, CSRF), else the response's code.
 */
function refusalCodes(req: express.Request, res: express.Response, body: Buffer): string[] {
  let code: string | undefined;
  let message = '';
  try {
    const first = (
      JSON.parse(body.toString('utf8')) as {
        errors?: { message?: unknown; extensions?: { code?: unknown; messageEn?: unknown } }[];
      }
    )?.errors?.[0];
    if (typeof first?.extensions?.code === 'string') code = cleanText(first.extensions.code, 100);
    // Apollo Server's own wording, which a localized message keeps in messageEn.
    const english = first?.extensions?.messageEn ?? first?.message;
    if (typeof english === 'string') message = english;
  } catch {
    // not JSON: the status names it
  }
  let reason = res.locals.refusalReason as string | undefined;
  if (!reason && code === 'BAD_REQUEST') {
    if (req.method === 'POST' && Array.isArray(req.body)) reason = 'BATCH_REFUSED';
    else if (/Cross-Site Request Forgery/i.test(message)) reason = 'CSRF_REFUSED';
  }
  const codes = [reason ?? code ?? `HTTP_${res.statusCode}`];
  if (code && !codes.includes(code)) codes.push(code);
  return codes;
}

/**
 * Answers an error outside GraphQL execution in the shape and the language the GraphQL formatter gives
 * (src/shared/errors.ts, src/shared/error-language.ts).
 */
function sendError(req: express.Request, res: express.Response, e: AppError): void {
  const language = parseAcceptLanguage(req.get('accept-language')).language;
  res.status(e.httpStatus ?? 500).json({ errors: [errorEntry(e, language, { requestId: res.locals.requestId })] });
}

export async function startHttpServer(
  services: Services,
  logger: Logger,
  opts: {
    host: string;
    port: number;
    /** false only in benchmarks: no audit records. */
    audit?: boolean;
    /** How long stopping waits for open requests before closing their connections (default 10 s). */
    stopGraceMs?: number;
  },
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  // req.ip: the TCP peer, or the X-Forwarded-For entry the configured proxies vouch for.
  app.set('trust proxy', services.config.http.trustProxy);
  const httpServer = http.createServer(app);
  const schema = await buildAppSchema();
  const development = services.config.env === 'development';
  const metrics = services.metrics;
  const refusals =
    opts.audit === false
      ? null
      : new RefusalRecorder(services.audit, services.clock, {
          perMinute: services.config.audit.refusalsPerMinute,
          logger,
        });
  refusals?.start();
  const rate = rateLimiting(services.limits.fair, logger);
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: development,
    formatError: makeFormatError(logger, development),
    // A response the audit plugin serialised (and hashed) is sent as it serialised it, not serialised again.
    stringifyResult: stringifyAuditedResult,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: opts.stopGraceMs ?? 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
      loginAlonePlugin(),
      complexityPlugin(schema, MAX_QUERY_COMPLEXITY, services.limits.listMaxima, rate.admit),
      requestIdPlugin(),
      // Before the audit: extensions.cost is part of the response it hashes.
      rate.plugin,
      // Last: it hashes the response as sent and withholds it when its audit record fails.
      ...(opts.audit === false
        ? []
        : [
            auditPlugin({
              schema,
              audit: services.audit,
              logger,
              metrics,
              checkpointSeconds: services.config.audit.checkpointSeconds,
              refusals: refusals ?? undefined,
            }),
          ]),
    ],
  });
  await apollo.start();

  /**
   * Requests refused before the GraphQL pipeline (audit plugin) saw them — batched arrays, CSRF,
   * bodies that are not JSON or too large, the session look-up failing — get a REJECTED record
   * (bounded per client address per minute) before their response leaves. The record waits for
   * nothing when the database is known to be away (DATABASE_UNAVAILABLE); it is written later.
   */
  const recordRefusals = (req: express.Request, res: express.Response, recorder: RefusalRecorder) => {
    const occurredAt = services.clock.now();
    const started = performance.now();
    const end = res.end.bind(res) as (...a: unknown[]) => express.Response;
    let seen = false;
    res.end = function (this: express.Response, ...args: unknown[]) {
      const ctx = res.locals.graphqlContext as GraphQLContext | undefined;
      if (seen || ctx?.audit.inPipeline || res.headersSent) return end(...args);
      seen = true;
      const [chunk, encoding] = args;
      const body =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.alloc(0);
      const codes = refusalCodes(req, res, body);
      const v = ctx?.viewer ?? null;
      const entry = rejectedEntry({
        occurredAt,
        requestId: cleanText(String(res.locals.requestId), 100),
        sessionId: v?.sessionId ?? null,
        userAccountId: v?.userAccountId ?? null,
        participantId: v?.participantId ?? null,
        role: v?.role ?? null,
        username: cleanText(v?.username ?? null, 200),
        authMethod: v?.authMethod ?? null,
        clientIp: cleanText(req.ip ?? req.socket.remoteAddress ?? null, 100),
        userAgent: cleanText(req.get('user-agent') ?? null, 500),
        errorCodes: codes,
        responseHash: crypto.createHash('sha256').update(body).digest(),
        httpStatus: res.statusCode,
        durationUs: Math.round((performance.now() - started) * 1000),
      });
      metrics.operations.inc({ operation: '(refused)', type: 'none', outcome: 'REJECTED' });
      logger.info(
        { requestId: entry.requestId, outcome: 'REJECTED', errorCodes: codes, httpStatus: entry.httpStatus },
        'request refused',
      );
      const send = () => end(...args);
      if (!recorder.admit(entry.clientIp, codes[0], occurredAt)) return send();
      void recorder.record(entry, codes[0] !== 'DATABASE_UNAVAILABLE').then(send, send);
      return this;
    } as typeof res.end;
  };

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID_RE.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.get('/readyz', async (_req, res) => {
    try {
      const pending = await services.ds.showMigrations();
      if (pending) {
        res.status(503).json({ status: 'migrations pending' });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  mountGraphiql(app);
  mountAuditCheckpoint(app, services, logger);
  const exportRoutes = mountExports(app, {
    services,
    logger,
    refusals,
    audit: opts.audit !== false,
    maxComplexity: MAX_QUERY_COMPLEXITY,
  });
  // A browser opening /graphql gets the GraphiQL page rather than a bare 400.
  app.get('/graphql', (req, res, next) => {
    if (req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.redirect('/graphiql');
      return;
    }
    next();
  });
  const graphqlHandler = expressMiddleware(apollo, {
    context: async ({ req, res }) => {
      try {
        const ctx = await createContext(services, {
          authorization: req.get('authorization'),
          clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
          userAgent: req.get('user-agent'),
          requestId: res.locals.requestId as string,
          language: res.locals.language as LanguageChoice,
        });
        res.locals.graphqlContext = ctx;
        return ctx;
      } catch (e) {
        // The session look-up could not reach the database: a retryable 503, not a masked 500.
        if (!isDatabaseUnavailable(e)) throw e;
        res.locals.refusalReason = 'DATABASE_UNAVAILABLE';
        logger.warn({ err: e, requestId: res.locals.requestId }, 'database unavailable');
        metrics.databaseUnavailable.inc();
        throw toGraphQLError(new DatabaseUnavailableError(), { requestId: res.locals.requestId });
      }
    },
  });
  // Operations still executing (the drain may already have closed their connections): close()
  // waits for them, so the database is not closed under their resolvers and audit records.
  let executing = 0;
  let whenIdle: (() => void) | undefined;
  app.use(
    '/graphql',
    (req, res, next) => {
      if (refusals) recordRefusals(req, res, refusals);
      next();
    },
    express.json({ limit: '1mb' }),
    (req, res, next) => {
      executing += 1;
      const done = () => {
        executing -= 1;
        if (executing === 0) whenIdle?.();
      };
      // Settles once the operation has run and its response (and audit record) is done.
      // One operation scope per request: its database work uses one connection at a time (src/limits).
      // Its errors, also those Apollo Server answers before execution, in the request's language.
      // Read once: the context's language (the `lang` arguments' default) is the same choice.
      const choice = parseAcceptLanguage(req.get('accept-language'));
      res.locals.language = choice;
      const handle = () => inOperationScope(() => graphqlHandler(req, res, next));
      Promise.resolve(withErrorLanguage(choice.language, handle)).then(done, (e: unknown) => {
        done();
        next(e);
      });
    },
  );

  // A body express.json refuses (too large, not JSON) gets a GraphQL-shaped JSON error, not an HTML page.
  app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    const type = (err as { type?: unknown } | null)?.type;
    const refused = refusedBody(type);
    if (!refused || res.headersSent) {
      next(err);
      return;
    }
    res.locals.refusalReason = refusedBodyReason(type);
    sendError(req, res, refused);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  // The session cache is used once its revocation listener LISTENs (src/auth/session-cache.ts).
  services.sessionRevocations.start(logger);
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    schema,
    refusals,
    async close() {
      await apollo.stop();
      await services.sessionRevocations.stop();
      if (executing > 0) {
        // A statement runs at most DB_STATEMENT_TIMEOUT_MS: by then every operation has ended.
        const limit = (services.config.db.statementTimeoutMs || 30_000) + 5_000;
        logger.warn({ executing }, 'waiting for operations still executing');
        await new Promise<void>((resolve) => {
          whenIdle = resolve;
          setTimeout(resolve, limit).unref();
        });
      }
      // Exports still streaming end (or are cut by the drain) and write their completion records.
      await exportRoutes.idle((services.config.db.statementTimeoutMs || 30_000) + 5_000);
      // Counted refusals (summaries of this minute too) and records of the last operations are written.
      await refusals?.stop().catch((e: unknown) => logger.error({ err: e }, 'refusal records not written'));
      await services.audit.drain().catch(() => undefined);
      // Released request slots still queued are deleted now (else their leases expire).
      await services.limits.fair.close().catch((e: unknown) => logger.warn({ err: e }, 'request slots not released'));
    },
  };
}
