import argon2 = require('@node-rs/argon2');
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { resetData, testDb } from '../support/db';
import { errorCode, gql, testServer, traderToken, type GqlResult } from '../support/server';
import {
  argon2Params,
  CHANGE,
  issueCredentials,
  legalEntity,
  LOGIN,
  login,
  loginToken,
  officerSession,
  OFFICER_PASSWORD,
  PINNED_NOW,
  registerContract,
  traderCredentials,
} from './helpers';
import { lastLoginRow, newestSessionId } from '../audit/helpers';

const TRADER_PASSWORD = 'trader passphrase 1';

/** A contract holder who has already replaced the one-time password. */
async function setUpTrader(): Promise<{ username: string; participantId: string }> {
  const officer = await officerSession();
  const c = await registerContract(officer, legalEntity());
  const { username } = await traderCredentials(officer, c.id, TRADER_PASSWORD);
  return { username, participantId: c.participant.id };
}

describe('password login', () => {
  let savedNow: Date;
  let clock: FixedClock;
  let trader: { username: string; participantId: string };

  before(async () => {
    ({ clock } = await testServer());
    savedNow = clock.now();
  });
  after(() => clock.set(savedNow));
  beforeEach(async () => {
    clock.set(PINNED_NOW);
    await resetData();
    trader = await setUpTrader();
  });

  it('records a login under the account and participant it opened, whatever the client selected', async () => {
    // Neither the token nor the viewer is selected: the audit must learn the session from the login itself.
    const r = await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }', {
      u: trader.username,
      p: TRADER_PASSWORD,
    });
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const [account] = await testDb().ds.query('SELECT id::text AS id FROM user_accounts WHERE username = $1', [
      trader.username,
    ]);
    expect(await lastLoginRow()).to.deep.equal({
      session_id: await newestSessionId({ userAccountId: account.id }),
      user_account_id: account.id,
      participant_id: trader.participantId,
      username: trader.username,
      role: 'TRADER',
      auth_method: 'PASSWORD',
      outcome: 'SUCCESS',
    });
  });

  it('logs a trader in with a normal session bound to their participant', async () => {
    const r = await login(trader.username, TRADER_PASSWORD);
    expect(r.errors).to.equal(undefined);
    expect(r.data.login.viewer).to.deep.include({ role: 'TRADER', authMethod: 'PASSWORD', mustChangePassword: false });
    expect(r.data.login.viewer.participant.id).to.equal(trader.participantId);
    expect(r.data.login.token).to.match(/^cts_/);
    expect(r.data.login.expiresAt).to.equal(new Date(PINNED_NOW.getTime() + 12 * 3600_000).toISOString());
  });

  it('treats the username without regard to case or surrounding spaces', async () => {
    const r = await login(`  ${trader.username.toUpperCase()} `, TRADER_PASSWORD);
    expect(r.data.login.viewer.username).to.equal(trader.username);
  });

  it('answers an unknown username and a wrong password alike, after one argon2id verification each', async () => {
    // The request role cannot read the stored hash: a password is hashed with the stored parameters
    // and salt (hashRaw) and the database compares the digest (migration 1764000001200).
    const original = argon2.hashRaw;
    const seen: argon2.Options[] = [];
    (argon2 as { hashRaw: typeof argon2.hashRaw }).hashRaw = async (password, opts, signal) => {
      seen.push({ ...opts });
      return original(password, opts, signal);
    };
    let unknown: GqlResult;
    let wrong: GqlResult;
    try {
      unknown = await login('c-no-such-contract', TRADER_PASSWORD);
      wrong = await login(trader.username, `${TRADER_PASSWORD}x`);
    } finally {
      (argon2 as { hashRaw: typeof argon2.hashRaw }).hashRaw = original;
    }
    expect(errorCode(unknown)).to.equal('UNAUTHENTICATED');
    expect(errorCode(wrong)).to.equal('UNAUTHENTICATED');
    expect(unknown.errors![0].message).to.equal(wrong.errors![0].message);
    expect(Object.keys(unknown.errors![0].extensions!).sort()).to.deep.equal(
      Object.keys(wrong.errors![0].extensions!).sort(),
    );
    // One hashing per attempt, with the same argon2id parameters: a dummy hash's salt for the unknown user.
    expect(seen).to.have.length(2);
    const params = (o: argon2.Options) => [
      o.algorithm,
      o.version,
      o.memoryCost,
      o.timeCost,
      o.parallelism,
      o.outputLen,
    ];
    expect(params(seen[0])).to.deep.equal([argon2.Algorithm.Argon2id, argon2.Version.V0x13, 19_456, 2, 1, 32]);
    expect(params(seen[0])).to.deep.equal(params(seen[1]));
    const [{ password_hash: stored }] = await testDb().ds.query(
      'SELECT password_hash FROM user_accounts WHERE username = $1',
      [trader.username],
    );
    const salt = (o: argon2.Options) => Buffer.from(o.salt!).toString('base64').replace(/=+$/, '');
    expect(stored.split('$')[4]).to.equal(salt(seen[1]));
    expect(stored.split('$')[4]).not.to.equal(salt(seen[0]));
  });

  it('refuses an empty or over-long password as wrong, not as malformed input', async () => {
    expect(errorCode(await login(trader.username, ''))).to.equal('UNAUTHENTICATED');
    expect(errorCode(await login(trader.username, 'x'.repeat(100_000)))).to.equal('UNAUTHENTICATED');
    expect(errorCode(await login('', 'x'))).to.equal('UNAUTHENTICATED');
  });

  describe('lockout per username string', () => {
    /** Runs the same schedule against a name and returns what each step answered. */
    async function schedule(username: string, rightPassword: string): Promise<unknown[]> {
      const start = clock.now().getTime();
      const at = (r: GqlResult) => [
        errorCode(r) ?? 'OK',
        // When the lock ends, in seconds from the schedule's start.
        r.errors?.[0]?.extensions?.retryAfterSeconds
          ? (clock.now().getTime() - start) / 1000 + r.errors[0].extensions.retryAfterSeconds
          : null,
      ];
      const steps: unknown[] = [];
      for (let i = 1; i <= 5; i += 1) steps.push(at(await login(username, `wrong password ${i}`)));
      steps.push(at(await login(username, rightPassword))); // locked: even the right password is refused
      clock.advance(59_000);
      steps.push(at(await login(username, rightPassword))); // still locked
      clock.advance(2_000);
      steps.push(at(await login(username, 'wrong password 6'))); // unlocked; the 6th failure locks for twice as long
      steps.push(at(await login(username, rightPassword)));
      clock.advance(121_000);
      steps.push(at(await login(username, rightPassword)));
      return steps;
    }

    it('locks after five failures with a doubling delay, unlocks after it, whether or not the username exists', async () => {
      const existing = await schedule(trader.username, TRADER_PASSWORD);
      expect(existing).to.deep.equal([
        ['UNAUTHENTICATED', null],
        ['UNAUTHENTICATED', null],
        ['UNAUTHENTICATED', null],
        ['UNAUTHENTICATED', null],
        ['UNAUTHENTICATED', null],
        ['ACCOUNT_LOCKED', 60],
        ['ACCOUNT_LOCKED', 60],
        ['UNAUTHENTICATED', null],
        ['ACCOUNT_LOCKED', 61 + 120],
        ['OK', null],
      ]);
      // An unknown username goes through exactly the same answers and delays.
      const unknown = await schedule('c-nobody-has-this', 'any password at all');
      expect(unknown.slice(0, 9)).to.deep.equal(existing.slice(0, 9));
      expect(unknown[9]).to.deep.equal(['UNAUTHENTICATED', null]);
    });

    it('says the same thing about a locked existing and a locked unknown username', async () => {
      for (let i = 0; i < 5; i += 1) {
        await login(trader.username, 'nope nope');
        await login('c-ghost', 'nope nope');
      }
      const a = await login(trader.username, 'nope nope');
      const b = await login('c-ghost', 'nope nope');
      expect(errorCode(a)).to.equal('ACCOUNT_LOCKED');
      expect(a.errors![0].message).to.equal(b.errors![0].message);
      expect(a.errors![0].extensions!.retryAfterSeconds).to.equal(b.errors![0].extensions!.retryAfterSeconds);
    });

    it('counts differently written forms of one username together', async () => {
      const forms = [
        trader.username,
        trader.username.toUpperCase(),
        ` ${trader.username}`,
        `${trader.username}\t`,
        trader.username,
      ];
      for (const f of forms) expect(errorCode(await login(f, 'nope nope'))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await login(trader.username, TRADER_PASSWORD))).to.equal('ACCOUNT_LOCKED');
    });

    it('forgets failures after a correct password and after a quiet day', async () => {
      for (let i = 0; i < 4; i += 1) await login(trader.username, 'nope nope');
      await loginToken(trader.username, TRADER_PASSWORD);
      for (let i = 0; i < 4; i += 1) await login(trader.username, 'nope nope');
      clock.advance(24 * 3600_000);
      for (let i = 0; i < 4; i += 1)
        expect(errorCode(await login(trader.username, 'nope nope'))).to.equal('UNAUTHENTICATED');
      await loginToken(trader.username, TRADER_PASSWORD);
    });

    it('keeps counters in PostgreSQL under a hash of the username, never the typed text', async () => {
      await login('my secret password typed as a username', 'x');
      const rows: { scope: string; key: string }[] = await testDb().ds.query('SELECT scope, key FROM login_throttle');
      const keys = rows.filter((r) => r.scope === 'USERNAME').map((r) => r.key);
      expect(keys.length).to.be.greaterThan(0);
      for (const k of keys) expect(k).to.match(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.to.contain('secret');
    });

    it('lets an officer lift a lock by issuing new credentials', async () => {
      for (let i = 0; i < 5; i += 1) await login(trader.username, 'nope nope');
      expect(errorCode(await login(trader.username, TRADER_PASSWORD))).to.equal('ACCOUNT_LOCKED');
      const officer = await loginToken('officer.one', OFFICER_PASSWORD);
      const [{ id }] = await testDb().ds.query('SELECT id::text AS id FROM contracts');
      const again = await issueCredentials(officer, id);
      expect((await login(trader.username, again.password)).data.login.viewer.mustChangePassword).to.equal(true);
    });
  });

  describe('changePassword', () => {
    let token: string;
    beforeEach(async () => {
      token = await loginToken(trader.username, TRADER_PASSWORD);
    });

    const bad: [string, string, string, string][] = [
      ['a new password under 12 characters', TRADER_PASSWORD, 'short pw 11', 'BAD_USER_INPUT'],
      ['the previous password again', TRADER_PASSWORD, TRADER_PASSWORD, 'BAD_USER_INPUT'],
      ['a new password over 256 characters', TRADER_PASSWORD, 'y'.repeat(257), 'BAD_USER_INPUT'],
      ['a wrong current password', 'not my password', 'a perfectly fine new one', 'UNAUTHENTICATED'],
    ];
    for (const [what, current, next, code] of bad) {
      it(`refuses ${what} (${code}) and keeps the old password`, async () => {
        const r = await gql(CHANGE, { c: current, n: next }, token);
        expect(errorCode(r)).to.equal(code);
        expect(JSON.stringify(r)).not.to.contain(next.slice(0, 12));
        await loginToken(trader.username, TRADER_PASSWORD);
      });
    }

    it('accepts 12 characters counted as a person counts them (not UTF-16 units)', async () => {
      expect(errorCode(await gql(CHANGE, { c: TRADER_PASSWORD, n: '😀😀😀😀😀😀😀😀😀😀😀' }, token))).to.equal(
        'BAD_USER_INPUT',
      );
      const r = await gql(CHANGE, { c: TRADER_PASSWORD, n: 'şəkər-çay-ğ1' }, token);
      expect(r.data).to.deep.equal({ changePassword: true });
      await loginToken(trader.username, 'şəkər-çay-ğ1');
    });

    it('counts wrong current passwords towards the lockout', async () => {
      for (let i = 0; i < 5; i += 1)
        await gql(CHANGE, { c: `guess number ${i}`, n: 'a perfectly fine new one' }, token);
      expect(errorCode(await gql(CHANGE, { c: TRADER_PASSWORD, n: 'a perfectly fine new one' }, token))).to.equal(
        'ACCOUNT_LOCKED',
      );
      expect(errorCode(await login(trader.username, TRADER_PASSWORD))).to.equal('ACCOUNT_LOCKED');
    });

    it('revokes every session of the account, the current one included', async () => {
      const other = await loginToken(trader.username, TRADER_PASSWORD);
      expect((await gql(CHANGE, { c: TRADER_PASSWORD, n: 'the next passphrase' }, token)).data).to.deep.equal({
        changePassword: true,
      });
      expect(errorCode(await gql('{ me { role } }', {}, token))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await gql('{ me { role } }', {}, other))).to.equal('UNAUTHENTICATED');
      await loginToken(trader.username, 'the next passphrase');
    });

    it('is refused without a session, and to a session not opened with a password', async () => {
      expect(errorCode(await gql(CHANGE, { c: TRADER_PASSWORD, n: 'the next passphrase' }))).to.equal(
        'UNAUTHENTICATED',
      );
      const direct = await traderToken(trader.participantId);
      expect(errorCode(await gql(CHANGE, { c: TRADER_PASSWORD, n: 'the next passphrase' }, direct))).to.equal(
        'FORBIDDEN',
      );
    });
  });

  describe('one-time password sessions and expiry', () => {
    it('lets a one-time-password session log out, and nothing else but changePassword', async () => {
      const { services } = await testServer();
      const { username, password } = await services.accounts.createOfficer('officer.three');
      const r = await login(username, password);
      expect(r.data.login.viewer).to.deep.include({ role: 'OFFICER', mustChangePassword: true, participant: null });
      const t = r.data.login.token;
      expect(errorCode(await gql('{ contracts { edges { cursor } } }', {}, t))).to.equal('PASSWORD_CHANGE_REQUIRED');
      expect((await gql('mutation { logout }', {}, t)).data).to.deep.equal({ logout: true });
      expect(errorCode(await gql(CHANGE, { c: password, n: 'the next passphrase' }, t))).to.equal('UNAUTHENTICATED');
    });

    it('ends a session after the idle limit and after the absolute limit', async () => {
      const { config } = testDb();
      const idle = await loginToken(trader.username, TRADER_PASSWORD);
      clock.advance((config.session.idleMinutes + 1) * 60_000);
      expect(errorCode(await gql('{ me { role } }', {}, idle))).to.equal('UNAUTHENTICATED');

      const busy = await loginToken(trader.username, TRADER_PASSWORD);
      const step = Math.floor(config.session.idleMinutes / 2) * 60_000;
      const end = clock.now().getTime() + config.session.absoluteHours * 3600_000;
      while (clock.now().getTime() + step < end) {
        clock.advance(step);
        expect(errorCode(await gql('{ me { role } }', {}, busy))).to.equal(undefined);
      }
      clock.advance(step);
      expect(errorCode(await gql('{ me { role } }', {}, busy))).to.equal('UNAUTHENTICATED');
    });

    it('rehashes a password stored with older argon2 parameters at the next login', async () => {
      const old = await argon2.hash(TRADER_PASSWORD, {
        algorithm: argon2.Algorithm.Argon2id,
        memoryCost: 8192,
        timeCost: 3,
        parallelism: 1,
      });
      await testDb().ds.query('UPDATE user_accounts SET password_hash = $2 WHERE username = $1', [
        trader.username,
        old,
      ]);
      await loginToken(trader.username, TRADER_PASSWORD);
      const [{ password_hash: now }] = await testDb().ds.query(
        'SELECT password_hash FROM user_accounts WHERE username = $1',
        [trader.username],
      );
      expect(argon2Params(now)).to.equal('argon2id v=19 m=19456 t=2 p=1');
      expect(now).not.to.equal(old);
      await loginToken(trader.username, TRADER_PASSWORD);
    });
  });
});

