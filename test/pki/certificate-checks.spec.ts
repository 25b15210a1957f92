import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import type { PkiVerifier } from '../../src/pki';
import { CachingCryptoEngine, ensureGlobalPkijsEngine } from '../../src/pki/crypto-engine';
import { certificateDer, parseCertificateDer, parseCrlDer, pemBlocks, sha256Hex } from '../../src/pki/der';
import { TrustStore } from '../../src/pki/trust-store';
import { chainValidator } from '../../src/pki/validators/chain.validator';
import type { CertificateContext } from '../../src/pki/validators/types';
import {
  cert,
  CERTS,
  expectCode,
  identities,
  makeCrl,
  profileFile,
  signCms,
  tempFile,
  verifier,
  webEidToken,
} from './helpers';

const tbs = 'customs-stats login\nnonce: 3q2+7w==\n';
const loginWith = (pki: PkiVerifier, signer: string, opts: Parameters<typeof signCms>[2] = {}) =>
  pki.verifyCmsLogin({ signatureBase64: signCms(signer, tbs, opts), toBeSigned: tbs, now: new Date() });

const ORIGIN = 'https://customs.example.az';
const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMTIzNA==';
/** Web eID carries no signingTime, so the clock can be pinned to any date. */
const webEidAt = (pki: PkiVerifier, signer: string, now: Date, alg = 'RS256') =>
  pki.verifyWebEidToken({ token: webEidToken(signer, ORIGIN, NONCE, alg), challengeNonce: NONCE, origin: ORIGIN, now });

