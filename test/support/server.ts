/** The real HTTP server on a free port, over the test database, with a clock tests may move. */
import { expect } from 'chai';
import { createServices, type Services } from '../../src/services';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { onResetData, testDb } from './db';

export interface TestServer {
  server: RunningServer;
  services: Services;
  clock: FixedClock;
}

let current: TestServer | undefined;

export async function testServer(): Promise<TestServer> {
  if (current) return current;
  const { config, ds } = testDb();
  const clock = new FixedClock(new Date());
  const services = createServices(config, ds, clock);
  const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
  current = { server, services, clock };
  // A spec's small declarations must not be costed by the largest one of the spec before it (60 s cache).
  onResetData(() => services.limits.listMaxima.invalidate());
  return current;
}

/**
 * The shared test server with its clock set to the wall clock (openssl stamps signingTime with it)
 * and the address of its /graphql endpoint.
 */
export async function wallClockServer(): Promise<TestServer & { url: string }> {
  const ts = await testServer();
  ts.clock.set(new Date());
  return { ...ts, url: `${ts.server.url}/graphql` };
}

/** Mocha hooks: the shared test server's clock at `at` for the enclosing describe's tests, put back after them. */
export function pinClock(at: Date): void {
  let saved: Date;
  before(async () => {
    const { clock } = await testServer();
    saved = clock.now();
    clock.set(at);
  });
  after(async () => {
    (await testServer()).clock.set(saved);
  });
}

export async function stopTestServer(): Promise<void> {
  await current?.server.close();
  current = undefined;
}

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/**
 * POSTs one operation to /graphql, as a client would. It asks for English (`Accept-Language: en`), the
 * language of the specific messages tests assert; `lang` asks for another, `null` sends no header (the
 * service's default, Azerbaijani).
 */
export async function gql<T = any>(
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  opts: { lang?: string | null } = {},
): Promise<GqlResult<T>> {
  const { server } = await testServer();
  const lang = opts.lang === undefined ? 'en' : opts.lang;
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      // Node's fetch sends `*` when none is set: no choice, like a client sending none.
      ...(lang === null ? {} : { 'accept-language': lang }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlResult['errors'] };
  return { status: res.status, ...body };
}

/** POSTs one operation as `gql` does and returns its data, failing the test with the errors if it has any. */
export async function gqlData<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const r = await gql<T>(query, variables, token);
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data as T;
}

/**
 * Walks the connection `field` page by page (`first` a page, at most 10 pages), failing the test on
 * errors, and returns `pick(node)` of every edge in the order received.
 */
export async function walkPages(
  query: string,
  field: string,
  first: number,
  token: string,
  pick: (node: any) => string,
): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10; guard += 1) {
    const r = await gql(query, { first, after }, token);
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const connection = r.data[field];
    seen.push(...connection.edges.map((e: any) => pick(e.node)));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return seen;
}

/** The code of the first error, for negative tests. */
export function errorCode(r: GqlResult): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

type SessionPrincipal = Parameters<Services['sessions']['create']>[0];

/**
 * A session created directly through the session service (as tests and the demo may): a password login
 * with no participant, account or username and no pending password change unless `p` says otherwise;
 * on the shared test server's services unless a test's own are given.
 */
export async function openSession(p: Partial<SessionPrincipal>, services?: Services) {
  services ??= (await testServer()).services;
  return services.sessions.create({
    role: 'TRADER',
    authMethod: 'PASSWORD',
    participantId: null,
    userAccountId: null,
    username: null,
    mustChangePassword: false,
    detail: {},
    ...p,
  } as SessionPrincipal);
}

/** A trader session of `participantId` (see openSession). */
export async function traderToken(participantId: string, services?: Services): Promise<string> {
  return (await openSession({ role: 'TRADER', participantId }, services)).token;
}

/** An officer session as "officer1" (or `username`), opened at the test clock's current time. */
export async function officerToken(username = 'officer1'): Promise<string> {
  return (await openSession({ role: 'OFFICER', username })).token;
}