describe('password login limits shared by server instances (PostgreSQL)', () => {
  const servers: RunningServer[] = [];
  const clocks: FixedClock[] = [];
  let trader: { username: string; participantId: string };
  let savedNow: Date;

  async function instance(env: Record<string, string>): Promise<string> {
    const { url, ds } = testDb();
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: url, ...env });
    const clock = new FixedClock(PINNED_NOW);
    const server = await startHttpServer(createServices(config, ds, clock), createLogger({ logLevel: 'silent' }), {
      host: '127.0.0.1',
      port: 0,
    });
    servers.push(server);
    clocks.push(clock);
    return server.url;
  }

  async function loginAt(base: string, username: string, password: string): Promise<GqlResult> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { u: username, p: password } }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  }

  before(async () => {
    const { clock } = await testServer();
    savedNow = clock.now();
    clock.set(PINNED_NOW);
    await resetData();
    trader = await setUpTrader();
  });
  after(async () => {
    (await testServer()).clock.set(savedNow);
    for (const s of servers) await s.close();
  });
  beforeEach(async () => {
    await testDb().ds.query('DELETE FROM login_throttle');
    for (const c of clocks) c.set(PINNED_NOW);
  });

  it('limits failed attempts per client address (RATE_LIMITED) across instances until the window ends', async () => {
    const a = await instance({ LOGIN_ADDRESS_MAX_FAILURES: '3', LOGIN_ADDRESS_WINDOW_MINUTES: '15' });
    const b = await instance({ LOGIN_ADDRESS_MAX_FAILURES: '3', LOGIN_ADDRESS_WINDOW_MINUTES: '15' });
    // Different usernames, so no username lock is involved.
    expect(errorCode(await loginAt(a, 'c-spray-1', 'x'))).to.equal('UNAUTHENTICATED');
    expect(errorCode(await loginAt(b, 'c-spray-2', 'x'))).to.equal('UNAUTHENTICATED');
    expect(errorCode(await loginAt(a, 'c-spray-3', 'x'))).to.equal('UNAUTHENTICATED');
    const limited = await loginAt(b, trader.username, TRADER_PASSWORD);
    expect(errorCode(limited)).to.equal('RATE_LIMITED');
    expect(limited.errors![0].extensions!.retryAfterSeconds).to.equal(15 * 60);
    for (const c of clocks) c.advance(15 * 60_000);
    expect((await loginAt(a, trader.username, TRADER_PASSWORD)).data.login.viewer.username).to.equal(trader.username);
  });

  it('keeps a username locked through one instance locked on another', async () => {
    const a = await instance({});
    const b = await instance({});
    for (let i = 0; i < 5; i += 1) await loginAt(i % 2 ? a : b, trader.username, 'nope nope');
    const r = await loginAt(b, trader.username, TRADER_PASSWORD);
    expect(errorCode(r)).to.equal('ACCOUNT_LOCKED');
    expect(errorCode(await loginAt(a, trader.username, TRADER_PASSWORD))).to.equal('ACCOUNT_LOCKED');
  });

  it('lets no more concurrent guesses through than the lockout allows', async () => {
    // The lockout alone: the per-address cap on operations at once would refuse some of the twelve
    // with RATE_LIMITED (test/limits/fair-share.spec.ts).
    const a = await instance({ RATE_CONCURRENT_OPERATIONS: '0' });
    const b = await instance({ RATE_CONCURRENT_OPERATIONS: '0' });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => loginAt(i % 2 ? a : b, trader.username, `guess ${i}`)),
    );
    const codes = results.map(errorCode);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).to.have.length(5);
    expect(codes.filter((c) => c === 'ACCOUNT_LOCKED')).to.have.length(7);
  });
});
