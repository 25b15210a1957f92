/**
 * Every limit that refuses "for now" tells the client when to come back in one field, `retryAfterSeconds`:
 * whole seconds until the refusal ends, rounded up (the clock stands a fraction of a second into the wait, so
 * a rounded-down or millisecond value would differ), and no other retry field.
 */
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { LOGIN } from '../auth/helpers';
import { complaintInput } from '../complaints/helpers';
import { testDb } from '../support/db';

const FILE = 'mutation($input: ComplaintInput!) { fileComplaint(input: $input) { id } }';
const CHALLENGE = 'mutation { createLoginChallenge { id } }';

interface Reply {
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/** The refusal's code and retry fields, checking `retryAfterSeconds` is the only one and a positive integer. */
function retryOf(r: Reply): { code: unknown; retryAfterSeconds: number } {
  const ext = r.errors?.[0]?.extensions ?? {};
  expect(Object.keys(ext).filter((k) => /retry/i.test(k))).to.deep.equal(['retryAfterSeconds']);
  expect(Number.isInteger(ext.retryAfterSeconds) && ext.retryAfterSeconds > 0, String(ext.retryAfterSeconds)).to.equal(
    true,
  );
  return { code: ext.code, retryAfterSeconds: ext.retryAfterSeconds };
}

describe('retryAfterSeconds on every rate limit and lock', () => {
  // 10:00:30.250: a quarter second into the half minute, so no wait is a whole number of seconds.
  const START = new Date('2025-06-02T10:00:30.250Z');
  const clock = new FixedClock(START);
  let server: RunningServer;

  async function post(query: string, variables: Record<string, unknown> = {}): Promise<Reply> {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Reply;
  }

  before(async () => {
    const { ds, url } = testDb();
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: url,
      COMPLAINT_RATE_LIMIT: '1',
      COMPLAINT_RATE_WINDOW_MINUTES: '10',
      CHALLENGE_RATE_PER_MINUTE: '1',
      LOGIN_LOCKOUT_THRESHOLD: '1',
      LOGIN_LOCKOUT_BASE_SECONDS: '60',
      LOGIN_ADDRESS_MAX_FAILURES: '3',
      LOGIN_ADDRESS_WINDOW_MINUTES: '15',
    });
    server = await startHttpServer(createServices(config, ds, clock), createLogger({ logLevel: 'silent' }), {
      host: '127.0.0.1',
      port: 0,
    });
  });
  after(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    clock.set(START);
    const { ds } = testDb();
    await ds.query('DELETE FROM complaint_rate_limits');
    await ds.query('DELETE FROM challenge_rate_limits');
    await ds.query('DELETE FROM login_throttle');
  });

  it('complaints: RATE_LIMITED until the 10-minute window ends', async () => {
    expect((await post(FILE, { input: complaintInput() })).errors).to.equal(undefined);
    // The window 10:00–10:10 ends 569.75 s after 10:00:30.250.
    expect(retryOf(await post(FILE, { input: complaintInput() }))).to.deep.equal({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 570,
    });
  });

  it('login challenges: RATE_LIMITED until the calendar minute ends', async () => {
    expect((await post(CHALLENGE)).errors).to.equal(undefined);
    expect(retryOf(await post(CHALLENGE))).to.deep.equal({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  });

  it('login lockout: ACCOUNT_LOCKED until the lock ends', async () => {
    const first = await post(LOGIN, { u: 'c-nobody-locked', p: 'wrong' });
    expect(first.errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
    clock.advance(400); // the 60 s lock has 59.6 s left
    expect(retryOf(await post(LOGIN, { u: 'c-nobody-locked', p: 'wrong' }))).to.deep.equal({
      code: 'ACCOUNT_LOCKED',
      retryAfterSeconds: 60,
    });
  });

  it('login failures per address: RATE_LIMITED until the 15-minute window ends', async () => {
    for (const u of ['c-spray-1', 'c-spray-2', 'c-spray-3']) {
      expect((await post(LOGIN, { u, p: 'wrong' })).errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
    }
    clock.advance(1_300); // the window opened at the first failure: 898.7 s left
    expect(retryOf(await post(LOGIN, { u: 'c-spray-4', p: 'wrong' }))).to.deep.equal({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 899,
    });
  });
});
