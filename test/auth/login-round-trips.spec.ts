/**
 * Logins in few round trips (issue 9 item 4): a challenge is one statement, a CMS signature login three
 * (consume the challenge, the subject's participant, the session's INSERT with the block check in it).
 * What the folded steps refused before they still refuse: a replayed, expired or unknown challenge, a
 * full per-address window (and a refused hit writes nothing), a blocked participant whatever the login
 * method (and no session row is written), and an expired challenge answers CHALLENGE_EXPIRED for the
 * hour it is kept, then the sweep that rides along with creations purges it.
 */
import { expect } from 'chai';
import type {
  AuthProvider,
  LoginPrincipal,
  PasswordPrincipal,
  PortalPrincipal,
  SignaturePrincipal,
} from '../../src/auth/auth-provider';
import { CHALLENGE_KEEP_MS, ChallengeService } from '../../src/auth/challenge.service';
import { AccountService } from '../../src/auth/account.service';
import { LoginThrottle } from '../../src/auth/login-throttle';
import { LoginService } from '../../src/auth/login.service';
import { PasswordProvider } from '../../src/auth/providers/password.provider';
import { PortalProvider } from '../../src/auth/providers/portal.provider';
import { CmsSignatureProvider } from '../../src/auth/providers/cms-signature.provider';
import { SessionService } from '../../src/auth/session.service';
import { RequestDb } from '../../src/db/tenant';
import { FixedClock } from '../../src/shared/clock';
import type { RateLimitedError } from '../../src/shared/errors';
import { cert, expectCode, portalAssertion, signCms, verifier } from '../pki/helpers';
import { resetData, testDb } from '../support/db';
import { roundTrips } from '../support/round-trips';
import { insertParticipant } from '../support/fixtures';

/** The VÖEN in the subject of the test certificate legal-rsa. */
const VOEN = '1402345671';
const ADDRESS = '203.0.113.7';

async function rows<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return testDb().ds.query(text, params) as Promise<T[]>;
}

