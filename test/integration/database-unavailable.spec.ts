/**
 * The database going away under a running service: clients get a retryable, coded answer
 * (503 DATABASE_UNAVAILABLE with the request id) instead of a masked 500, it is counted, and the
 * service answers again once the database is back, without a restart.
 */
import { expect } from 'chai';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { ERROR_MESSAGES } from '../../src/shared/error-messages';
import { useServiceBehindRelay } from '../support/relay';
import { insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';

describe('database unavailable', function () {
  this.timeout(30_000);
  const relayed = useServiceBehindRelay();
  let token: string;

  before(async () => {
    const pid = await insertParticipant('1000000001');
    token = await traderToken(pid, relayed.services);
  });

  /** `lang`: the Accept-Language sent (none set: Node's fetch sends `*`, no choice). */
  const ask = async (lang?: string) => {
    const res = await fetch(`${relayed.server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(lang ? { 'accept-language': lang } : {}),
      },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    return {
      status: res.status,
      requestId: res.headers.get('x-request-id'),
      body: (await res.json()) as {
        data?: { me: { role: string } };
        errors?: { message: string; extensions: Record<string, unknown> }[];
      },
    };
  };

  it('answers 503 DATABASE_UNAVAILABLE with the request id while the database is away, and recovers', async () => {
    expect((await ask()).body.data?.me.role).to.equal('TRADER');
    await relayed.relay.cut();
    for (const lang of ['en', undefined]) {
      // a dropped pooled connection, then a refused new one; in English when asked, else in Azerbaijani
      const r = await ask(lang);
      expect(r.status, JSON.stringify(r.body)).to.equal(503);
      expect(r.body.errors?.[0].extensions).to.include({ code: 'DATABASE_UNAVAILABLE', requestId: r.requestId });
      const english = lang ? r.body.errors?.[0].message : r.body.errors?.[0].extensions.messageEn;
      expect(english).to.match(/database cannot be reached/);
      if (!lang) expect(r.body.errors?.[0].message).to.equal(ERROR_MESSAGES.DATABASE_UNAVAILABLE.AZ);
    }
    const metrics = await (await fetch(`${relayed.server.url}/metrics`)).text();
    expect(metrics).to.match(/^database_unavailable_total 2$/m);
    await relayed.relay.open(); // same port
    const back = await ask();
    expect(back.status).to.equal(200);
    expect(back.body.data?.me.role).to.equal('TRADER');
  });

  it('tells connection failures from other errors', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const e of [
      coded('ECONNREFUSED'),
      coded('57P01'),
      coded('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([coded('ECONNREFUSED')], 'all failed'),
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).to.equal(true);
    }
    for (const e of [coded('23505'), coded('57014'), coded('42P01'), new Error('boom'), 'ECONNREFUSED', null]) {
      expect(isDatabaseUnavailable(e), String(e)).to.equal(false);
    }
  });
});
