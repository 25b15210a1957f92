import { expect } from 'chai';
import type { PkiVerifier } from '../../src/pki';
import { certDerBase64, expectCode, identities, verifier, webEidToken } from './helpers';

const ORIGIN = 'https://customs.example.az';
const NONCE = 'TmFzxLFsIHNpZ25hdHVyZSBjaGFsbGVuZ2UgZm9yIHRlc3RzIDEyMzQ1Njc4OQ==';
const NOW = new Date('2030-03-01T10:00:00Z'); // no signingTime in a Web eID token: the clock is pinned

describe('pki verifyWebEidToken', () => {
  let pki: PkiVerifier;
  before(() => {
    pki = verifier();
  });
  const verify = (token: string, o: { nonce?: string; origin?: string; now?: Date } = {}) =>
    pki.verifyWebEidToken({ token, challengeNonce: o.nonce ?? NONCE, origin: o.origin ?? ORIGIN, now: o.now ?? NOW });

  it('accepts an ES256 token of the legal entity representative (P-256, raw r‖s)', async () => {
    const r = await verify(webEidToken('legal-ec', ORIGIN, NONCE, 'ES256'));
    expect(r.method).to.equal('WEB_EID');
    expect(r.mapping).to.deep.equal({
      kind: 'LEGAL_ENTITY',
      voen: identities.legalEntity.voen,
      representativeFin: identities.legalEntity.representative.fin,
    });
    expect(r.certificate.der.toString('base64')).to.equal(certDerBase64('legal-ec'));
    expect(r.signingTime).to.equal(undefined);
  });
  it('accepts RS256 and PS256 tokens of the natural person', async () => {
    for (const alg of ['RS256', 'PS256', 'RS512']) {
      const r = await verify(webEidToken('person-rsa', ORIGIN, NONCE, alg));
      expect(r.mapping, alg).to.deep.equal({ kind: 'NATURAL_PERSON', fin: identities.naturalPerson.fin });
    }
  });

  describe('SIGNATURE_INVALID', () => {
    it('rejects a token made for another origin', async () => {
      await expectCode(
        verify(webEidToken('legal-ec', 'https://evil.example.com', NONCE, 'ES256')),
        'SIGNATURE_INVALID',
      );
    });
    it('rejects a token made for another challenge nonce', async () => {
      await expectCode(verify(webEidToken('legal-ec', ORIGIN, 'b3RoZXItbm9uY2U=', 'ES256')), 'SIGNATURE_INVALID');
    });
    it('rejects the right token presented for another origin by the server', async () => {
      await expectCode(
        verify(webEidToken('person-ec', ORIGIN, NONCE, 'ES256'), { origin: 'https://customs.example.az:8443' }),
        'SIGNATURE_INVALID',
      );
    });
    it('rejects an algorithm that does not match the key (ES256 claimed for an RSA certificate)', async () => {
      const token = JSON.parse(webEidToken('person-rsa', ORIGIN, NONCE, 'RS256'));
      await expectCode(verify(JSON.stringify({ ...token, algorithm: 'ES256' })), 'SIGNATURE_INVALID');
    });
    it('rejects an RS256 signature claimed as PS256', async () => {
      const token = JSON.parse(webEidToken('person-rsa', ORIGIN, NONCE, 'RS256'));
      await expectCode(verify(JSON.stringify({ ...token, algorithm: 'PS256' })), 'SIGNATURE_INVALID');
    });
    it('rejects a signature swapped onto another certificate', async () => {
      const token = JSON.parse(webEidToken('legal-ec', ORIGIN, NONCE, 'ES256'));
      await expectCode(
        verify(JSON.stringify({ ...token, unverifiedCertificate: certDerBase64('person-ec') })),
        'SIGNATURE_INVALID',
      );
    });
  });

  describe('SIGNATURE_MALFORMED', () => {
    it('rejects text that is not JSON', async () => {
      await expectCode(verify('{"format":"web-eid:1.0",'), 'SIGNATURE_MALFORMED');
    });
    it('rejects JSON that is not an object', async () => {
      await expectCode(verify('["web-eid:1.0"]'), 'SIGNATURE_MALFORMED');
    });
    it('rejects an unknown format', async () => {
      await expectCode(
        verify(webEidToken('legal-ec', ORIGIN, NONCE, 'ES256', { format: 'web-eid:2.0' })),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects an unsupported algorithm', async () => {
      await expectCode(
        verify(webEidToken('legal-ec', ORIGIN, NONCE, 'ES256', { algorithm: 'HS256' })),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects a missing signature', async () => {
      await expectCode(
        verify(webEidToken('legal-ec', ORIGIN, NONCE, 'ES256', { signature: undefined })),
        'SIGNATURE_MALFORMED',
      );
    });
    it('rejects an unverifiedCertificate that is not a certificate', async () => {
      await expectCode(
        verify(
          webEidToken('legal-ec', ORIGIN, NONCE, 'ES256', {
            unverifiedCertificate: Buffer.from('not a cert').toString('base64'),
          }),
        ),
        'SIGNATURE_MALFORMED',
      );
    });
  });

  describe('certificate checks apply as for CMS', () => {
    for (const [what, cert, alg, code] of [
      ['an expired certificate', 'expired', 'RS256', 'CERT_EXPIRED'],
      ['a certificate not valid until 2040', 'not-yet-valid', 'RS256', 'CERT_NOT_YET_VALID'],
      ['a self-signed certificate', 'self-signed', 'RS256', 'CERT_UNTRUSTED'],
      ['a revoked certificate', 'revoked', 'RS256', 'CERT_REVOKED'],
      ['bad key usage', 'bad-key-usage', 'RS256', 'CERT_KEY_USAGE'],
      ['an unmapped subject', 'no-mapping', 'ES256', 'CERT_SUBJECT_UNMAPPED'],
    ] as const) {
      it(`rejects ${what}: ${code}`, async () => {
        await expectCode(verify(webEidToken(cert, ORIGIN, NONCE, alg)), code);
      });
    }
  });
});
