/**
 * The HTTP load bench (bench/http.bench.ts) run for about a second per measurement, so its code cannot rot:
 * it must report real figures (requests answered, no failures, a floor above zero, the session look-up's
 * round trips) and count refusals and unanswered requests as failures. No timing is asserted.
 */
import { expect } from 'chai';
import { failures } from '../bench/http.bench';
import { runLoad } from '../bench/load-client';
import { runShortHttpBench, type ShortBench } from './support/bench';
import { resetData } from './support/db';
import { testServer } from './support/server';

describe('HTTP load bench (npm run bench, part e)', function () {
  this.timeout(240_000);
  let bench: ShortBench;

  before(async () => {
    await resetData();
    bench = await runShortHttpBench({ cases: ['me', 'declarations', 'login', 'noisy'], logins: 12 });
  });
  after(() => resetData());

  const byName = (n: string) => bench.byName(n);

  for (const name of ['me', 'declarations']) {
    it(`${name}: the service and the floor answer every request, and the ratio is printed`, () => {
      const r = byName(name);
      expect(r.service.requests).to.be.greaterThan(0);
      expect(failures(r.service), JSON.stringify(r.service.codes)).to.equal(0);
      expect(r.floor!.requests).to.be.greaterThan(0);
      expect(r.floor!.rps).to.be.greaterThan(0);
      expect(failures(r.floor!), JSON.stringify(r.floor!.codes)).to.equal(0);
      expect(r.service.p99).to.be.at.least(r.service.p50);
      // Sessions come from the cache and admissions go in batches, so `me` may average under one round trip;
      // the declarations page is always one of its own. None at all would mean the database was not measured.
      expect(r.service.roundTripsPerRequest).to.be.at.least(name === 'me' ? 0.01 : 1);
      expect(bench.lines.join('\n')).to.match(/service\/floor \d+\.\d\d/);
    });
  }

  it('login: every signed challenge logs in exactly once, and logins/s is reported for service and floor', () => {
    const r = byName('login');
    expect(r.login!.challenge.requests).to.equal(12);
    expect(r.login!.login.requests).to.equal(12);
    expect(failures(r.login!.challenge)).to.equal(0);
    expect(failures(r.login!.login), JSON.stringify(r.login!.login.codes)).to.equal(0);
    expect(r.login!.perSecond).to.be.greaterThan(0);
    expect(r.login!.floorPerSecond).to.be.greaterThan(0);
  });

  it('noisy neighbour: the neighbours are measured alone and during the flood, the flooder is reported', () => {
    const r = byName('noisy');
    expect(r.neighboursAlone!.requests).to.be.greaterThan(0);
    expect(failures(r.neighboursAlone!)).to.equal(0);
    expect(r.neighbours!.requests + r.neighbours!.unanswered).to.be.greaterThan(0);
    expect(r.service.requests + r.service.unanswered).to.be.greaterThan(0);
    expect(bench.lines.join('\n')).to.match(/RATE_LIMITED \d+/);
  });

  it('counts refused requests as failures, with their codes (a bench that ignores errors reports nothing)', async () => {
    const { server } = await testServer();
    const r = await runLoad({
      id: 1,
      url: server.url,
      connections: 2,
      seconds: 1,
      bodies: [JSON.stringify({ query: '{ me { role } }' })],
      tokens: ['st_not_a_session'],
    });
    expect(r.requests).to.be.greaterThan(0);
    expect(r.gqlErrors).to.equal(r.requests);
    expect(r.codes.UNAUTHENTICATED).to.equal(r.requests);
    expect(failures(r)).to.be.at.least(r.requests);
  });

  it('with `once`, sends each body exactly once and does not count the extra requests', async () => {
    const { server } = await testServer();
    const bodies = Array.from({ length: 7 }, (_, i) => JSON.stringify({ query: `{ a${i}: __typename }` }));
    const r = await runLoad({
      id: 2,
      url: server.url,
      connections: 3,
      seconds: 1,
      bodies,
      once: true,
      tokens: [],
      keepBodies: true,
    });
    expect(r.requests).to.equal(7);
    expect(failures(r)).to.equal(0);
    expect(r.bodies!.map((b) => Object.keys((JSON.parse(b) as { data: object }).data)[0]).sort()).to.deep.equal(
      Array.from({ length: 7 }, (_, i) => `a${i}`).sort(),
    );
  });
});
