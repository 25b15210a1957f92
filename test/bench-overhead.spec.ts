/**
 * The accounting-overhead case of the HTTP load bench (bench/http.bench.ts, issue 10) and its rate limits, run for
 * about a second per measurement so the code cannot rot. Figures are not asserted, only that they are real: both
 * modes measured in interleaved runs, every request answered, accounting visible in the round trips. The limits
 * are made tight through the environment (1 slot, no wait, the smallest budget): the throughput cases must not
 * be refused (the bench lifts the limits for them), the noisy-neighbour flooder must be.
 */
import { expect } from 'chai';
import { failures, interleaved } from '../bench/http.bench';
import { runShortHttpBench, type ShortBench } from './support/bench';
import { resetData } from './support/db';

const TIGHT = { RATE_CONCURRENT_OPERATIONS: '1', RATE_WAIT_MS: '0', RATE_BUDGET_POINTS: '20000' };

describe('HTTP load bench: accounting overhead and rate limits (issue 10)', function () {
  this.timeout(300_000);
  let bench: ShortBench;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    await resetData();
    for (const [k, v] of Object.entries(TIGHT)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    try {
      bench = await runShortHttpBench({ cases: ['overhead', 'me', 'noisy'], overheadRounds: 1 });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
  after(() => resetData());

  const byName = (n: string) => bench.byName(n);

  it('interleaves the modes so that drift cancels: off, on, on, off, …', () => {
    expect(interleaved(1)).to.deep.equal([false, true]);
    expect(interleaved(3)).to.deep.equal([false, true, true, false, false, true]);
  });

  for (const name of ['me', 'declarations']) {
    it(`${name}: measured with accounting off and on, every request answered, the overhead printed`, () => {
      const o = byName(`overhead-${name}`).overhead!;
      expect(o.off).to.have.length(1);
      expect(o.on).to.have.length(1);
      for (const r of [...o.off, ...o.on]) {
        expect(r.requests).to.be.greaterThan(0);
        expect(failures(r), JSON.stringify(r.codes)).to.equal(0);
        // Cached sessions and batched admissions: `me` may average under one round trip, never none.
        expect(r.roundTripsPerRequest).to.be.at.least(name === 'me' ? 0.01 : 1);
      }
      expect(o.offRps).to.be.greaterThan(0);
      expect(o.onRps).to.be.greaterThan(0);
      expect(o.ratio).to.be.closeTo(1 - o.onRps / o.offRps, 1e-9);
      // The modes are what they say: records for (about) every request with accounting on, none without.
      expect(o.off[0]!.auditRecordsPerRequest).to.equal(0);
      expect(o.on[0]!.auditRecordsPerRequest).to.be.greaterThan(0.5);
      expect(bench.lines.join('\n')).to.match(/accounting overhead -?\d+\.\d % of the throughput/);
    });
  }

  it('throughput cases are not throttled by the rate limits (4 connections of one token against 1 slot)', () => {
    const r = byName('me');
    expect(r.service.requests).to.be.greaterThan(0);
    expect(r.service.rateLimited).to.equal(0);
    expect(failures(r.service), JSON.stringify(r.service.codes)).to.equal(0);
  });

  it('the noisy neighbour runs on the configured limits: the flooder gets RATE_LIMITED', () => {
    const r = byName('noisy');
    expect(r.service.rateLimited, bench.lines.join('\n')).to.be.greaterThan(0);
    expect(bench.lines.join('\n')).to.match(/rate limits as configured: 1 slots, 20,000 points per 60 s/);
  });
});
