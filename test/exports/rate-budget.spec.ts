/**
 * Exports are "cost- and rate-limited" (issue 11, item 2) by the same fair share as GraphQL (src/limits): an
 * export's cost is charged to the participant's rate budget and it takes one of the participant's request slots,
 * so GraphQL spending the budget refuses an export and an export spending it refuses GraphQL; an export holds its
 * slot until the file ends or the client goes. Refusals are 429 RATE_LIMITED with Retry-After, as GraphQL's are.
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { reservedPoolOf } from '../../src/db/pool';
import { EXPORT_STATEMENT_COST } from '../../src/exports/routes';
import { FairShare } from '../../src/limits/fair-share';
import { FixedClock } from '../../src/shared/clock';
import { auditRows } from '../audit/helpers';
import { startInstance, type Instance } from '../limits/helpers';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';
import { downloadFrom, insertBigTrader, pausedDownload, waitFor } from './helpers';

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
/** n × (500 + 1 + 1) points (test/limits/fair-share.spec.ts). */
const STATS = (n: number) => aliases(n, 'tradeStatistics(groupBy: [YEAR], first: 1) { truncated }');
const RATE = '{ rateLimit { requested remaining resetAt limit } }';
const code = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;
const STATS_CSV = '/export/statistics.csv?groupBy=YEAR';

