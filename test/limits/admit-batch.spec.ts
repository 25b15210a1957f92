/**
 * Group admission and deferred release (src/limits/fair-share.ts, AdmitBatcher): the admits of a
 * burst share one round trip, each charged in turn as if alone; a released slot's lease row goes
 * with the next batch or on its own shortly after, never awaited by the response; a failed batch
 * rejects every admit in it with the database's error, holds no local slot and keeps its releases.
 */
import { expect } from 'chai';
import pg, { Pool } from 'pg';
import { FairShare, RateRefusal, type LimitsConfig } from '../../src/limits/fair-share';
import { FixedClock } from '../../src/shared/clock';
import { beforeFreshData, testDb } from '../support/db';
import { roundTrips } from '../support/round-trips';

const clock = new FixedClock(new Date('2025-06-01T10:00:10.000Z'));

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

describe('group admission and deferred release (issue 9, fair share in fewer round trips)', () => {
  let pools: Pool[] = [];
  const pool = (options: pg.PoolConfig = {}) => {
    const p = new Pool({ connectionString: testDb().url, max: 3, ...options });
    pools.push(p);
    return p;
  };
  const fair = (cfg: Partial<LimitsConfig>, p: () => Pool) =>
    new FairShare(
      p,
      clock,
      { concurrentOperations: 0, waitMs: 200, budgetPoints: 1_000_000, windowSeconds: 60, ...cfg },
      30_000,
    );
  let owner: Pool;
  const slotsOf = async (key: string) =>
    Number(
      (await owner.query<{ n: string }>('SELECT active AS n FROM rate_budgets WHERE client_key = $1', [key])).rows[0]
        ?.n ?? 0,
    );
  const spentOf = async (key: string) =>
    Number(
      (await owner.query<{ spent: string }>('SELECT spent FROM rate_budgets WHERE client_key = $1', [key])).rows[0]
        ?.spent ?? 0,
    );

  beforeFreshData(async () => {
    owner = pool();
    await owner.query('SELECT 1');
  });
  afterEach(async () => {
    await owner.query('TRUNCATE rate_budgets');
  });
  after(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    pools = [];
  });

  it('sends 20 concurrent admits in one round trip, each with its own key’s outcome', async () => {
    const p = pool();
    await p.query('SELECT 1');
    const f = fair({ concurrentOperations: 4 }, () => p);
    // Keys in descending order, so the batch's key order is not the arrival order.
    const keys = Array.from({ length: 20 }, (_, i) => `p:${String(99 - i).padStart(3, '0')}`);
    const { value, trips, texts } = await roundTrips(() => Promise.all(keys.map((k, i) => f.admit(k, 10 + i))));
    expect(trips, texts.join('\n---\n')).to.equal(1);
    expect(texts[0]).to.contain('rate_admit');
    value.forEach((a, i) => {
      expect(a.report.requested).to.equal(10 + i);
      expect(a.report.remaining, keys[i]).to.equal(1_000_000 - (10 + i));
      expect(a.report.resetAt.toISOString()).to.equal('2025-06-01T10:01:00.000Z');
    });
    for (const [i, k] of keys.entries()) {
      expect(await spentOf(k)).to.equal(10 + i);
      expect(await slotsOf(k)).to.equal(1);
    }
    for (const a of value) await a.release();
    await f.close();
  });

  it('charges a concurrent burst of one key exactly the sum of the admitted costs, refusing exactly the over-budget ones in turn', async () => {
    const p = pool();
    const f = fair({ budgetPoints: 200 }, () => p);
    const costs = [30, 50, 40, 70, 25, 5, 60, 1, 90, 3, 10, 45, 2, 8, 100, 4, 6, 7, 1, 20];
    const outcomes = await Promise.all(costs.map((c) => settle(f.admit('p:burst', c))));
    // What sending them one by one, in this order, gives.
    let spent = 0;
    const expected = costs.map((c) => {
      if (spent + c > 200) return { ok: false, remaining: 200 - spent };
      spent += c;
      return { ok: true, remaining: 200 - spent };
    });
    expect(expected.filter((e) => !e.ok).length).to.be.greaterThan(3);
    outcomes.forEach((o, i) => {
      if (o.ok) {
        expect(expected[i], `admit ${i} (cost ${costs[i]})`).to.deep.equal({
          ok: true,
          remaining: o.value.report.remaining,
        });
      } else {
        expect(o.error).to.be.instanceOf(RateRefusal);
        const r = o.error as RateRefusal;
        expect(r.retryAfterSeconds).to.equal(50);
        expect(expected[i], `admit ${i} (cost ${costs[i]})`).to.deep.equal({
          ok: false,
          remaining: r.report.remaining,
        });
      }
    });
    expect(await spentOf('p:burst')).to.equal(spent);
    await f.close();
  });

  it('keeps one budget and one cap across two instances on one database under a concurrent burst', async () => {
    const p1 = pool();
    const p2 = pool();
    const one = fair({ budgetPoints: 300 }, () => p1);
    const two = fair({ budgetPoints: 300 }, () => p2);
    const costs = Array.from({ length: 40 }, (_, i) => 5 + ((i * 7) % 23));
    const outcomes = await Promise.all(
      costs.map((c, i) => settle((i % 2 ? two : one).admit(i % 3 ? 'p:shared' : 'p:other', c))),
    );
    for (const key of ['p:shared', 'p:other']) {
      const mine = outcomes.map((o, i) => ({ o, cost: costs[i], key: i % 3 ? 'p:shared' : 'p:other' }));
      const admitted = mine.filter((m) => m.key === key && m.o.ok).reduce((s, m) => s + m.cost, 0);
      const spent = await spentOf(key);
      expect(spent, key).to.equal(admitted);
      expect(spent).to.be.at.most(300);
      for (const m of mine.filter((x) => x.key === key && !x.o.ok)) {
        expect((m as { o: { error: unknown } }).o.error).to.be.instanceOf(RateRefusal);
        // Refused only when it did not fit: spending only grows, so it does not fit the end either.
        expect(spent + m.cost, `${key} cost ${m.cost}`).to.be.greaterThan(300);
      }
    }
    expect(outcomes.filter((o) => !o.ok).length).to.be.greaterThan(0);

    // One cap of 2 between them: instance one holds both slots, instance two is BUSY until one is released.
    const c1 = fair({ concurrentOperations: 2, waitMs: 150 }, () => p1);
    const c2 = fair({ concurrentOperations: 2, waitMs: 3_000 }, () => p2);
    const held = await Promise.all([c1.admit('p:cap', 1), c1.admit('p:cap', 1)]);
    const c2short = fair({ concurrentOperations: 2, waitMs: 150 }, () => p2);
    const busy = await settle(c2short.admit('p:cap', 1));
    expect(busy.ok).to.equal(false);
    expect((busy as { error: RateRefusal }).error).to.be.instanceOf(RateRefusal);
    expect((busy as { error: RateRefusal }).error.retryAfterSeconds).to.equal(1);
    expect(await slotsOf('p:cap')).to.equal(2);
    // A release on instance one reaches the other without any admit of instance one.
    const waiting = c2.admit('p:cap', 1);
    await new Promise((r) => setTimeout(r, 30));
    await held[0].release();
    const got = await waiting;
    expect(got.report.requested).to.equal(1);
    expect(await slotsOf('p:cap')).to.equal(2);
    await held[1].release();
    await got.release();
    for (const f of [one, two, c1, c2, c2short]) await f.close();
    expect(await slotsOf('p:cap')).to.equal(0);
  });

  it('lets two instances batch the same keys in opposite orders without deadlocking', async () => {
    const p1 = pool();
    const p2 = pool();
    const one = fair({}, () => p1);
    const two = fair({}, () => p2);
    const keys = Array.from({ length: 30 }, (_, i) => `p:dl${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 10; round += 1) {
      // Each batch locks every key's budget row; arriving in opposite orders, they would wait on each other.
      const outcomes = await Promise.all([
        ...keys.map((k) => settle(one.admit(k, 1))),
        ...[...keys].reverse().map((k) => settle(two.admit(k, 1))),
      ]);
      for (const o of outcomes) expect(o.ok, String((o as { error?: unknown }).error)).to.equal(true);
    }
    for (const k of keys) expect(await spentOf(k)).to.equal(20);
  });

  it('refuses an admit the database could not take on its own, without failing the others of its batch', async () => {
    const p = pool();
    const f = fair({}, () => p);
    const { value: outcomes, trips } = await roundTrips(() =>
      Promise.all([
        settle(f.admit('p:ok1', 2)),
        settle(f.admit('p:nul\0', 1)),
        settle(f.admit('p:frac', 1.5)),
        settle(f.admit('p:neg', -1)),
        settle(f.admit('x'.repeat(201), 1)),
        settle(f.admit('p:ok2', 3)),
      ]),
    );
    expect(trips).to.equal(1);
    expect(outcomes.map((o) => o.ok)).to.deep.equal([true, false, false, false, false, true]);
    for (const o of outcomes.slice(1, 5)) expect((o as { error: unknown }).error).to.be.instanceOf(TypeError);
    expect(await spentOf('p:ok1')).to.equal(2);
    expect(await spentOf('p:ok2')).to.equal(3);
    expect(await spentOf('p:frac')).to.equal(0);
  });

  it('releases without a round trip on the way out; the lease row is gone shortly after, with no later admit', async () => {
    const p = pool();
    const f = fair({ concurrentOperations: 1 }, () => p);
    const a = await f.admit('p:rel', 3);
    expect(await slotsOf('p:rel')).to.equal(1);
    const { trips } = await roundTrips(() => a.release());
    expect(trips).to.equal(0);
    // The in-process slot is free at once: the next admit does not wait for the database row.
    await until('the released lease row is deleted', async () => (await slotsOf('p:rel')) === 0);
    expect(f.pendingReleases).to.equal(0);
    // Releasing twice releases once.
    await a.release();
    expect(f.pendingReleases).to.equal(0);
  });

  it('sends queued releases with the next admit, in the same round trip', async () => {
    const p = pool();
    const f = fair({ concurrentOperations: 1, waitMs: 0 }, () => p);
    const a = await f.admit('p:next', 1);
    const { value, trips, texts, params } = await roundTrips(async () => {
      await a.release();
      // Local cap 1, no wait: admitted only because the local slot is free at once, and the
      // database's cap only because the release is deleted before this admit in that round trip.
      return f.admit('p:next', 1);
    });
    expect(trips, texts.join('\n---\n')).to.equal(1);
    // The release (its key in the first array) and the admit (the second) in the one call.
    expect(texts[0]).to.match(/rate_admit_batch\(\$1::text\[\], \$2::text\[\]/);
    expect(params[0].slice(0, 2)).to.deep.equal([['p:next'], ['p:next']]);
    expect(await slotsOf('p:next')).to.equal(1);
    await value.release();
    await f.close();
  });

  it('frees the slots of an instance that died once the key has been idle for the lease, not before', async () => {
    const start = clock.now();
    const p = pool();
    // Instance one takes the key's only slot and dies without releasing it (its release never comes).
    const dead = fair({ concurrentOperations: 1, waitMs: 0 }, () => p);
    await dead.admit('p:leak', 1);
    const alive = fair({ concurrentOperations: 1, waitMs: 0 }, () => p);
    try {
      expect(await slotsOf('p:leak')).to.equal(1);
      // The lease is four statement timeouts (30 s here): 120 s. Just before it ends the slot still counts.
      clock.advance(119_000);
      const early = await settle(alive.admit('p:leak', 1));
      expect(early.ok).to.equal(false);
      expect((early as { error: unknown }).error).to.be.instanceOf(RateRefusal);
      clock.advance(1_000);
      const late = await alive.admit('p:leak', 1);
      expect(await slotsOf('p:leak')).to.equal(1);
      await late.release();
      await alive.close();
      expect(await slotsOf('p:leak')).to.equal(0);
    } finally {
      clock.set(start);
    }
  });

  it('counts a busy key in its budget row: a thousand admissions and releases leave one row and no slot', async () => {
    const p = pool();
    const f = fair({ concurrentOperations: 4 }, () => p);
    for (let i = 0; i < 250; i += 1) {
      const held = await Promise.all([1, 2, 3, 4].map(() => f.admit('p:busy', 1)));
      for (const h of held) await h.release();
    }
    await f.close();
    expect(await spentOf('p:busy')).to.equal(1000);
    expect(await slotsOf('p:busy')).to.equal(0);
    const { rows } = await owner.query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'rate%' ORDER BY 1`,
    );
    // No table of a row per running operation any more (the rows it churned slowed every admission).
    expect(rows.map((r) => r.t)).to.deep.equal(['rate_budgets']);
  });

  it('flushes queued releases on close', async () => {
    const p = pool();
    const f = fair({ concurrentOperations: 2 }, () => p);
    const held = await Promise.all([f.admit('p:close', 1), f.admit('p:close', 1)]);
    for (const a of held) await a.release();
    expect(f.pendingReleases).to.equal(2);
    await f.close();
    expect(f.pendingReleases).to.equal(0);
    expect(await slotsOf('p:close')).to.equal(0);
  });

  it('rejects every admit of a batch the database refuses with its error, holds no local slot and keeps the releases', async () => {
    const good = pool();
    const refusing = pool({ options: '-c default_transaction_read_only=on' });
    let current = good;
    const f = fair({ concurrentOperations: 2, waitMs: 200 }, () => current);
    const held = await f.admit('p:fail', 1);
    current = refusing;
    await held.release();
    const outcomes = await Promise.all(['p:fail', 'p:fail', 'p:x', 'p:y'].map((k) => settle(f.admit(k, 1))));
    for (const o of outcomes) {
      expect(o.ok).to.equal(false);
      expect((o as { error: { code?: string } }).error.code).to.equal('25006'); // read-only transaction
    }
    // The release went in that failed batch: still queued, its row still there.
    expect(f.pendingReleases).to.equal(1);
    expect(await slotsOf('p:fail')).to.equal(1);
    const closed = await settle(f.close());
    expect(closed.ok).to.equal(false);
    expect((closed as { error: { code?: string } }).error.code).to.equal('25006');
    expect(f.pendingReleases).to.equal(1);
    // Back to a working database: both local slots are free (no wait, no BUSY), and the kept release goes first.
    current = good;
    const again = await Promise.all([f.admit('p:fail', 1), f.admit('p:fail', 1)]);
    expect(f.pendingReleases).to.equal(0);
    expect(await slotsOf('p:fail')).to.equal(2);
    for (const a of again) await a.release();
    await f.close();
    expect(await slotsOf('p:fail')).to.equal(0);
  });

  it('rejects the waiters of a batch on an ended pool with its error and holds no local slot', async () => {
    const p = pool();
    await p.end();
    const f = fair({ concurrentOperations: 1, waitMs: 200 }, () => p);
    const outcomes = await Promise.all([settle(f.admit('p:end', 1)), settle(f.admit('p:other', 1))]);
    for (const o of outcomes) {
      expect(o.ok).to.equal(false);
      expect(String((o as { error: unknown }).error)).to.match(/after calling end on the pool/);
    }
    // The local slot of p:end (cap 1) is free again: this admit reaches the pool at once and gets
    // the same error, not RATE_LIMITED.
    const third = await settle(f.admit('p:end', 1));
    expect(String((third as { error: unknown }).error)).to.match(/after calling end on the pool/);
    expect((third as { error: unknown }).error).not.to.be.instanceOf(RateRefusal);
  });
});
