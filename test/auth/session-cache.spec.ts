/**
 * The session cache (src/auth/session-cache.ts, issue 9): a hit makes no round trip, and every change
 * that makes auth_session refuse a session reaches every instance on the database by LISTEN/NOTIFY
 * (migration 1764000001640): a revocation on one instance (or by SQL, as an operator or a dead
 * instance's half-done change would leave it) is refused by another instance that had the session
 * cached. While the listener is down the cache is bypassed; entries never outlive the session.
 *
 * Instance A is the shared test server; B (and C) are instances of their own on the same database
 * (test/limits/helpers.ts), with the same clock.
 */
import net from 'node:net';
import { expect } from 'chai';
import { parseRevocation, RevocationListener, SessionCache } from '../../src/auth/session-cache';
import type { Viewer } from '../../src/auth/viewer';
import { resetData, testDb } from '../support/db';
import { roundTrips } from '../support/round-trips';
import { insertParticipant } from '../support/fixtures';
import { errorCode, gql, openSession, testServer } from '../support/server';
import { startInstance, type Instance } from '../limits/helpers';
import { legalEntity, login, officerSession, registerContract, SUSPEND, traderCredentials } from './helpers';

const ME = '{ me { role authMethod } }';
const BLOCK = `mutation($id: ID!, $r: String!) { blockParticipant(id: $id, reason: $r) { id active } }`;

/** Polls `check` until it holds, at most `ms`: an eventual assertion (a notification's delivery), not a timed one. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    if (await check()) return;
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Calls of pg.Client.prototype.query (every round trip of pg, pooled or not) while `fn` runs: all of
 * them (`trips`; other work of the process, such as the rate budget's deferred releases, may interleave
 * with a look-up that waits for the database, never with one that does not), and those of the session
 * look-up (`lookups`: texts calling auth_session, each checked to be one whole transaction).
 */