async function slotsOf(participantId: string): Promise<number> {
  const c = new Client({ connectionString: testDb().url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT active AS n FROM rate_budgets WHERE client_key = $1`, [
      `p:${participantId}`,
    ]);
    return (rows[0]?.n as number | undefined) ?? 0;
  } finally {
    await c.end();
  }
}

describe('exports share the rate budget and request slots with GraphQL (issue 11, item 2)', () => {
  let inst: Instance;
  const clock = new FixedClock(new Date('2025-06-01T10:00:10.000Z'));
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const BIG_ITEMS = 20_000;

  before(async function () {
    this.timeout(120_000);
    await resetData();
    inst = await startInstance(
      {
        RATE_BUDGET_POINTS: '20000',
        RATE_WINDOW_SECONDS: '60',
        RATE_CONCURRENT_OPERATIONS: '1',
        RATE_WAIT_MS: '200',
      },
      clock,
    );
    for (const [i, name] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      ids[name] = await insertParticipant(`15000000${10 + i}`);
      await insertDeclarations(ids[name], [
        {
          number: `${name.toUpperCase()}-1`,
          date: '2024-02-02',
          direction: 'IM',
          items: [{ hs: '8471300000', country: 'CN', net: '1.000', gross: '2.000', azn: '10.00', usd: '5.88' }],
        },
      ]);
      tokens[name] = await traderToken(ids[name], inst.services);
    }
    ids.big = await insertParticipant('1500000020');
    await insertBigTrader(ids.big, BIG_ITEMS);
    tokens.big = await traderToken(ids.big, inst.services);
  });
  after(async () => {
    await inst?.stop();
    await resetData();
  });

  const dl = (path: string, token: string) => downloadFrom(inst.server.url, path, token);

  describe('the rate budget', () => {
    it('charges an export its cost to the budget GraphQL reports', async () => {
      const before = await inst.gql(RATE, {}, tokens.a);
      expect(before.errors).to.equal(undefined);
      const file = await dl(STATS_CSV, tokens.a);
      expect(file.status).to.equal(200);
      const after = await inst.gql(RATE, {}, tokens.a);
      expect(after.data.rateLimit.remaining).to.equal(
        before.data.rateLimit.remaining - EXPORT_STATEMENT_COST - after.data.rateLimit.requested,
      );
    });

    it('budget spent by GraphQL refuses an export: 429 RATE_LIMITED, Retry-After, nothing run or charged', async () => {
      const spent = await inst.gql(STATS(39), {}, tokens.b);
      expect(spent.errors, JSON.stringify(spent.errors)).to.equal(undefined);
      expect(spent.extensions!.cost).to.deep.include({ requested: 39 * 502, remaining: 20_000 - 39 * 502 });
      const refused = await dl(STATS_CSV, tokens.b);
      expect(refused.status).to.equal(429);
      // Until the window ends (10:01:00), as GraphQL says it.
      expect(refused.headers['retry-after']).to.equal('50');
      expect(refused.json!.errors[0].extensions).to.include({ code: 'RATE_LIMITED', retryAfterSeconds: 50 });
      expect((refused.json as any).extensions.cost).to.deep.equal({
        requested: EXPORT_STATEMENT_COST,
        remaining: 20_000 - 39 * 502,
        resetAt: '2025-06-01T10:01:00.000Z',
        limit: 20_000,
      });
      // Recorded as refused before anything ran: no STARTED record, no file.
      const rows = await auditRows('request_id = $1', [String(refused.headers['x-request-id'])]);
      expect(rows.map((r) => [r.outcome, r.error_codes])).to.deep.equal([['REJECTED', ['RATE_LIMITED']]]);
      // The refusal was not charged: what was left still covers a small operation.
      const rate = await inst.gql(RATE, {}, tokens.b);
      expect(rate.data.rateLimit.remaining).to.equal(20_000 - 39 * 502 - rate.data.rateLimit.requested);
      // Another trader's exports are not refused by it.
      expect((await dl(STATS_CSV, tokens.c)).status).to.equal(200);
    });

    it('budget spent by exports refuses GraphQL', async () => {
      const spent = await inst.gql(STATS(38), {}, tokens.d);
      expect(spent.extensions!.cost.remaining).to.equal(20_000 - 38 * 502);
      // 924 points left cover one more statistics call (502)...
      expect(20_000 - 38 * 502).to.be.at.least(502);
      expect((await dl(STATS_CSV, tokens.d)).status).to.equal(200);
      // ...but not after the export's 500.
      const refused = await inst.gql(STATS(1), {}, tokens.d);
      expect(code(refused)).to.equal('RATE_LIMITED');
      expect(refused.errors![0].extensions!.retryAfterSeconds).to.equal(50);
      expect(refused.extensions!.cost).to.deep.include({
        requested: 502,
        remaining: 20_000 - 38 * 502 - EXPORT_STATEMENT_COST,
      });
      // And a second export no longer fits either (424 < 500).
      expect((await dl(STATS_CSV, tokens.d)).status).to.equal(429);
    });

    it('exports refused by the budget give their place back: the next window exports again', async () => {
      // Three refusals (more than the two exports a trader may run at once) must not hold a place each.
      for (let i = 0; i < 3; i++) expect((await dl(STATS_CSV, tokens.b)).status).to.equal(429);
      clock.set(new Date('2025-06-01T10:01:00.000Z'));
      const file = await dl(STATS_CSV, tokens.b);
      expect(file.status, file.body.toString('utf8')).to.equal(200);
    });
  });

  describe('request slots', () => {
    it('an export holds one of the trader’s slots until the client goes; then it is released', async function () {
      this.timeout(60_000);
      const paused = await pausedDownload(`${inst.server.url}/export/declarations.csv`, tokens.big);
      try {
        expect(await slotsOf(ids.big)).to.equal(1);
        // RATE_CONCURRENT_OPERATIONS is 1: the same trader's GraphQL waits RATE_WAIT_MS, then is refused.
        const busy = await inst.gql('{ me { role } }', {}, tokens.big);
        expect(code(busy)).to.equal('RATE_LIMITED');
        expect(busy.errors![0].extensions!.retryAfterSeconds).to.equal(1);
        // Another trader is not held up.
        expect((await inst.gql('{ me { role } }', {}, tokens.a)).errors).to.equal(undefined);
      } finally {
        paused.req.destroy();
      }
      const done = await waitFor('the completion record', async () =>
        (await auditRows('request_id = $1', [paused.requestId])).find((r) => r.outcome !== 'STARTED'),
      );
      expect(done.error_codes).to.deep.equal(['CLIENT_DISCONNECTED']);
      await waitFor('the slot released', async () => ((await slotsOf(ids.big)) === 0 ? true : undefined));
      expect((await inst.gql('{ me { role } }', {}, tokens.big)).errors).to.equal(undefined);
      const again = await dl(STATS_CSV, tokens.big);
      expect(again.status).to.equal(200);
      // Releases go to the database with the next batch of admissions or a few ms later (src/limits/fair-share.ts).
      await waitFor('the second slot released', async () => ((await slotsOf(ids.big)) === 0 ? true : undefined));
    });

    it('a slot held by an operation on another instance refuses an export with 429 and Retry-After: 1', async () => {
      const { ds, config } = inst.services;
      const otherInstance = new FairShare(() => reservedPoolOf(ds, 2), clock, config.limits, 0);
      const held = await otherInstance.admit(`p:${ids.e}`, 1);
      try {
        const refused = await dl(STATS_CSV, tokens.e);
        expect(refused.status).to.equal(429);
        expect(refused.headers['retry-after']).to.equal('1');
        expect(refused.json!.errors[0].extensions).to.include({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      } finally {
        await held.release();
      }
      expect((await dl(STATS_CSV, tokens.e)).status).to.equal(200);
    });
  });
});
