import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { cert, certDerBase64, expectCode, identities, openssl, signCms, tempDir, verifier } from './helpers';
import type { PkiVerifier } from '../../src/pki';

// openssl writes the current time as signingTime, so CMS logins are verified at the real time.
const now = () => new Date();
const challenge = (n = 'q7Zb3kVvJk1xY2s9c0pQ8w7m4n1R5t6u8W9x0yZaBcD=') =>
  `customs-stats login\norigin: https://customs.example.az\nnonce: ${n}\nexpires: 2026-01-01T00:05:00Z\n`;

describe('pki verifyCmsLogin', () => {
  let pki: PkiVerifier;
  /** The login check of `sig` against the fresh challenge text (the one the tests did not sign, where they differ). */
  const verifyOverChallenge = (sig: string) =>
    pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: challenge(), now: now() });
  before(() => {
    pki = verifier();
  });

  describe('accepts the signatures openssl cms makes', () => {
    const legal = {
      kind: 'LEGAL_ENTITY',
      voen: identities.legalEntity.voen,
      representativeFin: identities.legalEntity.representative.fin,
    };
    const person = { kind: 'NATURAL_PERSON', fin: identities.naturalPerson.fin };
    const variants: [string, string, Parameters<typeof signCms>[2], object][] = [
      ['RSA detached', 'legal-rsa', {}, legal],
      ['RSA attached', 'legal-rsa', { detached: false }, legal],
      ['RSA detached with -certfile issuing CA', 'legal-rsa', { certfile: cert('issuing-ca') }, legal],
      ['RSA attached -cades', 'legal-rsa', { detached: false, cades: true }, legal],
      ['RSA-PSS attached', 'person-rsa', { detached: false, pss: true }, person],
      [
        'RSA-PSS detached -cades -certfile',
        'person-rsa',
        { pss: true, cades: true, certfile: cert('issuing-ca') },
        person,
      ],
      ['ECDSA P-256 detached', 'legal-ec', {}, legal],
      ['ECDSA P-256 attached -certfile', 'legal-ec', { detached: false, certfile: cert('issuing-ca') }, legal],
      ['ECDSA P-256 detached -cades', 'person-ec', { cades: true }, person],
      ['SHA-384 digest', 'person-rsa', { md: 'sha384' }, person],
      ['SHA-512 digest, ECDSA', 'person-ec', { md: 'sha512', detached: false }, person],
    ];
    for (const [label, signer, opts, mapping] of variants) {
      it(`accepts ${label} (${signer})`, async () => {
        const tbs = challenge();
        const r = await pki.verifyCmsLogin({
          signatureBase64: signCms(signer, tbs, opts),
          toBeSigned: tbs,
          now: now(),
        });
        expect(r.mapping).to.deep.equal(mapping);
        expect(r.method).to.equal('CMS');
        expect(r.certificate.der.toString('base64')).to.equal(certDerBase64(signer));
        expect(r.certificate.pem).to.match(/^-----BEGIN CERTIFICATE-----/);
        expect(r.signingTime).to.be.instanceOf(Date);
      });
    }

    it('returns subject, fingerprint and notAfter of the signer certificate', async () => {
      const tbs = challenge();
      const r = await pki.verifyCmsLogin({ signatureBase64: signCms('legal-rsa', tbs), toBeSigned: tbs, now: now() });
      const fp = openssl(['x509', '-in', cert('legal-rsa'), '-noout', '-fingerprint', '-sha256'])
        .toString()
        .split('=')[1]!
        .trim()
        .replace(/:/g, '')
        .toLowerCase();
      expect(r.fingerprintSha256).to.equal(fp);
      expect(r.subject.organizationIdentifier).to.equal(`VATAZ-${identities.legalEntity.voen}`);
      expect(r.subject.serialNumber).to.equal(`PNOAZ-${identities.legalEntity.representative.fin}`);
      expect(r.subject.organizationName).to.equal(identities.legalEntity.name);
      expect(r.notAfter.toISOString()).to.equal('2044-12-31T00:00:00.000Z');
    });

    it('signs the exact UTF-8 bytes of a non-ASCII challenge', async () => {
      const tbs = `${challenge()}Xəzər Logistika MMC — giriş\n`;
      const r = await pki.verifyCmsLogin({
        signatureBase64: signCms('person-ec', tbs, { detached: false }),
        toBeSigned: tbs,
        now: now(),
      });
      expect(r.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.naturalPerson.fin });
    });

    it('accepts base64 with line breaks (as `base64` wraps it)', async () => {
      const tbs = challenge();
      const wrapped = signCms('legal-ec', tbs).replace(/(.{76})/g, '$1\n');
      const r = await pki.verifyCmsLogin({ signatureBase64: wrapped, toBeSigned: tbs, now: now() });
      expect(r.mapping.kind).to.equal('LEGAL_ENTITY');
    });
  });

  describe('SIGNATURE_MALFORMED', () => {
    it('rejects garbage that is not base64', async () => {
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: 'this is *not* base64!', toBeSigned: challenge(), now: now() }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects an empty signature', async () => {
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: '', toBeSigned: challenge(), now: now() }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects base64 of bytes that are not DER', async () => {
      await expectCode(
        pki.verifyCmsLogin({
          signatureBase64: Buffer.from('hello world, no ASN.1 here').toString('base64'),
          toBeSigned: challenge(),
          now: now(),
        }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects truncated DER', async () => {
      const der = Buffer.from(signCms('legal-rsa', challenge()), 'base64');
      await expectCode(
        pki.verifyCmsLogin({
          signatureBase64: der.subarray(0, der.length - 40).toString('base64'),
          toBeSigned: challenge(),
          now: now(),
        }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects DER with trailing bytes', async () => {
      const der = Buffer.concat([Buffer.from(signCms('legal-rsa', challenge()), 'base64'), Buffer.from([0, 0, 1])]);
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: der.toString('base64'), toBeSigned: challenge(), now: now() }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects a certificate instead of a CMS', async () => {
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: certDerBase64('legal-rsa'), toBeSigned: challenge(), now: now() }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects a CMS that is not SignedData (id-data ContentInfo)', async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'in.txt'), challenge());
      const der = openssl(['cms', '-data_create', '-binary', '-outform', 'DER', '-in', path.join(dir, 'in.txt')]);
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: der.toString('base64'), toBeSigned: challenge(), now: now() }),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects a SignedData without the signer certificate (-nocerts)', async () => {
      const tbs = challenge();
      const e = await expectCode(
        pki.verifyCmsLogin({
          signatureBase64: signCms('legal-rsa', tbs, { nocerts: true }),
          toBeSigned: tbs,
          now: now(),
        }),
        'SIGNATURE_MALFORMED',
      );
      expect(e.message).to.match(/signer certificate/);
    });
    it('rejects a SignedData with two signers', async () => {
      const tbs = challenge();
      await expectCode(
        pki.verifyCmsLogin({
          signatureBase64: signCms('legal-rsa', tbs, { extraSigners: ['person-rsa'] }),
          toBeSigned: tbs,
          now: now(),
        }),
        'SIGNATURE_MALFORMED',
      );
    });
  });

  describe('CONTENT_MISMATCH', () => {
    it('rejects an attached signature over another challenge text', async () => {
      const sig = signCms('legal-rsa', challenge('other-nonce-AAAA'), { detached: false });
      await expectCode(verifyOverChallenge(sig), 'CONTENT_MISMATCH');
    });
    it('rejects a detached signature verified against another text (messageDigest mismatch)', async () => {
      const sig = signCms('legal-ec', challenge('other-nonce-BBBB'));
      await expectCode(verifyOverChallenge(sig), 'CONTENT_MISMATCH');
    });
    it('rejects a challenge that differs only by a trailing newline', async () => {
      const tbs = challenge();
      const sig = signCms('legal-rsa', tbs.trimEnd(), { detached: false });
      await expectCode(pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: now() }), 'CONTENT_MISMATCH');
    });
  });

  describe('SIGNATURE_INVALID', () => {
    it('rejects a tampered signature byte (RSA)', async () => {
      const tbs = challenge();
      const der = Buffer.from(signCms('legal-rsa', tbs), 'base64');
      der[der.length - 5]! ^= 0x01; // the signature value is the last field of the only SignerInfo
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: der.toString('base64'), toBeSigned: tbs, now: now() }),
        'SIGNATURE_INVALID',
      );
    });
    it('rejects a tampered signature byte (ECDSA)', async () => {
      const tbs = challenge();
      const der = Buffer.from(signCms('legal-ec', tbs, { detached: false }), 'base64');
      der[der.length - 3]! ^= 0x01;
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: der.toString('base64'), toBeSigned: tbs, now: now() }),
        'SIGNATURE_INVALID',
      );
    });
    it('rejects attached content edited after signing to look like the challenge', async () => {
      const signed = challenge('AAAAAAAAAAAAAAAA');
      const wanted = challenge('BBBBBBBBBBBBBBBB');
      const der = Buffer.from(signCms('legal-rsa', signed, { detached: false }), 'base64');
      const at = der.indexOf(Buffer.from(signed));
      expect(at).to.be.greaterThan(0);
      Buffer.from(wanted).copy(der, at);
      await expectCode(
        pki.verifyCmsLogin({ signatureBase64: der.toString('base64'), toBeSigned: wanted, now: now() }),
        'SIGNATURE_INVALID',
      );
    });
    it('rejects a SHA-1 digest', async () => {
      const tbs = challenge();
      const e = await expectCode(
        pki.verifyCmsLogin({ signatureBase64: signCms('legal-rsa', tbs, { md: 'sha1' }), toBeSigned: tbs, now: now() }),
        'SIGNATURE_INVALID',
      );
      expect(e.message).to.match(/digest algorithm/);
    });
    it('rejects a signature without signed attributes (no signingTime)', async () => {
      const tbs = challenge();
      const e = await expectCode(
        pki.verifyCmsLogin({
          signatureBase64: signCms('legal-rsa', tbs, { noattr: true, detached: false }),
          toBeSigned: tbs,
          now: now(),
        }),
        'SIGNATURE_INVALID',
      );
      expect(e.message).to.match(/signingTime/);
    });
    it('rejects a detached signature without signed attributes over another text as SIGNATURE_INVALID (cannot tell content from signature)', async () => {
      const sig = signCms('legal-rsa', challenge('other'), { noattr: true });
      await expectCode(verifyOverChallenge(sig), 'SIGNATURE_INVALID');
    });
    it('rejects a signingTime outside the allowed skew (signature replayed an hour later)', async () => {
      const tbs = challenge();
      const sig = signCms('legal-rsa', tbs);
      const e = await expectCode(
        pki.verifyCmsLogin({ signatureBase64: sig, toBeSigned: tbs, now: new Date(Date.now() + 3600_000) }),
        'SIGNATURE_INVALID',
      );
      expect(e.message).to.match(/signingTime/);
    });
    it('honours PKI_SIGNING_TIME_SKEW_SECONDS', async () => {
      const tbs = challenge();
      const sig = signCms('legal-rsa', tbs);
      const lenient = verifier({ PKI_SIGNING_TIME_SKEW_SECONDS: '7200' });
      const r = await lenient.verifyCmsLogin({
        signatureBase64: sig,
        toBeSigned: tbs,
        now: new Date(Date.now() + 3600_000),
      });
      expect(r.mapping.kind).to.equal('LEGAL_ENTITY');
    });
  });
});
