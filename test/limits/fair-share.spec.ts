/**
 * A fair share for every trader (issue 9, items 2 and 3): the rate budget with extensions.cost and
 * rateLimit, request slots that one trader cannot exceed while others and the audit writer carry on,
 * and two instances on one database sharing sessions, challenges, budgets and slots.
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { FixedClock } from '../../src/shared/clock';
import { cert, signCms } from '../pki/helpers';
import { beforeFreshData, testDb } from '../support/db';
import { insertDeclarations, insertOneImport, insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';
import { startInstance, type Instance } from './helpers';

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
/** 30 statistics: 30 × (500 + 1 + 1) = 15,060 points, under the cost limit, most of a 20,000 budget. */
const WIDE = aliases(30, 'tradeStatistics(groupBy: [YEAR], first: 1) { truncated }');
const WIDE_COST = 15_060;
const RATE = '{ rateLimit { requested remaining resetAt limit } }';
const code = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;

async function ownerClient(): Promise<Client> {
  const c = new Client({ connectionString: testDb().url });
  await c.connect();
  return c;
}

describe('rate budget (issue 9)', () => {
  let inst: Instance;
  let a: string;
  let b: string;
  const clock = new FixedClock(new Date('2025-06-01T10:00:10.000Z'));

  beforeFreshData(async () => {
    inst = await startInstance({ RATE_BUDGET_POINTS: '20000', RATE_WINDOW_SECONDS: '60' }, clock);
    a = await traderToken(await insertParticipant('1400000011'), inst.services);
    b = await traderToken(await insertParticipant('1400000012'), inst.services);
  });
  after(async () => {
    await inst?.stop();
  });

  it('shows extensions.cost on every response and rateLimit returns the same', async () => {
    const first = await inst.gql('{ me { role } }', {}, a);
    expect(first.errors).to.equal(undefined);
    const c = first.extensions!.cost.requested as number;
    expect(c).to.be.within(1, 10);
    expect(first.extensions!.cost).to.deep.equal({
      requested: c,
      remaining: 20_000 - c,
      resetAt: '2025-06-01T10:01:00.000Z',
      limit: 20_000,
    });
    const second = await inst.gql('{ me { role } }', {}, a);
    expect(second.extensions!.cost.remaining).to.equal(20_000 - 2 * c);
    const r = await inst.gql(RATE, {}, a);
    expect(r.data.rateLimit).to.deep.equal(r.extensions!.cost);
    expect(r.data.rateLimit.remaining).to.equal(20_000 - 2 * c - r.data.rateLimit.requested);
    // Refusals before execution show the budget as it stands, charged nothing.
    for (const q of ['{ me { noSuchField } }', aliases(200, 'tradeStatistics(groupBy: [YEAR]) { truncated }')]) {
      const refused = await inst.gql(q, {}, a);
      expect(code(refused)).to.be.oneOf(['GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']);
      expect(refused.extensions!.cost).to.deep.include({ requested: 0, remaining: r.data.rateLimit.remaining });
    }
  });

  it('refuses an operation the budget no longer covers with RATE_LIMITED until the window ends; others unaffected', async () => {
    const before = (await inst.gql(RATE, {}, a)).data.rateLimit.remaining as number;
    const ok = await inst.gql(WIDE, {}, a);
    expect(ok.errors, JSON.stringify(ok.errors)).to.equal(undefined);
    expect(ok.extensions!.cost).to.deep.include({ requested: WIDE_COST, remaining: before - WIDE_COST });
    const refused = await inst.gql(WIDE, {}, a);
    expect(code(refused)).to.equal('RATE_LIMITED');
    expect(refused.data).to.equal(undefined);
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.equal(50);
    expect(refused.extensions!.cost).to.deep.include({ requested: WIDE_COST, remaining: before - WIDE_COST });
    // Nothing was charged for the refusal; a smaller operation still fits.
    const small = await inst.gql(RATE, {}, a);
    expect(small.data.rateLimit.remaining).to.equal(before - WIDE_COST - small.data.rateLimit.requested);
    // Another trader's budget is its own.
    const other = await inst.gql(WIDE, {}, b);
    expect(other.errors).to.equal(undefined);
    expect(other.extensions!.cost.remaining).to.equal(20_000 - WIDE_COST);
    // The next window is whole again.
    clock.set(new Date('2025-06-01T10:01:00.000Z'));
    const next = await inst.gql(WIDE, {}, a);
    expect(next.errors).to.equal(undefined);
    expect(next.extensions!.cost).to.deep.equal({
      requested: WIDE_COST,
      remaining: 20_000 - WIDE_COST,
      resetAt: '2025-06-01T10:02:00.000Z',
      limit: 20_000,
    });
  });

  it('charges anonymous requests to the client address, apart from the traders', async () => {
    const one = await inst.gql('{ countries { code } }');
    expect(one.errors).to.equal(undefined);
    const two = await inst.gql('{ countries { code } }');
    expect(two.extensions!.cost.remaining).to.equal(one.extensions!.cost.remaining - two.extensions!.cost.requested);
    const trader = await inst.gql(RATE, {}, b);
    expect(trader.data.rateLimit.remaining).to.equal(20_000 - trader.data.rateLimit.requested);
    // A token that is no live session is not a way to another budget: the request is refused as before.
    const forged = await inst.gql('{ me { role } }', {}, 'cts_forged');
    expect(code(forged)).to.equal('UNAUTHENTICATED');
  });

  it('keeps budgets and slots out of the request role’s reach', async () => {
    const c = await ownerClient();
    try {
      const role = testDb().config.db.appRole;
      for (const sql of [
        'SELECT * FROM rate_budgets',
        "UPDATE rate_budgets SET spent = 0 WHERE client_key = 'p:1'",
        "SELECT * FROM rate_admit_batch('{}', '{p:1}', '{1}', now(), 60, 1000, 0, 60)",
      ]) {
        await c.query('BEGIN');
        await c.query(`SET LOCAL ROLE ${role}`);
        const e = await c.query(sql).then(
          () => undefined,
          (x: { code?: string }) => x.code,
        );
        await c.query('ROLLBACK');
        expect(e, sql).to.equal('42501');
      }
    } finally {
      await c.end();
    }
  });
});

