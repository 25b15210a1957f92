/**
 * The signature logins end to end: challenge over GraphQL, signed by the openssl CLI with the
 * test PKI in certs-test/, login, then the viewer's own data. Verification details are covered
 * check by check in test/pki; here the challenge, the assertion id and the participant mapping.
 */
import { expect } from 'chai';
import { lastLoginRow, newestSessionId } from '../audit/helpers';
import { cert, portalAssertion, signCms } from '../pki/helpers';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { errorCode, gql, testServer } from '../support/server';

/** Signed by `who` with the issuing CA's certificate included; attached unless `detached`. */
function sign(content: string, who: string, opts: { detached?: boolean } = {}): string {
  return signCms(who, content, { detached: opts.detached === true, certfile: cert('issuing-ca') });
}

const CHALLENGE = 'mutation { createLoginChallenge { id nonce toBeSigned expiresAt } }';
const LOGIN = `mutation($id: ID!, $sig: String!) { loginWithSignature(challengeId: $id, signature: $sig) {
  token viewer { authMethod role participant { voen fin name } } } }`;
const PORTAL = `mutation($a: String!) { loginWithPortalAssertion(assertion: $a) { token viewer { authMethod participant { voen fin } } } }`;

async function challenge(): Promise<{ id: string; nonce: string; toBeSigned: string; expiresAt: string }> {
  const r = await gql(CHALLENGE);
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data.createLoginChallenge;
}

