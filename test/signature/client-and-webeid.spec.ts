/**
 * The client side of the signature login and the Web eID way in, end to end over HTTP:
 *  - `npm run sign-challenge` (src/cli/sign-challenge.ts) spawned as a separate process against the test
 *    server: it fetches a challenge, signs it with the openssl CLI, logs in and prints the session token;
 *  - `loginWithWebEid` with web-eid:1.0 tokens built as the Web eID app builds them (test/pki/helpers.ts).
 * The server's clock is pinned near the wall clock because openssl stamps signingTime with the wall clock.
 */
import path from 'node:path';
import { expect } from 'chai';
import { runCli, type CliRun } from '../support/cli';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { errorCode, gql, testServer, wallClockServer } from '../support/server';
import { webEidToken } from '../pki/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const CERTS = path.join(ROOT, 'certs-test');
const VOEN = '1402345671';

const CHALLENGE = 'mutation { createLoginChallenge { id nonce toBeSigned expiresAt } }';
const WEB_EID = `mutation($id: ID!, $token: String!) { loginWithWebEid(challengeId: $id, token: $token) {
  token viewer { authMethod role participant { voen fin name } } } }`;
const ME = '{ me { authMethod participant { voen } } }';

/** Runs the sign-challenge CLI (the test server lives in this process: never block it). */
function signChallenge(args: string[]): Promise<CliRun> {
  return runCli('src/cli/sign-challenge.ts', args);
}

const certArgs = (who: string) => [
  '--cert',
  path.join(CERTS, `${who}.cert.pem`),
  '--key',
  path.join(CERTS, `${who}.key.pem`),
];

async function challenge(): Promise<{ id: string; nonce: string; toBeSigned: string; expiresAt: string }> {
  const r = await gql(CHALLENGE);
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data.createLoginChallenge;
}

async function origin(): Promise<string> {
  return (await testServer()).services.config.http.publicOrigin;
}