describe('request slots: one trader holding every slot it may (issue 9, bypass 3)', () => {
  const env = { DB_POOL_MAX: '4', RATE_CONCURRENT_OPERATIONS: '2', RATE_WAIT_MS: '300' };
  let one: Instance;
  let two: Instance;
  let flooder: string;
  let other: string;

  beforeFreshData(async () => {
    one = await startInstance(env);
    two = await startInstance(env, one.clock);
    const f = await insertParticipant('1400000021');
    const o = await insertParticipant('1400000022');
    const items = [{ hs: '8471300000', country: 'TR', net: '1.000', gross: '1.000', azn: '1.00', usd: '1.00' }];
    await insertDeclarations(f, [{ number: 'F-1', date: '2024-01-05', direction: 'IM', items }]);
    await insertDeclarations(o, [{ number: 'O-1', date: '2024-01-06', direction: 'IM', items }]);
    flooder = await traderToken(f, one.services);
    other = await traderToken(o, one.services);
  });
  after(async () => {
    await one?.stop();
    await two?.stop();
  });

  it("lets another trader's query and its audit record through while the flooder's extra operations get RATE_LIMITED", async () => {
    const small = '{ declarations(first: 5) { edges { node { number } } } }';
    // Warm: the cost estimate's list maxima are read before the items are locked.
    for (const i of [one, two]) expect((await i.gql(small, {}, other)).errors).to.equal(undefined);
    const locker = await ownerClient();
    const watcher = await ownerClient();
    const waiting = async () =>
      Number(
        (
          await watcher.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND backend_type = 'client backend'`,
          )
        ).rows[0].n,
      );
    const held: Promise<{ data?: any; errors?: { extensions?: Record<string, any> }[] }>[] = [];
    try {
      // The flooder's statistics read the items (or their rollups): they wait on the lock, each holding its slot.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE declaration_items, trade_rollups IN ACCESS EXCLUSIVE MODE');
      const wide = aliases(8, 'tradeStatistics(groupBy: [YEAR]) { totals { itemCount } }');
      held.push(one.gql(wide, {}, flooder), one.gql(wide, {}, flooder));
      for (let i = 0; i < 200 && (await waiting()) < 2; i += 1) await new Promise((r) => setTimeout(r, 25));
      expect(await waiting()).to.equal(2);

      // Beyond its two slots, on this instance and on the other one: RATE_LIMITED after a short wait.
      const extra = await Promise.all([
        one.gql(wide, {}, flooder),
        two.gql(wide, {}, flooder),
        two.gql(small, {}, flooder),
      ]);
      for (const r of extra) {
        expect(code(r), JSON.stringify(r.errors)).to.equal('RATE_LIMITED');
        expect(r.errors![0].extensions!.retryAfterSeconds).to.equal(1);
      }

      // Another trader, on both instances, and the audit writer still get their connections.
      for (const i of [one, two]) {
        const r = await i.gql(small, {}, other);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(r.data.declarations.edges.map((e: any) => e.node.number)).to.deep.equal(['O-1']);
        const [rec] = (
          await watcher.query<{ outcome: string }>('SELECT outcome FROM audit_records WHERE request_id = $1', [
            r.requestId,
          ])
        ).rows;
        expect(rec?.outcome).to.equal('SUCCESS');
      }
      // Eight aliases each, yet each operation holds one connection: still two waiting.
      expect(await waiting()).to.equal(2);
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await locker.end();
      await watcher.end();
    }
    for (const r of await Promise.all(held)) {
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      expect(r.data.a0.totals.itemCount).to.equal(1);
    }
    // Slots are released: the flooder runs again.
    expect((await two.gql(small, {}, flooder)).errors).to.equal(undefined);
  });
});

describe('two instances, one database (issue 9, item 3)', () => {
  let one: Instance;
  let two: Instance;

  beforeFreshData(async () => {
    // openssl stamps the signing time with the wall clock; both instances share one fixed clock.
    const clock = new FixedClock(new Date());
    const env = { RATE_BUDGET_POINTS: '20000', RATE_WINDOW_SECONDS: '3600' };
    one = await startInstance(env, clock);
    two = await startInstance(env, clock);
    const p = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    await insertOneImport(p, 'TWO-1', '2024-05-05', ['8703230000', 'DE', '1.000', '1.000', '1.00', '1.00']);
  });
  after(async () => {
    await one?.stop();
    await two?.stop();
  });

  it('logs in on one (challenge from the other), queries on the other, and spends one budget across both', async () => {
    const c = await one.gql('mutation { createLoginChallenge { id toBeSigned } }');
    expect(c.errors, JSON.stringify(c.errors)).to.equal(undefined);
    const anonymous = c.extensions!.cost.remaining as number;
    const sig = signCms('legal-rsa', c.data.createLoginChallenge.toBeSigned, { certfile: cert('issuing-ca') });
    const login = await two.gql(
      'mutation($id: ID!, $s: String!) { loginWithSignature(challengeId: $id, signature: $s) { token } }',
      { id: c.data.createLoginChallenge.id, s: sig },
    );
    expect(login.errors, JSON.stringify(login.errors)).to.equal(undefined);
    // The client address's budget is one across both instances.
    expect(login.extensions!.cost.remaining).to.equal(anonymous - login.extensions!.cost.requested);
    const token = login.data.loginWithSignature.token as string;

    const q1 = await one.gql('{ declarations(first: 5) { edges { node { number } } } }', {}, token);
    expect(q1.errors).to.equal(undefined);
    expect(q1.data.declarations.edges[0].node.number).to.equal('TWO-1');
    const q2 = await two.gql('{ me { role } }', {}, token);
    expect(q2.data.me.role).to.equal('TRADER');
    expect(q2.extensions!.cost.remaining).to.equal(q1.extensions!.cost.remaining - q2.extensions!.cost.requested);
    expect(q2.extensions!.cost.resetAt).to.equal(q1.extensions!.cost.resetAt);

    const spend = await one.gql(WIDE, {}, token);
    expect(spend.errors).to.equal(undefined);
    const refused = await two.gql(WIDE, {}, token);
    expect(code(refused)).to.equal('RATE_LIMITED');
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.be.within(1, 3600);
    const seen = await two.gql(RATE, {}, token);
    expect(seen.data.rateLimit.remaining).to.equal(spend.extensions!.cost.remaining - seen.data.rateLimit.requested);
  });
});