describe('logins in few round trips, refusing what they refused', () => {
  let clock: FixedClock;
  let db: RequestDb;
  let sessions: SessionService;
  let logins: LoginService;
  let participantId: string;

  const challengesWith = (over: { perAddressPerMinute?: number; ttlSeconds?: number; sweepEvery?: number } = {}) =>
    new ChallengeService(db, clock, {
      origin: 'https://customs.test',
      ttlSeconds: 300,
      perAddressPerMinute: 1000,
      ...over,
    });

  const ctx = () => ({ clientIp: ADDRESS, userAgent: null, now: clock.now() });

  beforeEach(async () => {
    await resetData();
    // openssl stamps the signing time with the wall clock.
    clock = new FixedClock(new Date());
    db = new RequestDb(testDb().ds, testDb().config.db.appRole);
    sessions = new SessionService(db, clock, { idleMinutes: 30, absoluteHours: 8 });
    logins = new LoginService(sessions);
    participantId = await insertParticipant(VOEN, 'Xəzər Logistika MMC');
  });

  /** An open block of `pid` by a fresh officer account (directly in the table, as the owner). */
  async function block(pid: string): Promise<string> {
    const [officer] = await rows<{ id: string }>(
      `INSERT INTO user_accounts (username, password_hash, role, must_change_password, password_changed_at, created_at)
       VALUES ('officer.' || floor(random() * 1e9)::text, '$argon2id$x', 'OFFICER', false, now(), now())
       RETURNING id::text AS id`,
    );
    await rows(
      `INSERT INTO participant_blocks (participant_id, reason, blocked_at, blocked_by) VALUES ($1, 'test', now(), $2)`,
      [pid, officer.id],
    );
    return officer.id;
  }

  async function sessionsOf(pid: string): Promise<number> {
    const [r] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE participant_id = $1`, [pid]);
    return r.n;
  }

  describe('round trips', () => {
    it('creates a challenge in one round trip and logs in with a CMS signature in three', async () => {
      const challenges = challengesWith();
      const cms = new CmsSignatureProvider(db, challenges, verifier());
      const made = await roundTrips(() => challenges.create(ADDRESS));
      expect(made.trips).to.equal(1);
      const signature = signCms('legal-rsa', made.value.toBeSigned, { certfile: cert('issuing-ca') });
      const login = await roundTrips(() => logins.login(cms, { challengeId: made.value.id, signature }, ctx()));
      expect(login.trips).to.be.at.most(3);
      // And it is a real session of the participant.
      const viewer = await sessions.resolve(login.value.token);
      expect(viewer?.participantId).to.equal(participantId);
      expect(viewer?.authMethod).to.equal('SIGNATURE');
      expect(await sessionsOf(participantId)).to.equal(1);
    });

    it('logs in with a username and password in at most ten round trips (twenty-five before)', async () => {
      const throttle = new LoginThrottle(db, clock, testDb().config.login);
      const accounts = new AccountService(db, clock, throttle, sessions);
      const password = new PasswordProvider(accounts, throttle, sessions);
      const officer = await accounts.createOfficer('officer.trips');
      // Counting (4), the hash's parameters (1), the check (1), the count given back (1), the session (1),
      // the re-check of the account (1); one attempt in a hundred also purges old counters (1).
      const login = await roundTrips(() => logins.login(password, officer, ctx()));
      expect(login.trips).to.be.at.most(10);
      expect((await sessions.resolve(login.value.token))?.username).to.equal('officer.trips');
      // The attempt was given back: no failure left on the address, the username's counter gone.
      const left = await rows<{ scope: string; failures: number }>(
        `SELECT scope, failures FROM login_throttle ORDER BY scope`,
      );
      expect(left).to.deep.equal([{ scope: 'ADDRESS', failures: 0 }]);
      // And a wrong password is still counted against both.
      await expectCode(logins.login(password, { ...officer, password: 'wrong password!' }, ctx()), 'UNAUTHENTICATED');
      const after = await rows<{ scope: string; failures: number }>(
        `SELECT scope, failures FROM login_throttle ORDER BY scope`,
      );
      expect(after).to.deep.equal([
        { scope: 'ADDRESS', failures: 1 },
        { scope: 'USERNAME', failures: 1 },
      ]);
    });

    it('sweeps within the same round trip on the creations that sweep', async () => {
      const challenges = challengesWith({ sweepEvery: 1 });
      for (let i = 0; i < 3; i += 1) expect((await roundTrips(() => challenges.create(ADDRESS))).trips).to.equal(1);
    });
  });

  describe('challenge consumption', () => {
    it('refuses a replayed challenge (CHALLENGE_ALREADY_USED), once spent by a failed signature too', async () => {
      const challenges = challengesWith();
      const cms = new CmsSignatureProvider(db, challenges, verifier());
      const c = await challenges.create(ADDRESS);
      const signature = signCms('legal-rsa', c.toBeSigned, { certfile: cert('issuing-ca') });
      await logins.login(cms, { challengeId: c.id, signature }, ctx());
      await expectCode(logins.login(cms, { challengeId: c.id, signature }, ctx()), 'CHALLENGE_ALREADY_USED');
      // A challenge whose signature failed is spent as well: one challenge, one try.
      const d = await challenges.create(ADDRESS);
      await expectCode(logins.login(cms, { challengeId: d.id, signature }, ctx()), 'CONTENT_MISMATCH');
      const good = signCms('legal-rsa', d.toBeSigned, { certfile: cert('issuing-ca') });
      await expectCode(logins.login(cms, { challengeId: d.id, signature: good }, ctx()), 'CHALLENGE_ALREADY_USED');
      expect(await sessionsOf(participantId)).to.equal(1);
    });

    it('refuses an expired challenge (CHALLENGE_EXPIRED) from its expiry on, and leaves it unused', async () => {
      const challenges = challengesWith({ ttlSeconds: 60 });
      const c = await challenges.create(ADDRESS);
      clock.set(c.expiresAt);
      await expectCode(challenges.consume(c.id), 'CHALLENGE_EXPIRED');
      await expectCode(challenges.consume(c.id), 'CHALLENGE_EXPIRED');
      const [r] = await rows<{ used_at: Date | null }>(`SELECT used_at FROM login_challenges WHERE id = $1`, [c.id]);
      expect(r.used_at).to.equal(null);
    });

    it('refuses an unknown or malformed challenge id (CHALLENGE_NOT_FOUND)', async () => {
      const challenges = challengesWith();
      await challenges.create(ADDRESS);
      await expectCode(challenges.consume('00000000-0000-4000-8000-000000000000'), 'CHALLENGE_NOT_FOUND');
      await expectCode(challenges.consume("x' OR true --"), 'CHALLENGE_NOT_FOUND');
    });

    it('gives a challenge to exactly one of many concurrent consumers', async () => {
      const challenges = challengesWith();
      const c = await challenges.create(ADDRESS);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => challenges.consume(c.id)));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        expect((r.reason as { code: string }).code).to.equal('CHALLENGE_ALREADY_USED');
      }
    });
  });

  describe('per-address challenge limit', () => {
    it('allows the limit per window, refuses beyond it with the seconds to the window end, and writes nothing for a refusal', async () => {
      const minute = Math.floor(clock.now().getTime() / 60_000) * 60_000;
      clock.set(new Date(minute + 10_000)); // ten seconds into a window
      const challenges = challengesWith({ perAddressPerMinute: 3 });
      for (let i = 0; i < 3; i += 1) await challenges.create(ADDRESS);
      for (let i = 0; i < 2; i += 1) {
        const e = (await expectCode(challenges.create(ADDRESS), 'RATE_LIMITED')) as RateLimitedError;
        expect(e.retryAfterSeconds).to.equal(50);
      }
      const count = async (ip: string) =>
        (await rows<{ n: number }>(`SELECT count(*)::int AS n FROM login_challenges WHERE client_ip = $1`, [ip]))[0].n;
      expect(await count(ADDRESS)).to.equal(3);
      // Refused hits are not counted (as a rolled-back count was not).
      const hits = async (ip: string) =>
        (await rows<{ hits: number }>(`SELECT hits FROM challenge_rate_limits WHERE client_key = $1`, [ip]))[0]?.hits;
      expect(await hits(ADDRESS)).to.equal(3);
      // Another address has its own window.
      await challenges.create('198.51.100.9');
      expect(await count('198.51.100.9')).to.equal(1);
      // The next window starts afresh.
      clock.advance(50_000);
      await challenges.create(ADDRESS);
      expect(await count(ADDRESS)).to.equal(4);
      expect(await hits(ADDRESS)).to.equal(1);
    });

    it('counts one window across instances: a second service on the same database refuses the fourth', async () => {
      const minute = Math.floor(clock.now().getTime() / 60_000) * 60_000;
      clock.set(new Date(minute + 1_000));
      const one = challengesWith({ perAddressPerMinute: 3 });
      const two = challengesWith({ perAddressPerMinute: 3 });
      await one.create(ADDRESS);
      await two.create(ADDRESS);
      await one.create(ADDRESS);
      await expectCode(two.create(ADDRESS), 'RATE_LIMITED');
    });
  });

  describe('the sweep', () => {
    it('keeps an expired challenge for an hour (CHALLENGE_EXPIRED), then purges it with ended counters, sparing live ones', async () => {
      const challenges = challengesWith({ ttlSeconds: 60, sweepEvery: 3 });
      clock.set(new Date(Math.floor(clock.now().getTime() / 60_000) * 60_000)); // a window's first second
      const old = await challenges.create(ADDRESS); // creation 0 sweeps (nothing yet)
      // Just under an hour after its expiry: creation 3 sweeps, and it is still there to say why.
      clock.set(new Date(old.expiresAt.getTime() + CHALLENGE_KEEP_MS - 1000));
      for (let i = 0; i < 3; i += 1) await challenges.create(ADDRESS);
      await expectCode(challenges.consume(old.id), 'CHALLENGE_EXPIRED');
      const live = await challenges.create('198.51.100.1'); // creation 4, the last second of its window
      const present = async (id: string) =>
        (await rows(`SELECT 1 FROM login_challenges WHERE id = $1`, [id])).length === 1;
      const counter = async (ip: string) =>
        (await rows(`SELECT 1 FROM challenge_rate_limits WHERE client_key = $1`, [ip])).length === 1;
      // Past the hour, in the next window: creation 5 does not sweep, creation 6 does.
      clock.set(new Date(old.expiresAt.getTime() + CHALLENGE_KEEP_MS + 1000));
      await challenges.create(ADDRESS);
      expect(await present(old.id)).to.equal(true);
      expect(await counter('198.51.100.1')).to.equal(true);
      await challenges.create(ADDRESS);
      expect(await present(old.id)).to.equal(false);
      await expectCode(challenges.consume(old.id), 'CHALLENGE_NOT_FOUND');
      // The ended window of the other address went with it; the live challenge did not.
      expect(await counter('198.51.100.1')).to.equal(false);
      expect(await counter(ADDRESS)).to.equal(true);
      expect((await challenges.consume(live.id)).id).to.equal(live.id);
    });
  });

  describe('portal assertions', () => {
    /** A portal assertion about VOEN, signed by the allow-listed portal certificate. */
    function assertion(jti: string): string {
      return portalAssertion(clock.now(), { jti });
    }

    const used = async (jti: string) =>
      (await rows(`SELECT 1 FROM used_portal_assertions WHERE jti = $1`, [jti])).length === 1;

    it('logs in once per assertion id in three round trips, purging expired ids, refusing a replay', async () => {
      const portal = new PortalProvider(db, verifier(), clock);
      await rows(
        `INSERT INTO used_portal_assertions (jti, expires_at, used_at) VALUES ('long-gone', $1, $1), ('still-live', $2, $1)`,
        [new Date(clock.now().getTime() - 1000), new Date(clock.now().getTime() + 60_000)],
      );
      const a = assertion('jti-once');
      const login = await roundTrips(() => logins.login(portal, { assertion: a }, ctx()));
      expect(login.trips).to.be.at.most(3);
      expect((await sessions.resolve(login.value.token))?.authMethod).to.equal('PORTAL');
      expect(await used('long-gone')).to.equal(false);
      expect(await used('still-live')).to.equal(true);
      await expectCode(logins.login(portal, { assertion: a }, ctx()), 'ASSERTION_REPLAYED');
      await expectCode(logins.login(portal, { assertion: assertion('still-live') }, ctx()), 'ASSERTION_REPLAYED');
      expect(await sessionsOf(participantId)).to.equal(1);
    });

    it('accepts an id whose earlier use has expired (as purging it first did)', async () => {
      const portal = new PortalProvider(db, verifier(), clock);
      await rows(`INSERT INTO used_portal_assertions (jti, expires_at, used_at) VALUES ('reused', $1, $1)`, [
        new Date(clock.now().getTime() - 1000),
      ]);
      await logins.login(portal, { assertion: assertion('reused') }, ctx());
      const [r] = await rows<{ expires_at: Date }>(
        `SELECT expires_at FROM used_portal_assertions WHERE jti = 'reused'`,
      );
      expect(new Date(r.expires_at).getTime()).to.be.greaterThan(clock.now().getTime());
      await expectCode(logins.login(portal, { assertion: assertion('reused') }, ctx()), 'ASSERTION_REPLAYED');
    });
  });

  describe('blocked participants', () => {
    /** A provider of `method` that vouches for `pid` (the provider's own checks are tested elsewhere). */
    function vouching(method: LoginPrincipal['authMethod'], pid: string, confirmed: string[]): AuthProvider<unknown> {
      const base = { role: 'TRADER' as const, participantId: pid, username: null, mustChangePassword: false };
      const principal: LoginPrincipal =
        method === 'PASSWORD'
          ? ({
              ...base,
              authMethod: 'PASSWORD',
              userAccountId: null as unknown as string,
              detail: { passwordChangedAt: clock.now(), contractId: null },
            } satisfies PasswordPrincipal)
          : method === 'SIGNATURE'
            ? ({
                ...base,
                authMethod: 'SIGNATURE',
                userAccountId: null,
                detail: { format: 'WEB_EID', certificateSha256: 'ab', subjectSerialNumber: null },
              } satisfies SignaturePrincipal)
            : ({
                ...base,
                authMethod: 'PORTAL',
                userAccountId: null,
                detail: { authnMethod: 'ASAN_IMZA', jti: 'j', portalCertificateSha256: 'cd' },
              } satisfies PortalPrincipal);
      return {
        method,
        authenticate: () => Promise.resolve(principal),
        confirm: () => {
          confirmed.push(method);
          return Promise.resolve();
        },
      };
    }

    const METHODS = ['PASSWORD', 'SIGNATURE', 'PORTAL'] as const;

    it('refuses every login method of a blocked participant (PARTICIPANT_BLOCKED), writing no session', async () => {
      const other = await insertParticipant('1000000099');
      await block(participantId);
      const confirmed: string[] = [];
      for (const m of METHODS) {
        await expectCode(logins.login(vouching(m, participantId, confirmed), {}, ctx()), 'PARTICIPANT_BLOCKED');
      }
      expect(confirmed).to.deep.equal([]);
      expect(await sessionsOf(participantId)).to.equal(0);
      // Another participant's logins are not touched by the block.
      for (const m of METHODS) await logins.login(vouching(m, other, confirmed), {}, ctx());
      expect(confirmed).to.deep.equal([...METHODS]);
      expect(await sessionsOf(other)).to.equal(3);
    });

    it('refuses a real CMS signature login of a blocked participant, in at most three round trips', async () => {
      await block(participantId);
      const challenges = challengesWith();
      const cms = new CmsSignatureProvider(db, challenges, verifier());
      const c = await challenges.create(ADDRESS);
      const signature = signCms('legal-rsa', c.toBeSigned, { certfile: cert('issuing-ca') });
      const refused = await roundTrips(() =>
        expectCode(logins.login(cms, { challengeId: c.id, signature }, ctx()), 'PARTICIPANT_BLOCKED'),
      );
      expect(refused.trips).to.be.at.most(3);
      expect(await sessionsOf(participantId)).to.equal(0);
    });

    it('lets the participant in again once the block is lifted', async () => {
      const officer = await block(participantId);
      await expectCode(logins.login(vouching('PORTAL', participantId, []), {}, ctx()), 'PARTICIPANT_BLOCKED');
      await rows(`UPDATE participant_blocks SET unblocked_at = now(), unblocked_by = $2 WHERE participant_id = $1`, [
        participantId,
        officer,
      ]);
      const s = await logins.login(vouching('PORTAL', participantId, []), {}, ctx());
      expect((await sessions.resolve(s.token))?.participantId).to.equal(participantId);
    });

    it('still opens a session directly through the session service without the check (tests, demo)', async () => {
      await block(participantId);
      const principal = await vouching('SIGNATURE', participantId, []).authenticate({}, ctx());
      await sessions.create(principal);
      expect(await sessionsOf(participantId)).to.equal(1);
      await expectCode(sessions.create(principal, { unlessBlocked: true }), 'PARTICIPANT_BLOCKED');
      expect(await sessionsOf(participantId)).to.equal(1);
    });
  });
});
