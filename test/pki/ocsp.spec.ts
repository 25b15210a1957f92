import { expect } from 'chai';
import net from 'node:net';
import type { PkiVerifier } from '../../src/pki';
import { ConfigError } from '../../src/config';
import { freePort } from '../../src/shared/free-port';
import { expectCode, identities, signCms, startOcspResponder, verifier, webEidToken, type Responder } from './helpers';

const tbs = 'customs-stats login\nnonce: b2NzcC10ZXN0\n';
const login = (pki: PkiVerifier, signer: string, now = new Date()) =>
  pki.verifyCmsLogin({ signatureBase64: signCms(signer, tbs), toBeSigned: tbs, now });

const ORIGIN = 'https://customs.example.az';
const NONCE = 'b2NzcC13ZWItZWlkLW5vbmNlLTEyMzQ1Njc4OTAxMjM0NTY=';

/**
 * Starts `srv` on a free local port and returns a verifier that asks it for revocation status,
 * pinning the genuine responder certificate.
 */
async function verifierAskingAt(srv: net.Server, env: Record<string, string> = {}): Promise<PkiVerifier> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  return verifier({
    PKI_OCSP_URL: `http://127.0.0.1:${port}/`,
    PKI_OCSP_RESPONDER_CERT: 'certs-test/ocsp-responder.cert.pem',
    ...env,
  });
}

describe('pki OCSP (openssl ocsp responder on 127.0.0.1)', function () {
  this.timeout(30000);
  let responder: Responder;
  let pki: PkiVerifier;

  before(async () => {
    responder = await startOcspResponder();
    pki = verifier({ PKI_OCSP_URL: responder.url, PKI_OCSP_RESPONDER_CERT: 'certs-test/ocsp-responder.cert.pem' });
  });
  after(async () => {
    await responder?.stop();
  });

  it('accepts revoked-ocsp-only when OCSP is not configured (it is not in the CRL)', async () => {
    const r = await login(verifier(), 'revoked-ocsp-only');
    expect(r.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.negative['revoked-ocsp-only']!.fin });
  });
  it('rejects revoked-ocsp-only as CERT_REVOKED when OCSP is configured', async () => {
    const e = await expectCode(login(pki, 'revoked-ocsp-only'), 'CERT_REVOKED');
    expect(e.message).to.match(/OCSP/);
  });
  it('accepts a good certificate with OCSP configured (and never calls the AIA URL in the certificate)', async () => {
    const r = await login(pki, 'legal-rsa');
    expect(r.mapping.kind).to.equal('LEGAL_ENTITY');
    const r2 = await pki.verifyWebEidToken({
      token: webEidToken('person-ec', ORIGIN, NONCE, 'ES256'),
      challengeNonce: NONCE,
      origin: ORIGIN,
      now: new Date(),
    });
    expect(r2.mapping.kind).to.equal('NATURAL_PERSON');
  });
  it('still reports a CRL-revoked certificate as CERT_REVOKED', async () => {
    await expectCode(login(pki, 'revoked'), 'CERT_REVOKED');
  });
  it('fails closed when the responder is down (closed port): CERT_REVOCATION_UNKNOWN', async () => {
    const port = await freePort();
    const down = verifier({
      PKI_OCSP_URL: `http://127.0.0.1:${port}/`,
      PKI_OCSP_RESPONDER_CERT: 'certs-test/ocsp-responder.cert.pem',
    });
    const e = await expectCode(login(down, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
    expect(e.message).to.match(/unreachable/);
  });
  it('fails closed when the responder accepts but never answers (timeout): CERT_REVOCATION_UNKNOWN', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
    });
    const slow = await verifierAskingAt(silent, { PKI_OCSP_TIMEOUT_MS: '300' });
    try {
      const started = Date.now();
      const e = await expectCode(login(slow, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
      expect(e.message).to.match(/300 ms/);
      expect(Date.now() - started).to.be.lessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
  it('fails closed when the response is signed by another key than the pinned responder certificate', async () => {
    // Pin the issuing CA instead of the delegated responder: the genuine response no longer matches.
    const wrongPin = verifier({
      PKI_OCSP_URL: responder.url,
      PKI_OCSP_RESPONDER_CERT: 'certs-test/issuing-ca.cert.pem',
    });
    const e = await expectCode(login(wrongPin, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
    expect(e.message).to.match(/configured responder/);
  });
  it('fails closed when the response is older than PKI_OCSP_MAX_AGE_SECONDS (pinned now 10 minutes ahead)', async () => {
    const strict = verifier({
      PKI_OCSP_URL: responder.url,
      PKI_OCSP_RESPONDER_CERT: 'certs-test/ocsp-responder.cert.pem',
      PKI_OCSP_MAX_AGE_SECONDS: '60',
    });
    const later = new Date(Date.now() + 10 * 60_000);
    const e = await expectCode(
      strict.verifyWebEidToken({
        token: webEidToken('legal-ec', ORIGIN, NONCE, 'ES256'),
        challengeNonce: NONCE,
        origin: ORIGIN,
        now: later,
      }),
      'CERT_REVOCATION_UNKNOWN',
    );
    expect(e.message).to.match(/older than 60s/);
  });
  it('fails closed when the responder answers with something else than OCSP (HTTP 200 garbage)', async () => {
    const http = await import('node:http');
    const srv = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.end('not der');
    });
    const bogus = await verifierAskingAt(srv);
    try {
      await expectCode(login(bogus, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
  it('requires PKI_OCSP_URL and PKI_OCSP_RESPONDER_CERT together, and a responder certificate fit for OCSP', () => {
    expect(() => verifier({ PKI_OCSP_URL: 'http://127.0.0.1:1/' })).to.throw(ConfigError, /PKI_OCSP_RESPONDER_CERT/);
    expect(() =>
      verifier({ PKI_OCSP_URL: 'http://127.0.0.1:1/', PKI_OCSP_RESPONDER_CERT: 'certs-test/portal.cert.pem' }),
    ).to.throw(ConfigError, /PKI_OCSP_RESPONDER_CERT.*OCSPSigning/);
  });
});
