import { expect } from 'chai';
import http from 'node:http';
import { loadConfig } from '../../src/config';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { resetData, testDb } from '../support/db';
import { clearRateLimits, complaintCount, complaintInput } from './helpers';

const FILE = 'mutation($input: ComplaintInput!) { fileComplaint(input: $input) { id status } }';
const LIMIT = 3;
const WINDOW_MINUTES = 10;

interface Reply {
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/** POSTs fileComplaint to one server instance from a chosen local address (the whole 127/8 is loopback). */
function file(server: RunningServer, input: Record<string, unknown>, from = '127.0.0.1'): Promise<Reply> {
  const body = JSON.stringify({ query: FILE, variables: { input } });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/graphql',
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch (e) {
            reject(e as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const code = (r: Reply) => r.errors?.[0]?.extensions?.code;

describe('complaint rate limit (per client address, shared through PostgreSQL)', () => {
  // Two instances of the service over one database, as behind a load balancer, with a small limit.
  const clock = new FixedClock(new Date('2025-06-02T10:00:30.000Z'));
  let one: RunningServer;
  let two: RunningServer;

  before(async () => {
    await resetData();
    const { ds, url } = testDb();
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: url,
      COMPLAINT_RATE_LIMIT: String(LIMIT),
      COMPLAINT_RATE_WINDOW_MINUTES: String(WINDOW_MINUTES),
    });
    expect(config.complaints).to.include({ rateLimit: LIMIT, rateWindowMinutes: WINDOW_MINUTES });
    const logger = createLogger({ logLevel: 'silent' });
    one = await startHttpServer(createServices(config, ds, clock), logger, { host: '127.0.0.1', port: 0 });
    two = await startHttpServer(createServices(config, ds, clock), logger, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await one?.close();
    await two?.close();
  });

  beforeEach(async () => {
    clock.set(new Date('2025-06-02T10:00:30.000Z'));
    await clearRateLimits();
    await testDb().ds.query('TRUNCATE complaints RESTART IDENTITY');
  });

  it('accepts the configured number per window from one address, across instances, then answers RATE_LIMITED', async () => {
    const results = [
      await file(one, complaintInput()),
      await file(two, complaintInput()),
      await file(one, complaintInput()),
    ];
    expect(results.map((r) => r.data?.fileComplaint?.status)).to.deep.equal(['RECEIVED', 'RECEIVED', 'RECEIVED']);
    const refused = await file(two, complaintInput());
    expect(code(refused)).to.equal('RATE_LIMITED');
    expect(refused.data ?? null).to.equal(null);
    // The window 10:00–10:10 ends in 9.5 minutes.
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.equal(570);
    expect(code(await file(one, complaintInput()))).to.equal('RATE_LIMITED');
    expect(await complaintCount()).to.equal(LIMIT);
  });

  it('counts only accepted complaints: rejected input does not use up the allowance', async () => {
    for (let n = 0; n < LIMIT + 2; n += 1) {
      expect(code(await file(one, complaintInput({ name: '' })))).to.equal('BAD_USER_INPUT');
    }
    for (let n = 0; n < LIMIT; n += 1) expect(code(await file(two, complaintInput()))).to.equal(undefined);
    expect(code(await file(one, complaintInput()))).to.equal('RATE_LIMITED');
  });

  it('allows filings again in the next window, and refusals do not extend the current one', async () => {
    for (let n = 0; n < LIMIT; n += 1) await file(one, complaintInput());
    clock.set(new Date('2025-06-02T10:09:59.000Z'));
    expect(code(await file(one, complaintInput()))).to.equal('RATE_LIMITED');
    clock.set(new Date('2025-06-02T10:10:00.000Z'));
    for (let n = 0; n < LIMIT; n += 1) expect(code(await file(two, complaintInput()))).to.equal(undefined);
    expect(code(await file(two, complaintInput()))).to.equal('RATE_LIMITED');
    expect(await complaintCount()).to.equal(2 * LIMIT);
  });

  it('keeps a separate allowance for another client address', async () => {
    for (let n = 0; n < LIMIT; n += 1) await file(one, complaintInput());
    expect(code(await file(one, complaintInput()))).to.equal('RATE_LIMITED');
    expect(code(await file(one, complaintInput(), '127.0.0.2'))).to.equal(undefined);
    const [row] = await testDb().ds.query(`SELECT hits FROM complaint_rate_limits WHERE client_key = '127.0.0.2'`);
    expect(row.hits).to.equal(1);
  });

  it('lets exactly the limit through when many filings arrive at once on both instances', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, n) => file(n % 2 ? one : two, complaintInput())));
    // The outcome of every request, so a failure says what the odd one out answered.
    const outcomes = JSON.stringify(results.map((r) => code(r) ?? 'OK'));
    expect(
      results.filter((r) => code(r) === undefined),
      outcomes,
    ).to.have.length(LIMIT);
    expect(
      results.filter((r) => code(r) === 'RATE_LIMITED'),
      outcomes,
    ).to.have.length(12 - LIMIT);
    expect(await complaintCount()).to.equal(LIMIT);
  });
});
