/**
 * The floor of the HTTP bench: what the framework alone allows on this machine. The same express app
 * layout, body parser, Apollo Server 5 with the same schema (built by buildAppSchema), formatError and
 * plugins as src/http/server.ts (login-alone, complexity limit, request id), but without the database:
 * no session look-up (a fixed viewer), no audit plugin, and every resolver answers from memory. Each
 * root field returns the `data` the real service gave for the same query text (captured once, `fixed`),
 * every other field reads its own alias from its parent: the same response shape and size, and the same
 * scalar serialisation, at no database cost.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { isObjectType, type GraphQLFieldResolver } from 'graphql';
import type { Pool } from 'pg';
import { complexityPlugin } from '../src/graphql/plugins/complexity.plugin';
import { makeFormatError, requestIdPlugin } from '../src/graphql/plugins/errors.plugin';
import { loginAlonePlugin } from '../src/graphql/plugins/login-alone.plugin';
import { buildAppSchema } from '../src/graphql/schema';
import { ListMaxima } from '../src/limits/list-maxima';
import { MAX_QUERY_COMPLEXITY } from '../src/http/server';
import { createLogger } from '../src/shared/logger';

export interface FloorServer {
  readonly url: string;
  /** The `data` to answer for a query text (every variable set gets the same answer). */
  readonly fixed: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

interface FloorContext {
  requestId: string;
  clientIp: string;
  userAgent: string | null;
  viewer: unknown;
  sessionError: null;
  loginSession: null;
  audit: { inPipeline: boolean };
  data: Record<string, unknown> | undefined;
}

/** List maxima for the cost estimate from memory (the service reads them from the database once a minute). */
function memoryListMaxima(): ListMaxima {
  const rows = [{ items: 50, countries: 250, participantBlocks: 10 }];
  return new ListMaxima(() => ({ query: () => Promise.resolve({ rows }) }) as unknown as Pool);
}

export async function startFloorServer(): Promise<FloorServer> {
  const schema = await buildAppSchema();
  const root: GraphQLFieldResolver<unknown, FloorContext> = (_src, _args, ctx, info) => ctx.data?.[info.path.key];
  const field: GraphQLFieldResolver<unknown, unknown> = (src, _args, _ctx, info) =>
    (src as Record<string | number, unknown> | null)?.[info.path.key];
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const f of Object.values(type.getFields())) {
      f.resolve = (rootTypes.has(type) ? root : field) as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  const fixed = new Map<string, Record<string, unknown>>();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const logger = createLogger({ logLevel: 'silent' });
  const apollo = new ApolloServer<FloorContext>({
    schema,
    introspection: true,
    formatError: makeFormatError(logger, false),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      loginAlonePlugin(),
      complexityPlugin(schema, MAX_QUERY_COMPLEXITY, memoryListMaxima()) as never,
      requestIdPlugin() as never,
    ],
  });
  await apollo.start();
  const viewer = {
    sessionId: '1',
    role: 'TRADER',
    authMethod: 'PASSWORD',
    participantId: '1',
    userAccountId: null,
    username: null,
    mustChangePassword: false,
    expiresAt: new Date(8.64e15),
  };
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        requestId: res.locals.requestId as string,
        clientIp: req.ip ?? 'unknown',
        userAgent: req.get('user-agent') ?? null,
        viewer,
        sessionError: null,
        loginSession: null,
        audit: { inPipeline: false },
        data: fixed.get((req.body as { query?: string } | undefined)?.query ?? ''),
      }),
    }),
  );
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fixed,
    async close() {
      await apollo.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
