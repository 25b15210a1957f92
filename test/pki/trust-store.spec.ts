import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { CERTS, expectCode, makeCrl, signCms, tempDir, verifier, webEidToken } from './helpers';

const tbs = 'customs-stats login\nnonce: Y2FjaGU=\n';
const ORIGIN = 'https://customs.example.az';
const NONCE = 'Y2FjaGUtdGVzdC1ub25jZS0xMjM0NTY3ODkwMTIzNDU2Nzg5MA==';

/** Replaces a file atomically (write + rename), as an operator or a CRL fetcher should. */
function replaceFile(target: string, source: string): void {
  const tmp = `${target}.tmp`;
  fs.copyFileSync(source, tmp);
  fs.renameSync(tmp, target);
}

describe('pki trust store', () => {
  it('re-reads a CRL file when it changes, and drops cached chain results', async () => {
    const dir = tempDir('crlswap');
    const crlPath = path.join(dir, 'issuing-ca.crl.pem');
    fs.copyFileSync(path.join(CERTS, 'issuing-ca.crl.pem'), crlPath);
    const pki = verifier({ PKI_CRLS: `${crlPath},certs-test/root-ca.crl.pem` });
    const sig = signCms('legal-rsa', tbs);

    const ok = await pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() });
    expect(ok.mapping.kind).to.equal('LEGAL_ENTITY');
    const pathBefore = pki.trustStore.cachedPath(ok.fingerprintSha256, new Date());
    expect(pathBefore).to.have.length(3);
    const generation = pki.trustStore.generation;

    // The CA revokes legal-rsa: a new CRL replaces the file.
    replaceFile(crlPath, makeCrl({ ca: 'issuing-ca', revoke: ['revoked', 'legal-rsa'] }));
    await expectCode(pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() }), 'CERT_REVOKED');
    expect(pki.trustStore.generation).to.equal(generation + 1);
    // the chain was rebuilt after the change (the path itself is still valid; revocation is a separate step)
    expect(pki.trustStore.cachedPath(ok.fingerprintSha256, new Date())).to.not.equal(pathBefore);

    // A file that no longer parses makes revocation fail closed (not "last good CRL").
    fs.writeFileSync(crlPath, '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n');
    await expectCode(
      pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() }),
      'CERT_REVOCATION_UNKNOWN',
    );

    // A deleted file, too.
    fs.rmSync(crlPath);
    await expectCode(
      pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() }),
      'CERT_REVOCATION_UNKNOWN',
    );

    // Back to a CRL without legal-rsa.
    replaceFile(crlPath, path.join(CERTS, 'issuing-ca.crl.pem'));
    expect(
      (await pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() })).mapping.kind,
    ).to.equal('LEGAL_ENTITY');
  });

  it('does not serve a cached chain result past the CRL nextUpdate or outside the path validity', async () => {
    const pki = verifier();
    const token = webEidToken('legal-ec', ORIGIN, NONCE, 'ES256');
    const at = (iso: string) =>
      pki.verifyWebEidToken({ token, challengeNonce: NONCE, origin: ORIGIN, now: new Date(iso) });
    const ok = await at('2030-01-01T00:00:00Z');
    const fp = ok.fingerprintSha256;
    expect(pki.trustStore.cachedPath(fp, new Date('2030-01-01T00:00:00Z'))).to.have.length(3);
    // CRLs expire ~10 years after generation: the cached path is not served afterwards…
    const crlHorizon = Math.min(...pki.trustStore.describeCrls().map((c) => c.nextUpdate!.getTime()));
    expect(pki.trustStore.cachedPath(fp, new Date(crlHorizon + 1000))).to.equal(undefined);
    // …and the verification itself fails closed.
    await expectCode(at(new Date(crlHorizon + 1000).toISOString()), 'CERT_REVOCATION_UNKNOWN');
    // Before the CA validity the cached path is not used either.
    expect(pki.trustStore.cachedPath(fp, new Date('2024-06-01T00:00:00Z'))).to.equal(undefined);
  });

  it('caches: a repeat login of the same certificate does not rebuild the chain', async () => {
    const pki = verifier();
    const sig = signCms('person-ec', tbs);
    const first = await pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() });
    const cached = pki.trustStore.cachedPath(first.fingerprintSha256, new Date());
    expect(cached).to.have.length(3);
    await pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date() });
    expect(pki.trustStore.cachedPath(first.fingerprintSha256, new Date())).to.equal(cached);
  });
});
