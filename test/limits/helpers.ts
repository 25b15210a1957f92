/**
 * Service instances of their own over the test database, as separate `npm start` processes would
 * be: each with its own configuration, DataSource (connection pools) and in-process state, one
 * database between them.
 */
import { loadConfig } from '../../src/config';
import { dataSourceFor } from '../../src/db/database';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices, type Services } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { testDb } from '../support/db';
import type { GqlResult } from '../support/server';

export interface Instance {
  server: RunningServer;
  services: Services;
  clock: FixedClock;
  /** POSTs one operation; the response's X-Request-Id and extensions come along. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T> & { requestId: string; extensions?: Record<string, any> }>;
  stop(): Promise<void>;
}

export async function startInstance(
  env: Record<string, string>,
  clock = new FixedClock(new Date()),
): Promise<Instance> {
  const { url } = testDb();
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: url, ...env });
  const ds = dataSourceFor(url, config);
  await ds.initialize();
  const services = createServices(config, ds, clock);
  const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
  return {
    server,
    services,
    clock,
    async gql(query, variables, token) {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Record<string, any>;
      return { status: res.status, requestId: res.headers.get('x-request-id') ?? '', ...body };
    },
    async stop() {
      await server.close();
      await ds.destroy();
    },
  };
}

/** Counts the values of a JSON response (object, list element, scalar, null: 1 each), as introspection is costed. */
export function countValues(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((n: number, x) => n + countValues(x), 0);
  if (v !== null && typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + countValues(x), 0);
  return 1;
}