describe('signature login over GraphQL', () => {
  before(async () => {
    await resetData();
    const { clock, server } = await testServer();
    clock.set(new Date()); // openssl stamps signingTime with the wall clock
    const legal = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    await insertDeclarations(legal, [
      {
        number: 'SIG-1',
        date: '2024-05-05',
        direction: 'IM',
        items: [
          { hs: '8703230000', country: 'DE', net: '1500.000', gross: '1600.000', azn: '42000.00', usd: '24705.88' },
        ],
      },
    ]);
    void server;
  });

  it('issues a challenge naming this service, a 256-bit nonce and the expiry', async () => {
    const { server } = await testServer();
    const c = await challenge();
    expect(Buffer.from(c.nonce, 'base64')).to.have.length(32);
    expect(c.toBeSigned).to.contain(`Login to: ${server.url.replace('127.0.0.1', 'localhost')}`.replace(/:\d+$/, ''));
    expect(c.toBeSigned).to.contain(c.nonce).and.to.contain(c.expiresAt);
  });

  for (const variant of [
    { who: 'legal-rsa', detached: false },
    { who: 'legal-ec', detached: true },
  ]) {
    it(`logs a legal entity's representative in with ${variant.who} (${variant.detached ? 'detached' : 'attached'}) and shows only its data`, async () => {
      const c = await challenge();
      const r = await gql(LOGIN, { id: c.id, sig: sign(c.toBeSigned, variant.who, variant) });
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      expect(r.data.loginWithSignature.viewer).to.deep.equal({
        authMethod: 'SIGNATURE',
        role: 'TRADER',
        participant: { voen: '1402345671', fin: null, name: 'Xəzər Logistika MMC' },
      });
      const stats = await gql(
        '{ tradeStatistics(groupBy: [COUNTRY]) { totals { customsValueAzn declarationCount } } }',
        {},
        r.data.loginWithSignature.token,
      );
      expect(stats.data.tradeStatistics.totals).to.deep.equal({ customsValueAzn: '42000.00', declarationCount: 1 });
    });
  }

  it('records a signature login under the participant and session it opened, whatever the client selected', async () => {
    const c = await challenge();
    const r = await gql(
      'mutation($id: ID!, $sig: String!) { loginWithSignature(challengeId: $id, signature: $sig) { expiresAt } }',
      {
        id: c.id,
        sig: sign(c.toBeSigned, 'legal-rsa'),
      },
    );
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const [p] = await testDb().ds.query(`SELECT id::text AS id FROM participants WHERE voen = '1402345671'`);
    expect(await lastLoginRow()).to.deep.equal({
      session_id: await newestSessionId({ participantId: p.id }),
      user_account_id: null,
      participant_id: p.id,
      username: null,
      role: 'TRADER',
      auth_method: 'SIGNATURE',
      outcome: 'SUCCESS',
    });
  });

  it('refuses a replayed challenge (CHALLENGE_ALREADY_USED)', async () => {
    const c = await challenge();
    const sig = sign(c.toBeSigned, 'legal-rsa');
    expect((await gql(LOGIN, { id: c.id, sig })).errors).to.equal(undefined);
    expect(errorCode(await gql(LOGIN, { id: c.id, sig }))).to.equal('CHALLENGE_ALREADY_USED');
  });

  it('spends a challenge on a failed attempt too (one try per challenge)', async () => {
    const c = await challenge();
    expect(errorCode(await gql(LOGIN, { id: c.id, sig: 'AAAA' }))).to.equal('SIGNATURE_MALFORMED');
    expect(errorCode(await gql(LOGIN, { id: c.id, sig: sign(c.toBeSigned, 'legal-rsa') }))).to.equal(
      'CHALLENGE_ALREADY_USED',
    );
  });

  it('refuses an expired challenge (CHALLENGE_EXPIRED) by the application clock', async () => {
    const { clock, services } = await testServer();
    const c = await challenge();
    const sig = sign(c.toBeSigned, 'legal-rsa');
    clock.advance((services.config.challenge.ttlSeconds + 1) * 1000);
    try {
      expect(errorCode(await gql(LOGIN, { id: c.id, sig }))).to.equal('CHALLENGE_EXPIRED');
    } finally {
      clock.set(new Date());
    }
  });

  it('refuses an unknown challenge id (CHALLENGE_NOT_FOUND)', async () => {
    const c = await challenge();
    const sig = sign(c.toBeSigned, 'legal-rsa');
    expect(errorCode(await gql(LOGIN, { id: '00000000-0000-4000-8000-000000000000', sig }))).to.equal(
      'CHALLENGE_NOT_FOUND',
    );
    expect(errorCode(await gql(LOGIN, { id: 'not-a-uuid', sig }))).to.equal('CHALLENGE_NOT_FOUND');
  });

  it("refuses another challenge's signature (CONTENT_MISMATCH), attached and detached", async () => {
    const other = await challenge();
    for (const detached of [false, true]) {
      const c = await challenge();
      expect(
        errorCode(await gql(LOGIN, { id: c.id, sig: sign(other.toBeSigned, 'legal-rsa', { detached }) })),
      ).to.equal('CONTENT_MISMATCH');
    }
  });

  it('refuses a certificate from the lookalike CA (CERT_UNTRUSTED)', async () => {
    const c = await challenge();
    const sig = signCms('lookalike-leaf', c.toBeSigned, {
      detached: false,
      certfile: cert('lookalike-issuing-ca'),
    });
    expect(errorCode(await gql(LOGIN, { id: c.id, sig }))).to.equal('CERT_UNTRUSTED');
  });

  it('refuses a valid certificate whose subject is no participant (PARTICIPANT_NOT_FOUND)', async () => {
    const c = await challenge();
    const r = await gql(LOGIN, { id: c.id, sig: sign(c.toBeSigned, 'person-rsa') });
    expect(errorCode(r)).to.equal('PARTICIPANT_NOT_FOUND');
    expect(r.data ?? null).to.equal(null);
  });

  describe('e-gov portal assertions', () => {
    function assertion(claims: Record<string, unknown>, who = 'portal'): string {
      const { clock } = (globalThis as any).__sigClock as { clock: { now(): Date } };
      return portalAssertion(clock.now(), claims, who);
    }

    before(async () => {
      (globalThis as any).__sigClock = await testServer();
    });

    it('logs the vouched-for participant in with method PORTAL, once per jti', async () => {
      const a = assertion({ jti: 'fixed-jti-1' });
      const r = await gql(PORTAL, { a });
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      expect(r.data.loginWithPortalAssertion.viewer).to.deep.equal({
        authMethod: 'PORTAL',
        participant: { voen: '1402345671', fin: null },
      });
      expect(errorCode(await gql(PORTAL, { a }))).to.equal('ASSERTION_REPLAYED');
    });

    it('refuses an assertion for another audience, an expired one, and one signed by a non-allow-listed certificate', async () => {
      expect(errorCode(await gql(PORTAL, { a: assertion({ aud: 'another-service' }) }))).to.equal('ASSERTION_INVALID');
      const { clock } = await testServer();
      const past = Math.floor(clock.now().getTime() / 1000) - 600;
      expect(errorCode(await gql(PORTAL, { a: assertion({ iat: past, exp: past + 60 }) }))).to.equal(
        'ASSERTION_INVALID',
      );
      expect(errorCode(await gql(PORTAL, { a: assertion({}, 'legal-rsa') }))).to.equal('ASSERTION_INVALID');
    });

    it('refuses an assertion about nobody registered (PARTICIPANT_NOT_FOUND) without spending its jti', async () => {
      const a = assertion({ sub: { fin: '9ZZZZ99' }, jti: 'fixed-jti-nobody' });
      expect(errorCode(await gql(PORTAL, { a }))).to.equal('PARTICIPANT_NOT_FOUND');
    });
  });

  it('limits challenge creation per client address (RATE_LIMITED)', async () => {
    const { services, clock } = await testServer();
    clock.advance(60_000); // a fresh window
    const limit = services.config.challenge.perAddressPerMinute;
    const codes: (string | undefined)[] = [];
    for (let i = 0; i <= limit; i += 1) codes.push(errorCode(await gql(CHALLENGE)));
    expect(codes.slice(0, limit).every((c) => c === undefined)).to.equal(true);
    expect(codes[limit]).to.equal('RATE_LIMITED');
    clock.set(new Date());
  });
});
