/**
 * The demo tokens npm start prints are ordinary sessions: the banner must name both limits, and
 * both must hold (a token unused for the idle limit ends even though the absolute limit is far).
 */
import { expect } from 'chai';
import { demoSessions, demoTokenLifetime } from '../../src/cli/demo';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { gql, testServer } from '../support/server';

const ME = '{ me { role } }';

describe('npm start: the demo tokens and what the banner says about them', () => {
  beforeEach(resetData);

  it('names the idle and the absolute limit with their variables', () => {
    const text = demoTokenLifetime({ idleMinutes: 7, absoluteHours: 5 });
    expect(text).to.contain('7 min without a request (SESSION_IDLE_MINUTES)');
    expect(text).to.contain('5 h after this start at the latest (SESSION_ABSOLUTE_HOURS)');
  });

  it('a demo token ends after the idle limit without a request, well before the absolute limit', async () => {
    const { services, clock } = await testServer();
    const { idleMinutes, absoluteHours } = services.config.session;
    expect(idleMinutes * 60_000).to.be.lessThan(absoluteHours * 3_600_000);
    clock.set(new Date());
    await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    const [demo] = await demoSessions(services);
    expect(demo, 'a demo session for the first demo identity').to.not.equal(undefined);
    expect((await gql(ME, {}, demo!.token)).data?.me).to.deep.equal({ role: 'TRADER' });
    clock.advance((idleMinutes - 1) * 60_000);
    expect((await gql(ME, {}, demo!.token)).data?.me, 'used within the idle limit').to.deep.equal({ role: 'TRADER' });
    clock.advance((idleMinutes + 1) * 60_000);
    const idle = await gql(ME, {}, demo!.token);
    expect(idle.errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
  });
});