async function lookedUp<T>(fn: () => Promise<T>): Promise<{ value: T; trips: number; lookups: number }> {
  const { value, trips, texts } = await roundTrips(fn);
  const lookups = texts.filter((t) => t.includes('auth_session('));
  for (const t of lookups) expect(t).to.match(/^BEGIN;[\s\S]*auth_session\([\s\S]*;\s*COMMIT$/);
  return { value, trips, lookups: lookups.length };
}

/** The instance's look-ups counted by result (session_cache_lookups_total). */
async function lookups(i: { services: Instance['services'] }): Promise<Record<string, number>> {
  const m = await i.services.metrics.registry.getSingleMetric('session_cache_lookups_total')!.get();
  return Object.fromEntries(m.values.map((v) => [String(v.labels.result), v.value]));
}

async function listening(i: Instance): Promise<void> {
  await eventually('the listener LISTENs', () => i.services.sessionRevocations.listening);
}

/** `token` answered by B twice, the second time from its cache. */
async function cachedOn(b: Instance, token: string): Promise<void> {
  await listening(b);
  const first = await b.gql(ME, {}, token);
  expect(first.errors, JSON.stringify(first.errors)).to.equal(undefined);
  const hits = (await lookups(b)).hit ?? 0;
  const again = await b.gql(ME, {}, token);
  expect(again.errors, JSON.stringify(again.errors)).to.equal(undefined);
  expect((await lookups(b)).hit, 'the second request was a cache hit').to.equal(hits + 1);
}

/** Eventually B refuses `token` (UNAUTHENTICATED), as it must once the notification arrived. */
async function refusedBy(b: Instance, token: string): Promise<void> {
  await eventually('B refuses the session', async () => errorCode(await b.gql(ME, {}, token)) === 'UNAUTHENTICATED');
}

describe('session cache', () => {
  describe('the cache itself', () => {
    const viewer = (over: Partial<Viewer> = {}): Viewer => ({
      sessionId: '1',
      role: 'TRADER',
      authMethod: 'PASSWORD',
      participantId: '10',
      userAccountId: '20',
      username: 'x',
      mustChangePassword: false,
      expiresAt: new Date('2025-01-01T12:00:00Z'),
      ...over,
    });
    const T = new Date('2025-01-01T10:00:00Z');
    const at = (s: number) => new Date(T.getTime() + s * 1000);
    const live = (seconds = 30) => {
      const c = new SessionCache({ seconds });
      c.setListening(true, 60_000);
      return c;
    };
    const cache = (c: SessionCache, key: string, v: Viewer, until = at(3600)) =>
      c.put(key, v, T, until, c.lookup(key, T).ticket);

    it('reads payloads it knows and forgets everything for any other', () => {
      expect(parseRevocation('session:12')).to.deep.equal({ kind: 'session', id: '12' });
      expect(parseRevocation('participant:3')).to.deep.equal({ kind: 'participant', id: '3' });
      expect(parseRevocation('account:7')).to.deep.equal({ kind: 'account', id: '7' });
      for (const p of ['all', '', undefined, 'session:', 'session:1x', 'contract:4', 'session:1 ', 'x'.repeat(9000)]) {
        expect(parseRevocation(p), String(p)).to.deep.equal({ kind: 'all' });
      }
    });

    it('keeps an entry at most its seconds, never past `until`, and not when the clock went back', () => {
      const c = live(30);
      cache(c, 'a', viewer());
      expect(c.lookup('a', at(29.999)).viewer?.sessionId).to.equal('1');
      expect(c.lookup('a', at(30)).viewer).to.equal(undefined);
      cache(c, 'b', viewer(), at(10));
      expect(c.lookup('b', at(9)).viewer?.sessionId).to.equal('1');
      expect(c.lookup('b', at(10)).viewer).to.equal(undefined);
      cache(c, 'c', viewer());
      expect(c.lookup('c', at(-1)).viewer).to.equal(undefined);
      cache(c, 'd', viewer(), T); // already at its end: not kept
      expect(c.size).to.equal(0); // each dropped when asked out of its time
    });

    it('drops the entries a revocation names, and nothing else', () => {
      const c = live();
      cache(c, 's1', viewer({ sessionId: '1', participantId: '10', userAccountId: '20' }));
      cache(c, 's2', viewer({ sessionId: '2', participantId: '10', userAccountId: null }));
      cache(c, 's3', viewer({ sessionId: '3', participantId: '11', userAccountId: '21' }));
      cache(c, 's4', viewer({ sessionId: '4', participantId: null, userAccountId: '22', role: 'OFFICER' }));
      c.revoke({ kind: 'session', id: '3' });
      expect(['s1', 's2', 's3', 's4'].map((k) => c.lookup(k, T).viewer?.sessionId)).to.deep.equal([
        '1',
        '2',
        undefined,
        '4',
      ]);
      c.revoke({ kind: 'participant', id: '10' });
      expect(['s1', 's2', 's4'].map((k) => c.lookup(k, T).viewer?.sessionId)).to.deep.equal([
        undefined,
        undefined,
        '4',
      ]);
      c.revoke({ kind: 'account', id: '22' });
      expect(c.size).to.equal(0);
      cache(c, 's5', viewer());
      c.revoke({ kind: 'all' });
      expect(c.lookup('s5', T).viewer).to.equal(undefined);
    });

    it('does not cache an answer that was on its way while a notification came', () => {
      const c = live();
      const { ticket } = c.lookup('k', T);
      c.revoke({ kind: 'session', id: '999' }); // any notification: the answer may predate it
      c.put('k', viewer(), T, at(3600), ticket);
      expect(c.lookup('k', T).viewer).to.equal(undefined);
      const second = c.lookup('k', T).ticket;
      c.setListening(false);
      c.setListening(true, 60_000); // the listener came back in between: notifications may be lost
      c.put('k', viewer(), T, at(3600), second);
      expect(c.lookup('k', T).viewer).to.equal(undefined);
    });

    it('is bypassed and empty while its listener is down or silent, and when its seconds are 0', () => {
      const c = live();
      cache(c, 'k', viewer());
      c.setListening(false);
      expect(c.lookup('k', T)).to.deep.equal({ ticket: null });
      c.put('k', viewer(), T, at(3600), 0);
      c.setListening(true, 60_000);
      expect(c.lookup('k', T).viewer).to.equal(undefined);
      cache(c, 'k', viewer());
      c.setListening(true, -1); // no heartbeat answered lately
      expect(c.lookup('k', T)).to.deep.equal({ ticket: null });
      expect(c.size).to.equal(0);
      const off = new SessionCache({ seconds: 0 });
      off.setListening(true, 60_000);
      expect(off.lookup('k', T)).to.deep.equal({ ticket: null });
    });

    it('holds at most maxEntries, dropping the least recently used', () => {
      const c = new SessionCache({ seconds: 30, maxEntries: 2 });
      c.setListening(true, 60_000);
      cache(c, 'a', viewer({ sessionId: 'a' }));
      cache(c, 'b', viewer({ sessionId: 'b' }));
      expect(c.lookup('a', T).viewer?.sessionId).to.equal('a'); // a used: b is now the oldest
      cache(c, 'c', viewer({ sessionId: 'c' }));
      expect(['a', 'b', 'c'].map((k) => c.lookup(k, T).viewer?.sessionId)).to.deep.equal(['a', undefined, 'c']);
    });
  });

  describe('two instances on one database', () => {
    let b: Instance;
    let officer: string;
    let participantId: string;
    let contractId: string;
    let trader: { username: string; password: string };

    before(async () => {
      const a = await testServer();
      a.clock.set(new Date());
      b = await startInstance({}, a.clock);
    });
    after(async () => {
      await b?.stop();
    });

    beforeEach(async () => {
      await resetData();
      officer = await officerSession();
      const c = await registerContract(officer, legalEntity({ voen: '1402345671', name: 'Xəzər Logistika MMC' }));
      contractId = c.id;
      participantId = c.participant.id;
      trader = await traderCredentials(officer, c.id, 'trader passphrase 1');
    });

    async function traderLogin(): Promise<string> {
      const r = await login(trader.username, trader.password);
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      return r.data.login.token;
    }

    it('answers a cached session with no round trip; a miss costs one; a bad token always asks', async () => {
      const token = await traderLogin();
      await listening(b);
      const miss = await lookedUp(() => b.services.sessions.resolve(token));
      expect(miss.value?.role).to.equal('TRADER');
      expect(miss.lookups).to.equal(1);
      const hit = await lookedUp(() => b.services.sessions.resolve(token));
      expect(hit.value).to.deep.equal(miss.value);
      expect(hit.trips).to.equal(0);
      for (let i = 0; i < 2; i += 1) {
        const bad = await lookedUp(() => b.services.sessions.resolve(`cts_${'A'.repeat(43)}`));
        expect([bad.value, bad.lookups]).to.deep.equal([null, 1]);
      }
    });

    it('a logout on A is refused by B, which had the session cached', async () => {
      const token = await traderLogin();
      await cachedOn(b, token);
      expect((await gql('mutation { logout }', {}, token)).data).to.deep.equal({ logout: true });
      await refusedBy(b, token);
    });

    it('a revocation by SQL (no instance involved) is refused by B', async () => {
      const token = await traderLogin();
      await cachedOn(b, token);
      await testDb().ds.query('UPDATE sessions SET revoked_at = now() WHERE user_account_id IS NOT NULL');
      await refusedBy(b, token);
    });

    it('a block opened by SQL, with no revocation run: B refuses the cached session', async () => {
      const token = await traderLogin();
      await cachedOn(b, token);
      await testDb().ds.query(
        `INSERT INTO participant_blocks (participant_id, reason, blocked_at, blocked_by)
         SELECT $1, 'by hand', now(), id FROM user_accounts WHERE role = 'OFFICER' LIMIT 1`,
        [participantId],
      );
      await refusedBy(b, token);
    });

    for (const [what, mutation, vars] of [
      ['blockParticipant', BLOCK, () => ({ id: participantId, r: 'fraud' })],
      ['suspendContract', SUSPEND, () => ({ id: contractId, r: 'documents expired' })],
    ] as const) {
      it(`${what} on A: B refuses the cached password session`, async () => {
        const token = await traderLogin();
        await cachedOn(b, token);
        const r = await gql(mutation, vars(), officer);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        await refusedBy(b, token);
      });
    }

    for (const status of ['SUSPENDED', 'TERMINATED']) {
      it(`a contract ${status} by SQL, with no revocation run: B refuses the cached password session`, async () => {
        const token = await traderLogin();
        await cachedOn(b, token);
        await testDb().ds.query(`UPDATE contracts SET status = $2 WHERE id = $1`, [contractId, status]);
        await refusedBy(b, token);
      });
    }

    it('an account disabled by SQL, with no revocation run: B refuses the cached session', async () => {
      const token = await traderLogin();
      await cachedOn(b, token);
      await testDb().ds.query(`UPDATE user_accounts SET disabled_at = now() WHERE username = $1`, [trader.username]);
      await refusedBy(b, token);
    });

    it('a change that refuses no session (another participant blocked) leaves the entry cached', async () => {
      const token = await traderLogin();
      const other = await openSession({ role: 'TRADER', participantId }, b.services);
      await cachedOn(b, token);
      await cachedOn(b, other.token);
      const id = await insertParticipant('9900000001', 'Other MMC');
      await testDb().ds.query(
        `INSERT INTO participant_blocks (participant_id, reason, blocked_at, blocked_by)
         SELECT $1, 'another', now(), id FROM user_accounts WHERE role = 'OFFICER' LIMIT 1`,
        [id],
      );
      // Another session's revocation is delivered too; once it is (the entry of `other` gone), `token` must still hit.
      await testDb().ds.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [other.viewer.sessionId]);
      await refusedBy(b, other.token);
      const hits = (await lookups(b)).hit ?? 0;
      expect((await b.gql(ME, {}, token)).errors).to.equal(undefined);
      expect((await lookups(b)).hit).to.equal(hits + 1);
    });

    it('refuses at once while its listener is lost, and caches again once it is back', async () => {
      const token = await traderLogin();
      await cachedOn(b, token);
      const listener = b.services.sessionRevocations;
      // Reconnecting takes a while here, so the requests below meet the listener down.
      const backoff = listener as unknown as { firstBackoffMs: number };
      const savedBackoff = backoff.firstBackoffMs;
      backoff.firstBackoffMs = 1_500;
      const pid = listener.backendPid!;
      const connects = listener.connects;
      try {
        await testDb().ds.query('SELECT pg_terminate_backend($1)', [pid]);
        await eventually('B notices the loss', () => !listener.listening);
        // Its notification goes nowhere: nothing listens on B's behalf. B must ask the database.
        await testDb().ds.query('UPDATE sessions SET revoked_at = now() WHERE user_account_id IS NOT NULL');
        const before = (await lookups(b)).bypass ?? 0;
        expect(errorCode(await b.gql(ME, {}, token))).to.equal('UNAUTHENTICATED');
        expect(listener.listening).to.equal(false);
        expect((await lookups(b)).bypass).to.equal(before + 1);
      } finally {
        backoff.firstBackoffMs = savedBackoff;
      }
      await eventually('B listens again', () => listener.listening && listener.connects > connects);
      expect(listener.backendPid).not.to.equal(pid);
      // Reconnected: the emptied cache does not bring the revoked session back.
      expect(errorCode(await b.gql(ME, {}, token))).to.equal('UNAUTHENTICATED');
      const fresh = await traderLogin();
      await cachedOn(b, fresh);
    });
  });

  describe('the listener on a connection that falls silent', () => {
    /** A TCP relay to the test database whose open connections can be frozen: nothing passes, nothing closes. */
    class FreezingRelay {
      readonly server: net.Server;
      private readonly open = new Set<net.Socket>();
      private readonly frozen: net.Socket[] = [];
      constructor(target: { host: string; port: number }) {
        this.server = net.createServer((client) => {
          const upstream = net.connect(target.port, target.host);
          for (const sock of [client, upstream]) {
            this.open.add(sock);
            sock.on('close', () => this.open.delete(sock));
            sock.on('error', () => undefined);
          }
          client.pipe(upstream).pipe(client);
        });
      }
      /** Every connection open now stops passing data (a half-open link); new ones still work. */
      freeze(): void {
        for (const sock of this.open) {
          sock.unpipe();
          sock.pause();
          this.frozen.push(sock);
        }
        this.open.clear();
      }
      close(): void {
        for (const sock of [...this.frozen, ...this.open]) sock.destroy();
        this.server.close();
      }
    }

    it('counts an unanswered heartbeat as lost: bypassed at once, then listening again on a new connection', async () => {
      const u = new URL(testDb().url);
      const relay = new FreezingRelay({ host: u.hostname, port: Number(u.port) });
      await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
      u.port = String((relay.server.address() as net.AddressInfo).port);
      const cache = new SessionCache({ seconds: 30 });
      const listener = new RevocationListener(cache, () => ({ connectionString: u.toString() }), {
        heartbeatMs: 200,
        firstBackoffMs: 50,
      });
      try {
        listener.start();
        await eventually('listening', () => listener.listening);
        const T = new Date('2025-01-01T10:00:00Z');
        const v = { sessionId: '1', participantId: '1', userAccountId: null } as Viewer;
        cache.put('k', v, T, new Date(T.getTime() + 60_000), cache.lookup('k', T).ticket);
        expect(cache.lookup('k', T).viewer).to.equal(v);
        relay.freeze();
        // No notification could arrive now, and nothing says so but the missing heartbeat answer.
        await eventually('the silence noticed', () => !cache.listening);
        expect(cache.lookup('k', T)).to.deep.equal({ ticket: null }); // bypassed
        expect(cache.size).to.equal(0);
        await eventually('listening on a new connection', () => listener.listening && listener.connects === 2);
        expect(cache.lookup('k', T).viewer).to.equal(undefined); // a miss: emptied, not brought back
      } finally {
        await listener.stop();
        relay.close();
      }
    });
  });

  describe('lifetime', () => {
    let c: Instance;
    afterEach(async () => {
      await c?.stop();
    });

    it('never outlives the absolute expiry of the session', async () => {
      await resetData();
      c = await startInstance({
        SESSION_CACHE_SECONDS: '300',
        SESSION_ABSOLUTE_HOURS: '1',
        SESSION_IDLE_MINUTES: '120',
      });
      await listening(c);
      const s = await openSession({ role: 'TRADER', participantId: await participant() }, c.services);
      c.clock.set(new Date(s.expiresAt.getTime() - 100_000));
      expect((await c.gql(ME, {}, s.token)).errors).to.equal(undefined); // a miss, cached until expiresAt
      c.clock.advance(99_000);
      const hit = await lookedUp(() => c.services.sessions.resolve(s.token));
      expect([hit.value?.sessionId, hit.trips]).to.deep.equal([s.viewer.sessionId, 0]);
      c.clock.set(s.expiresAt);
      expect(errorCode(await c.gql(ME, {}, s.token))).to.equal('UNAUTHENTICATED');
    });

    it('never outlives the earliest idle expiry auth_session may have set', async () => {
      await resetData();
      c = await startInstance({ SESSION_CACHE_SECONDS: '300', SESSION_IDLE_MINUTES: '2' });
      await listening(c);
      const s = await openSession({ role: 'TRADER', participantId: await participant() }, c.services);
      expect((await c.gql(ME, {}, s.token)).errors).to.equal(undefined);
      c.clock.advance(59_000);
      expect((await lookedUp(() => c.services.sessions.resolve(s.token))).trips).to.equal(0);
      c.clock.advance(1_000); // idle expiry (2 min) less the minute auth_session may not have slid it
      expect((await lookedUp(() => c.services.sessions.resolve(s.token))).lookups).to.equal(1);
      // That look-up reached the database and slid the window; past it the session ends.
      c.clock.advance(2 * 60_000 + 1);
      expect(errorCode(await c.gql(ME, {}, s.token))).to.equal('UNAUTHENTICATED');
    });

    it('SESSION_CACHE_SECONDS=0: every look-up asks the database, and no listener runs', async () => {
      await resetData();
      c = await startInstance({ SESSION_CACHE_SECONDS: '0' });
      const s = await openSession({ role: 'TRADER', participantId: await participant() }, c.services);
      for (let i = 0; i < 3; i += 1) {
        const r = await lookedUp(() => c.services.sessions.resolve(s.token));
        expect([r.value?.sessionId, r.lookups]).to.deep.equal([s.viewer.sessionId, 1]);
      }
      expect(c.services.sessionRevocations.listening).to.equal(false);
      expect(c.services.sessionRevocations.backendPid).to.equal(undefined);
      expect(await lookups(c)).to.deep.equal({ bypass: 3 });
    });
  });
});

function participant(): Promise<string> {
  return insertParticipant('1300000001', 'Lifetime MMC');
}
