/**
 * The optional PostGraphile comparison of the HTTP bench: PostGraphile 4 with @graphile/pg-aggregates
 * serving the same database's `public` tables under the same row-level security, with the same per-request
 * session look-up (SessionService.resolve on the bearer token, then PostGraphile's pgSettings set the
 * request role and `app.participant_id` in its own transaction, as RequestDb does). It writes no audit record.
 *
 * PostGraphile 4 needs graphql 15 and the service uses 16, so it lives in its own package tree:
 * `npm run bench:postgraphile-install` (npm ci in bench/postgraphile). When that tree is absent the case is
 * skipped with a message.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Services } from '../src/services';

const HOME = path.join(__dirname, 'postgraphile', 'node_modules');

export interface PostGraphileServer {
  readonly url: string;
  readonly version: string;
  close(): Promise<void>;
}

export function postgraphileInstalled(): boolean {
  return fs.existsSync(path.join(HOME, 'postgraphile', 'package.json'));
}

export async function startPostGraphile(dbUrl: string, services: Services): Promise<PostGraphileServer | undefined> {
  if (!postgraphileInstalled()) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { postgraphile } = require(path.join(HOME, 'postgraphile')) as { postgraphile: (...a: unknown[]) => any };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aggregates = require(path.join(HOME, '@graphile', 'pg-aggregates')) as { default: unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require(path.join(HOME, 'postgraphile', 'package.json')) as { version: string }).version;
  const appRole = services.config.db.appRole;
  const middleware = postgraphile(dbUrl, 'public', {
    appendPlugins: [aggregates.default],
    disableDefaultMutations: true,
    disableQueryLog: true,
    graphqlRoute: '/graphql',
    graphiql: false,
    retryOnInitFail: false,
    bodySizeLimit: '1MB',
    pgSettings: async (req: http.IncomingMessage) => {
      const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? '').trim());
      const viewer = m ? await services.sessions.resolve(m[1]!) : null;
      if (!viewer) throw new Error('the session is missing, expired or revoked');
      return { role: appRole, 'app.participant_id': viewer.participantId ?? '' };
    },
  });
  const server = http.createServer(middleware);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests whose clients the load generator dropped at the end of a run still finish on the pool.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await middleware.release?.();
    },
  };
}