describe('pki certificate checks', () => {
  let pki: PkiVerifier;
  before(() => {
    pki = verifier();
  });

  describe('CERT_UNTRUSTED', () => {
    it('rejects a self-signed certificate with the legal entity subject', async () => {
      await expectCode(loginWith(pki, 'self-signed'), 'CERT_UNTRUSTED');
    });
    it('rejects a leaf of the lookalike CA (same CA names, other keys)', async () => {
      await expectCode(loginWith(pki, 'lookalike-leaf'), 'CERT_UNTRUSTED');
    });
    it('rejects the lookalike leaf even when the CMS carries the lookalike issuing and root CA certificates', async () => {
      const bundle = tempFile(
        'lookalike-chain.pem',
        fs.readFileSync(cert('lookalike-issuing-ca'), 'utf8') + fs.readFileSync(cert('lookalike-root-ca'), 'utf8'),
      );
      await expectCode(loginWith(pki, 'lookalike-leaf', { certfile: bundle }), 'CERT_UNTRUSTED');
    });
    it('rejects a valid leaf when the configured trust anchor is another root', async () => {
      const other = verifier({ PKI_TRUST_ANCHORS: 'certs-test/lookalike-root-ca.cert.pem' });
      await expectCode(loginWith(other, 'legal-rsa'), 'CERT_UNTRUSTED');
    });
    it('rejects a leaf whose issuing CA is neither configured nor in the CMS', async () => {
      const noIntermediates = verifier({ PKI_INTERMEDIATES: 'none' });
      await expectCode(loginWith(noIntermediates, 'legal-rsa'), 'CERT_UNTRUSTED');
    });
    it('accepts that leaf when the CMS carries the issuing CA (untrusted candidate verified up to our anchor)', async () => {
      const noIntermediates = verifier({ PKI_INTERMEDIATES: 'none' });
      const r = await loginWith(noIntermediates, 'legal-rsa', { certfile: cert('issuing-ca') });
      expect(r.mapping.kind).to.equal('LEGAL_ENTITY');
    });
    it('rejects a Web eID token from the lookalike CA', async () => {
      await expectCode(webEidAt(pki, 'lookalike-leaf', new Date()), 'CERT_UNTRUSTED');
    });
  });

  describe('PKI.js chain engine trap: the end entity is the LAST of `certs`, after de-duplication', () => {
    const load = (name: string) =>
      parseCertificateDer(pemBlocks(fs.readFileSync(cert(name), 'utf8'), 'CERTIFICATE')[0]!);

    it('raw engine: a repeated self-signed leaf followed by the real CA certificate validates the CA instead', async () => {
      ensureGlobalPkijsEngine();
      const leaf = load('self-signed');
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: [load('root-ca')],
        certs: [load('self-signed'), load('issuing-ca'), leaf],
        checkDate: new Date(),
      });
      const r = await engine.verify({}, new CachingCryptoEngine());
      // Documents the trap the chain validator defends against: "success", but for the wrong certificate.
      expect(r.result).to.equal(true);
      expect(r.certificatePath![0]!.subject.isEqual(leaf.subject)).to.equal(false);
    });

    it('chain validator: the same input is CERT_UNTRUSTED', async () => {
      const store = TrustStore.load({
        trustAnchors: [{ path: cert('root-ca'), variable: 'T' }],
        intermediates: [],
        crls: [{ path: path.join(CERTS, 'issuing-ca.crl.pem'), variable: 'C' }],
      });
      const leaf = load('self-signed');
      const der = certificateDer(leaf);
      const ctx: CertificateContext = {
        now: new Date(),
        leaf,
        leafDer: der,
        fingerprint: sha256Hex(der),
        candidates: [load('self-signed'), load('issuing-ca')],
      };
      await expectCode(
        Promise.resolve().then(() => chainValidator(store, new CachingCryptoEngine())(ctx)),
        'CERT_UNTRUSTED',
      );
    });
  });

  describe('validity at now', () => {
    it('rejects an expired certificate: CERT_EXPIRED', async () => {
      const e = await expectCode(loginWith(pki, 'expired'), 'CERT_EXPIRED');
      expect(e.message).to.contain('2021-01-01');
    });
    it('rejects a not-yet-valid certificate: CERT_NOT_YET_VALID', async () => {
      const e = await expectCode(loginWith(pki, 'not-yet-valid'), 'CERT_NOT_YET_VALID');
      expect(e.message).to.contain('2040-01-01');
    });
    it('uses the pinned clock, not the wall clock: legal-ec after its notAfter (2044-12-31) is CERT_EXPIRED', async () => {
      await expectCode(webEidAt(pki, 'legal-ec', new Date('2045-06-01T00:00:00Z'), 'ES256'), 'CERT_EXPIRED');
    });
    it('uses the pinned clock: legal-ec before its notBefore (2025-01-01) is CERT_NOT_YET_VALID', async () => {
      await expectCode(webEidAt(pki, 'legal-ec', new Date('2024-12-31T23:59:00Z'), 'ES256'), 'CERT_NOT_YET_VALID');
    });
  });

  describe('CERT_KEY_USAGE', () => {
    it('rejects keyUsage keyEncipherment only', async () => {
      await expectCode(loginWith(pki, 'bad-key-usage'), 'CERT_KEY_USAGE');
    });
    it('rejects a CA certificate used as signer', async () => {
      await expectCode(loginWith(pki, 'issuing-ca'), 'CERT_KEY_USAGE');
    });
  });

  describe('CERT_POLICY (optional, by configuration)', () => {
    it('accepts the test policy when it is required', async () => {
      const strict = verifier({ PKI_REQUIRED_POLICY_OIDS: identities.policyOid });
      expect((await loginWith(strict, 'person-ec')).mapping.kind).to.equal('NATURAL_PERSON');
    });
    it('rejects when the required policy OID is absent', async () => {
      const strict = verifier({ PKI_REQUIRED_POLICY_OIDS: '1.3.6.1.4.1.99999.1.2' });
      await expectCode(loginWith(strict, 'person-ec'), 'CERT_POLICY');
    });
    it('accepts a required EKU the certificate has (clientAuth)', async () => {
      const strict = verifier({ PKI_REQUIRED_EKU: 'clientAuth' });
      expect((await loginWith(strict, 'legal-rsa')).mapping.kind).to.equal('LEGAL_ENTITY');
    });
    it('rejects a required EKU the certificate lacks (serverAuth)', async () => {
      const strict = verifier({ PKI_REQUIRED_EKU: '1.3.6.1.5.5.7.3.1' });
      await expectCode(loginWith(strict, 'legal-rsa'), 'CERT_POLICY');
    });
    it('is not applied when not configured (the default)', async () => {
      expect((await loginWith(pki, 'legal-ec')).mapping.kind).to.equal('LEGAL_ENTITY');
    });
  });

  describe('CRL revocation', () => {
    it('rejects a certificate listed in the issuing CA CRL: CERT_REVOKED', async () => {
      await expectCode(loginWith(pki, 'revoked'), 'CERT_REVOKED');
    });
    it('rejects when the issuing CA is revoked in the root CRL: CERT_REVOKED', async () => {
      const rootCrl = makeCrl({ ca: 'root-ca', revoke: ['issuing-ca'] });
      const v = verifier({ PKI_CRLS: `certs-test/issuing-ca.crl.pem,${rootCrl}` });
      const e = await expectCode(loginWith(v, 'legal-rsa'), 'CERT_REVOKED');
      expect(e.message).to.contain('CA certificate');
    });
    it('fails closed when the only CRL is past its nextUpdate (pinned now after 2036): CERT_REVOCATION_UNKNOWN', async () => {
      const e = await expectCode(
        webEidAt(pki, 'legal-ec', new Date('2040-01-01T00:00:00Z'), 'ES256'),
        'CERT_REVOCATION_UNKNOWN',
      );
      expect(e.message).to.match(/nextUpdate/);
    });
    it('fails closed with a stale CRL generated for the test (real now): CERT_REVOCATION_UNKNOWN', async () => {
      const stale = makeCrl({ ca: 'issuing-ca', lastUpdate: '20250201000000Z', nextUpdate: '20250301000000Z' });
      const v = verifier({ PKI_CRLS: `${stale},certs-test/root-ca.crl.pem` });
      await expectCode(loginWith(v, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
    });
    it('still reports CERT_REVOKED from a stale CRL that lists the certificate', async () => {
      const stale = makeCrl({
        ca: 'issuing-ca',
        revoke: ['revoked'],
        lastUpdate: '20250201000000Z',
        nextUpdate: '20250301000000Z',
      });
      const v = verifier({ PKI_CRLS: `${stale},certs-test/root-ca.crl.pem` });
      await expectCode(loginWith(v, 'revoked'), 'CERT_REVOKED');
    });
    it('fails closed when no CRL is configured for the issuing CA', async () => {
      const v = verifier({ PKI_CRLS: 'certs-test/root-ca.crl.pem' });
      await expectCode(loginWith(v, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
    });
    it('fails closed when no CRL covers the issuing CA itself (root CRL missing)', async () => {
      const v = verifier({ PKI_CRLS: 'certs-test/issuing-ca.crl.pem' });
      const e = await expectCode(loginWith(v, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
      expect(e.message).to.contain('CA certificate');
    });
    it('ignores a CRL with the issuing CA name signed by the lookalike CA key', async () => {
      const forged = makeCrl({ ca: 'lookalike-issuing-ca' });
      const v = verifier({ PKI_CRLS: `${forged},certs-test/root-ca.crl.pem` });
      const e = await expectCode(loginWith(v, 'legal-rsa'), 'CERT_REVOCATION_UNKNOWN');
      expect(e.message).to.match(/another authority key/);
    });
    it('ignores CRLs carried inside the CMS (a client cannot supply its own revocation data)', async () => {
      // Put a fresh CRL of the issuing CA into the SignedData's (unsigned) crls field; with no configured CRL
      // for that issuer the result must still be "unknown".
      const der = Buffer.from(signCms('legal-rsa', tbs), 'base64');
      const ci = pkijs.ContentInfo.fromBER(der);
      const sd = new pkijs.SignedData({ schema: ci.content });
      sd.crls = [parseCrlDer(pemBlocks(fs.readFileSync(makeCrl({ ca: 'issuing-ca' }), 'utf8'), 'X509 CRL')[0]!)];
      const withCrl = Buffer.from(
        new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) }).toSchema().toBER(false),
      );
      const v = verifier({ PKI_CRLS: 'certs-test/root-ca.crl.pem' });
      await expectCode(
        v.verifyCmsLogin({ signatureBase64: withCrl.toString('base64'), toBeSigned: tbs, now: new Date() }),
        'CERT_REVOCATION_UNKNOWN',
      );
      // …and the same CMS verifies once the CRL is configured, so the re-encoding itself is sound.
      const ok = verifier({ PKI_CRLS: `${makeCrl({ ca: 'issuing-ca' })},certs-test/root-ca.crl.pem` });
      expect(
        (await ok.verifyCmsLogin({ signatureBase64: withCrl.toString('base64'), toBeSigned: tbs, now: new Date() }))
          .mapping.kind,
      ).to.equal('LEGAL_ENTITY');
    });
  });

  describe('subject mapping', () => {
    it('maps a representative certificate with both identifiers to the legal entity (VÖEN wins)', async () => {
      const r = await loginWith(pki, 'legal-ec');
      expect(r.mapping).to.deep.equal({
        kind: 'LEGAL_ENTITY',
        voen: identities.legalEntity.voen,
        representativeFin: identities.legalEntity.representative.fin,
      });
    });
    it('maps a serialNumber-only certificate to the natural person by FIN', async () => {
      const r = await loginWith(pki, 'person-rsa');
      expect(r.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.naturalPerson.fin });
    });
    it('rejects a subject with neither identifier: CERT_SUBJECT_UNMAPPED', async () => {
      await expectCode(loginWith(pki, 'no-mapping'), 'CERT_SUBJECT_UNMAPPED');
    });
    it('follows a configured profile (natural person first) over the default precedence', async () => {
      const profile = profileFile('profile.json', [
        { kind: 'NATURAL_PERSON', attribute: 'serialNumber', pattern: '^PNOAZ-([0-9A-Z]{7})$' },
        { kind: 'LEGAL_ENTITY', attribute: '2.5.4.97', pattern: '^VATAZ-([0-9]{10})$' },
      ]);
      const v = verifier({ PKI_SUBJECT_PROFILE: profile });
      const r = await loginWith(v, 'legal-rsa');
      expect(r.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.legalEntity.representative.fin });
    });
    it('identities.json matches the certificates (every negative fixture maps to its FIN)', async () => {
      const r = await loginWith(
        verifier({ PKI_CRLS: `${makeCrl({ ca: 'issuing-ca' })},certs-test/root-ca.crl.pem` }),
        'revoked',
      );
      expect(r.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.negative['revoked']!.fin });
    });
  });
});
