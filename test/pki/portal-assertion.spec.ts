import { expect } from 'chai';
import type { PkiVerifier } from '../../src/pki';
import { expectCode, signCms, verifier } from './helpers';

// Portal assertions carry no signingTime requirement, so the clock is pinned.
const NOW = new Date('2030-03-01T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'egov.gov.az',
    aud: 'customs-stats',
    sub: { voen: '1402345671' },
    iat: T - 10,
    exp: T + 110,
    jti: 'a4b2c7e0-5f1d-4c3b-9e8a-2d6f0b1c3e5a',
    authnMethod: 'asan-imza',
    ...over,
  };
}
const sign = (c: Record<string, unknown>, signer = 'portal', detached = false) =>
  signCms(signer, JSON.stringify(c), { detached });

describe('pki verifyPortalAssertion', () => {
  let pki: PkiVerifier;
  before(() => {
    pki = verifier();
  });
  const verify = (assertionBase64: string, now = NOW) => pki.verifyPortalAssertion({ assertionBase64, now });

  it('accepts a valid assertion for a legal entity and returns jti, exp, mapping and authnMethod', async () => {
    const a = await verify(sign(claims()));
    expect(a.jti).to.equal('a4b2c7e0-5f1d-4c3b-9e8a-2d6f0b1c3e5a');
    expect(a.exp.getTime()).to.equal((T + 110) * 1000);
    expect(a.issuedAt.getTime()).to.equal((T - 10) * 1000);
    expect(a.mapping).to.deep.equal({ kind: 'LEGAL_ENTITY', voen: '1402345671' });
    expect(a.authnMethod).to.equal('asan-imza');
    expect(a.signer.subject.commonName).to.match(/egov\.gov\.az/);
  });
  it('accepts a natural person (sub.fin)', async () => {
    const a = await verify(sign(claims({ sub: { fin: '7ABCD12' } })));
    expect(a.mapping).to.deep.equal({ kind: 'NATURAL_PERSON', fin: '7ABCD12' });
  });
  it('lets voen win when sub names both', async () => {
    const a = await verify(sign(claims({ sub: { voen: '1402345671', fin: '5XKQ2RT' } })));
    expect(a.mapping).to.deep.equal({ kind: 'LEGAL_ENTITY', voen: '1402345671', representativeFin: '5XKQ2RT' });
  });
  it('accepts aud as an array containing this service', async () => {
    const a = await verify(sign(claims({ aud: ['other-service', 'customs-stats'] })));
    expect(a.audience).to.equal('customs-stats');
  });

  describe('ASSERTION_INVALID', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['a wrong audience', { aud: 'another-service' }, /aud/],
      ['a wrong issuer', { iss: 'portal.example.com' }, /iss/],
      ['an expired assertion', { iat: T - 400, exp: T - 100 }, /expired/],
      ['exp equal to now', { iat: T - 100, exp: T }, /expired/],
      ['iat in the future beyond the skew', { iat: T + 600, exp: T + 700 }, /iat .* future/],
      ['a lifetime longer than allowed', { iat: T - 10, exp: T + 3600 }, /lifetime/],
      ['exp not after iat', { iat: T + 10, exp: T + 10 }, /not after iat|lifetime|exp/],
      ['iat given as a string', { iat: String(T) }, /iat/],
      ['a malformed voen', { sub: { voen: '12345' } }, /voen/],
      ['a malformed fin', { sub: { fin: '7abcd12' } }, /fin/],
      ['no subject', { sub: {} }, /sub/],
      ['a missing jti', { jti: undefined }, /jti/],
      ['a missing authnMethod', { authnMethod: '' }, /authnMethod/],
    ];
    for (const [label, over, message] of cases) {
      it(`rejects ${label}`, async () => {
        const e = await expectCode(verify(sign(claims(over))), 'ASSERTION_INVALID');
        expect(e.message).to.match(message);
      });
    }
    it('rejects content that is not JSON', async () => {
      await expectCode(verify(signCms('portal', 'iss=egov.gov.az', { detached: false })), 'ASSERTION_INVALID');
    });
    it('rejects an assertion signed by a trusted certificate that is not allow-listed (legal-rsa)', async () => {
      const e = await expectCode(verify(sign(claims(), 'legal-rsa')), 'ASSERTION_INVALID');
      expect(e.message).to.match(/allow-listed/);
    });
    it('rejects a trusted certificate with the portal subject but another key (portal-impostor)', async () => {
      await expectCode(verify(sign(claims(), 'portal-impostor')), 'ASSERTION_INVALID');
    });
    it('honours PORTAL_ISSUER_ID, SERVICE_ID and PORTAL_ASSERTION_MAX_LIFETIME_SECONDS', async () => {
      const v = verifier({
        PORTAL_ISSUER_ID: 'portal.test',
        SERVICE_ID: 'svc',
        PORTAL_ASSERTION_MAX_LIFETIME_SECONDS: '60',
      });
      const ok = await v.verifyPortalAssertion({
        assertionBase64: sign(claims({ iss: 'portal.test', aud: 'svc', exp: T + 50 })),
        now: NOW,
      });
      expect(ok.issuer).to.equal('portal.test');
      await expectCode(
        v.verifyPortalAssertion({ assertionBase64: sign(claims({ iss: 'portal.test', aud: 'svc' })), now: NOW }),
        'ASSERTION_INVALID',
      );
    });
  });

  describe('CMS and certificate failures keep their own codes', () => {
    it('rejects a detached assertion: SIGNATURE_MALFORMED', async () => {
      await expectCode(verify(sign(claims(), 'portal', true)), 'SIGNATURE_MALFORMED');
    });
    it('rejects garbage: SIGNATURE_MALFORMED', async () => {
      await expectCode(verify('%%%'), 'SIGNATURE_MALFORMED');
    });
    it('rejects claims edited after signing: SIGNATURE_INVALID', async () => {
      const c = claims({ sub: { voen: '1402345671' } });
      const der = Buffer.from(sign(c), 'base64');
      const at = der.indexOf(Buffer.from('1402345671'));
      Buffer.from('9999999999').copy(der, at);
      await expectCode(verify(der.toString('base64')), 'SIGNATURE_INVALID');
    });
    it('rejects an allow-listed signer that does not chain to the anchors: CERT_UNTRUSTED', async () => {
      const v = verifier({ PORTAL_CERTS: 'certs-test/lookalike-leaf.cert.pem' });
      await expectCode(
        v.verifyPortalAssertion({ assertionBase64: sign(claims(), 'lookalike-leaf'), now: NOW }),
        'CERT_UNTRUSTED',
      );
    });
    it('rejects an allow-listed signer that is revoked: CERT_REVOKED', async () => {
      const v = verifier({ PORTAL_CERTS: 'certs-test/portal.cert.pem,certs-test/revoked.cert.pem' });
      await expectCode(
        v.verifyPortalAssertion({ assertionBase64: sign(claims(), 'revoked'), now: NOW }),
        'CERT_REVOKED',
      );
    });
    it('rejects every assertion when PORTAL_CERTS=none', async () => {
      const v = verifier({ PORTAL_CERTS: 'none' });
      await expectCode(v.verifyPortalAssertion({ assertionBase64: sign(claims()), now: NOW }), 'ASSERTION_INVALID');
    });
  });
});