describe('signature login clients: sign-challenge CLI and Web eID', () => {
  let url: string;

  before(async () => {
    await resetData();
    ({ url } = await wallClockServer());
    await insertParticipant(VOEN, 'Xəzər Logistika MMC');
  });

  describe('npm run sign-challenge', () => {
    for (const detached of [false, true]) {
      it(`signs a fresh challenge (${detached ? 'detached' : 'attached'}) and prints exactly one session token that works`, async function () {
        this.timeout(60_000);
        const run = await signChallenge([...certArgs('legal-rsa'), '--url', url, ...(detached ? ['--detached'] : [])]);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^[^\s]+\n$/);
        expect(run.stderr).to.contain('Login to: ').and.to.contain('logged in as Xəzər Logistika MMC');
        const me = await gql(ME, {}, run.stdout.trim());
        expect(me.errors, JSON.stringify(me.errors)).to.equal(undefined);
        expect(me.data.me).to.deep.equal({ authMethod: 'SIGNATURE', participant: { voen: VOEN } });
      });
    }

    it('exits 2 with the usage line when --cert is missing', async function () {
      this.timeout(60_000);
      const run = await signChallenge(['--key', path.join(CERTS, 'legal-rsa.key.pem'), '--url', url]);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/^usage: npm run sign-challenge -- --cert CERT\.pem --key KEY\.pem/);
    });

    it('exits 2 naming a file that does not exist', async function () {
      this.timeout(60_000);
      const missing = path.join(CERTS, 'does-not-exist.cert.pem');
      const run = await signChallenge([
        '--cert',
        missing,
        '--key',
        path.join(CERTS, 'legal-rsa.key.pem'),
        '--url',
        url,
      ]);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.contain(`no such file: ${missing}`);
    });

    it('fails (non-zero, CERT_UNTRUSTED on stderr, no token) for a certificate of the lookalike CA', async function () {
      this.timeout(60_000);
      const run = await signChallenge([
        ...certArgs('lookalike-leaf'),
        '--url',
        url,
        '--certfile',
        path.join(CERTS, 'lookalike-issuing-ca.cert.pem'),
      ]);
      expect(run.code).to.not.equal(0);
      expect(run.code).to.not.equal(null);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.contain('CERT_UNTRUSTED');
    });
  });

  describe('loginWithWebEid', () => {
    for (const v of [
      { who: 'legal-rsa', alg: 'RS256' },
      { who: 'legal-rsa', alg: 'PS256' },
      { who: 'legal-ec', alg: 'ES256' },
    ]) {
      it(`logs the legal entity in with a ${v.alg} token of ${v.who} (authMethod SIGNATURE)`, async () => {
        const c = await challenge();
        const r = await gql(WEB_EID, { id: c.id, token: webEidToken(v.who, await origin(), c.nonce, v.alg) });
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(r.data.loginWithWebEid.viewer).to.deep.equal({
          authMethod: 'SIGNATURE',
          role: 'TRADER',
          participant: { voen: VOEN, fin: null, name: 'Xəzər Logistika MMC' },
        });
        const me = await gql(ME, {}, r.data.loginWithWebEid.token);
        expect(me.data.me).to.deep.equal({ authMethod: 'SIGNATURE', participant: { voen: VOEN } });
      });
    }

    it('refuses a token made for another origin (SIGNATURE_INVALID)', async () => {
      const c = await challenge();
      const token = webEidToken('legal-ec', 'https://evil.example.az', c.nonce, 'ES256');
      const r = await gql(WEB_EID, { id: c.id, token });
      expect(errorCode(r)).to.equal('SIGNATURE_INVALID');
      expect(r.errors![0]!.message).to.contain('does not verify for this origin and challenge nonce');
      // a trailing slash is another origin too
      const c2 = await challenge();
      const token2 = webEidToken('legal-rsa', `${await origin()}/`, c2.nonce, 'RS256');
      expect(errorCode(await gql(WEB_EID, { id: c2.id, token: token2 }))).to.equal('SIGNATURE_INVALID');
    });

    it("refuses a token over another challenge's nonce (SIGNATURE_INVALID)", async () => {
      const other = await challenge();
      const c = await challenge();
      const token = webEidToken('legal-ec', await origin(), other.nonce, 'ES256');
      expect(errorCode(await gql(WEB_EID, { id: c.id, token }))).to.equal('SIGNATURE_INVALID');
    });

    it('refuses a replayed challenge (CHALLENGE_ALREADY_USED)', async () => {
      const c = await challenge();
      const token = webEidToken('legal-rsa', await origin(), c.nonce, 'RS256');
      const first = await gql(WEB_EID, { id: c.id, token });
      expect(first.errors, JSON.stringify(first.errors)).to.equal(undefined);
      expect(errorCode(await gql(WEB_EID, { id: c.id, token }))).to.equal('CHALLENGE_ALREADY_USED');
    });

    it('refuses malformed JSON (SIGNATURE_MALFORMED)', async () => {
      for (const token of ['{"format":"web-eid:1.0",', 'not json at all', '[]']) {
        const c = await challenge();
        const r = await gql(WEB_EID, { id: c.id, token });
        expect(errorCode(r), token).to.equal('SIGNATURE_MALFORMED');
        expect(r.data ?? null).to.equal(null);
      }
    });

    it('refuses an over-long token (SIGNATURE_MALFORMED), above the 64 KiB argument limit and above the 16 KiB token limit', async () => {
      const c = await challenge();
      const valid = webEidToken('legal-ec', await origin(), c.nonce, 'ES256');
      const huge = JSON.stringify({ ...JSON.parse(valid), appVersion: 'x'.repeat(64 * 1024) });
      expect(huge.length).to.be.greaterThan(64 * 1024);
      const r = await gql(WEB_EID, { id: c.id, token: huge });
      expect(errorCode(r)).to.equal('SIGNATURE_MALFORMED');
      expect(r.errors![0]!.message).to.contain(`longer than ${64 * 1024} characters`);
      const c2 = await challenge();
      const big = JSON.stringify({
        ...JSON.parse(webEidToken('legal-ec', await origin(), c2.nonce, 'ES256')),
        appVersion: 'x'.repeat(20 * 1024),
      });
      const r2 = await gql(WEB_EID, { id: c2.id, token: big });
      expect(errorCode(r2)).to.equal('SIGNATURE_MALFORMED');
      expect(r2.errors![0]!.message).to.contain(`longer than ${16 * 1024} characters`);
    });
  });
});
