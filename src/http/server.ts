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
import { isDatabaseUnavailable } from '../db/unavailable';
import { createContext, type GraphQLContext } from '../graphql/context';
import { complexityPlugin } from '../graphql/plugins/complexity.plugin';
import { makeFormatError, requestIdPlugin, toGraphQLError } from '../graphql/plugins/errors.plugin';
import { auditPlugin } from '../graphql/plugins/audit.plugin';
import { buildAppSchema } from '../graphql/schema';
import type { Services } from '../services';
import {
  BadRequestError,
  DatabaseUnavailableError,
  errorExtensions,
  PayloadTooLargeError,
  type AppError,
} from '../shared/errors';
import type { Logger } from '../shared/logger';
import { mountGraphiql } from './graphiql';

export const MAX_QUERY_COMPLEXITY = 20_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly schema: GraphQLSchema;
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

/** Answers an error outside GraphQL execution in the shape the GraphQL formatter gives (src/shared/errors.ts). */
function sendError(res: express.Response, e: AppError): void {
  res
    .status(e.httpStatus ?? 500)
    .json({ errors: [{ message: e.message, extensions: { ...errorExtensions(e), requestId: res.locals.requestId } }] });
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
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: development,
    formatError: makeFormatError(logger, development),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: opts.stopGraceMs ?? 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
      complexityPlugin(schema, MAX_QUERY_COMPLEXITY),
      requestIdPlugin(),
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
            }),
          ]),
    ],
  });
  await apollo.start();

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
        return await createContext(services, {
          authorization: req.get('authorization'),
          clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
          userAgent: req.get('user-agent'),
          requestId: res.locals.requestId as string,
        });
      } catch (e) {
        // The session look-up could not reach the database: a retryable 503, not a masked 500.
        if (!isDatabaseUnavailable(e)) throw e;
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
  app.use('/graphql', express.json({ limit: '1mb' }), (req, res, next) => {
    executing += 1;
    const done = () => {
      executing -= 1;
      if (executing === 0) whenIdle?.();
    };
    // Settles once the operation has run and its response (and audit record) is done.
    Promise.resolve(graphqlHandler(req, res, next)).then(done, (e: unknown) => {
      done();
      next(e);
    });
  });

  // A body express.json refuses (too large, not JSON) gets a GraphQL-shaped JSON error, not an HTML page.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    const refused = refusedBody((err as { type?: unknown } | null)?.type);
    if (!refused || res.headersSent) {
      next(err);
      return;
    }
    sendError(res, refused);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    schema,
    async close() {
      await apollo.stop();
      if (executing > 0) {
        // A statement runs at most DB_STATEMENT_TIMEOUT_MS: by then every operation has ended.
        const limit = (services.config.db.statementTimeoutMs || 30_000) + 5_000;
        logger.warn({ executing }, 'waiting for operations still executing');
        await new Promise<void>((resolve) => {
          whenIdle = resolve;
          setTimeout(resolve, limit).unref();
        });
      }
      // Records of the last operations (and the final checkpoint's predecessors) are written.
      await services.audit.drain().catch(() => undefined);
    },
  };
}
