import { expect } from 'chai';
import path from 'node:path';
import { ConfigError } from '../../src/config';
import { createPkiVerifier, DEFAULT_SUBJECT_PROFILE, parsePkiConfig } from '../../src/pki';
import { CERTS, profileFile, ROOT, tempFile } from './helpers';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return expect.fail('expected a ConfigError');
}

describe('pki parsePkiConfig', () => {
  it('uses the certs-test defaults, resolved against rootDir', () => {
    const c = parsePkiConfig({}, ROOT);
    expect(c.trustAnchors.map((f) => f.path)).to.deep.equal([path.join(CERTS, 'root-ca.cert.pem')]);
    expect(c.intermediates.map((f) => f.path)).to.deep.equal([path.join(CERTS, 'issuing-ca.cert.pem')]);
    expect(c.crls.map((f) => f.path)).to.deep.equal([
      path.join(CERTS, 'issuing-ca.crl.pem'),
      path.join(CERTS, 'root-ca.crl.pem'),
    ]);
    expect(c.portal).to.deep.include({ issuerId: 'egov.gov.az', serviceId: 'customs-stats', maxLifetimeSeconds: 300 });
    expect(c.portal.certs.map((f) => f.path)).to.deep.equal([path.join(CERTS, 'portal.cert.pem')]);
    expect(c.signingTimeSkewSeconds).to.equal(300);
    expect(c.ocsp).to.equal(undefined);
    expect(c.requiredPolicyOids).to.deep.equal([]);
    expect(c.requiredEkus).to.deep.equal([]);
    expect(c.subjectProfile).to.equal(DEFAULT_SUBJECT_PROFILE);
  });

  it('parses lists, OIDs, EKU names and OCSP settings', () => {
    const c = parsePkiConfig(
      {
        PKI_REQUIRED_POLICY_OIDS: '1.3.6.1.4.1.99999.1.1, 1.2.3',
        PKI_REQUIRED_EKU: 'clientAuth,1.3.6.1.5.5.7.3.4',
        PKI_OCSP_URL: 'http://127.0.0.1:8888/',
        PKI_OCSP_RESPONDER_CERT: 'certs-test/ocsp-responder.cert.pem',
        PKI_OCSP_MAX_AGE_SECONDS: '120',
        PKI_SIGNING_TIME_SKEW_SECONDS: '60',
      },
      ROOT,
    );
    expect(c.requiredPolicyOids).to.deep.equal(['1.3.6.1.4.1.99999.1.1', '1.2.3']);
    expect(c.requiredEkus).to.deep.equal(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
    expect(c.ocsp).to.deep.include({ url: 'http://127.0.0.1:8888/', maxAgeSeconds: 120, timeoutMs: 5000 });
    expect(c.ocsp!.responderCert.path).to.equal(path.join(CERTS, 'ocsp-responder.cert.pem'));
    expect(c.signingTimeSkewSeconds).to.equal(60);
  });

  it('treats `none` as an explicitly empty list', () => {
    const c = parsePkiConfig({ PKI_INTERMEDIATES: 'none', PORTAL_CERTS: 'none' }, ROOT);
    expect(c.intermediates).to.deep.equal([]);
    expect(c.portal.certs).to.deep.equal([]);
  });

  it('names every bad variable in one ConfigError', () => {
    const p = problems(() =>
      parsePkiConfig(
        {
          PKI_TRUST_ANCHORS: 'certs-test/nope.pem',
          PKI_CRLS: 'none',
          PKI_REQUIRED_POLICY_OIDS: 'not-an-oid',
          PKI_REQUIRED_EKU: 'superAuth',
          PKI_SIGNING_TIME_SKEW_SECONDS: '-5',
          PKI_OCSP_URL: 'ftp://x',
          PORTAL_ASSERTION_MAX_LIFETIME_SECONDS: 'abc',
        },
        ROOT,
      ),
    );
    const text = p.join('\n');
    for (const v of [
      'PKI_TRUST_ANCHORS',
      'PKI_CRLS',
      'PKI_REQUIRED_POLICY_OIDS',
      'PKI_REQUIRED_EKU',
      'PKI_SIGNING_TIME_SKEW_SECONDS',
      'PKI_OCSP_URL',
      'PKI_OCSP_RESPONDER_CERT',
      'PORTAL_ASSERTION_MAX_LIFETIME_SECONDS',
    ]) {
      expect(text, v).to.contain(`${v}:`);
    }
  });

  it('rejects a subject profile that is not valid (no capture group, unknown kind, bad JSON)', () => {
    const bad = profileFile('bad.json', [
      { kind: 'COMPANY', attribute: 'serialNumber', pattern: '^X$' },
      { kind: 'NATURAL_PERSON', attribute: 'serialNumber', pattern: '^PNOAZ-[0-9A-Z]{7}$' },
    ]);
    const p = problems(() => parsePkiConfig({ PKI_SUBJECT_PROFILE: bad }, ROOT)).join('\n');
    expect(p).to.contain('PKI_SUBJECT_PROFILE: rules[0].kind');
    expect(p).to.contain('PKI_SUBJECT_PROFILE: rules[1].pattern: expected exactly one capture group');
    const notJson = tempFile('not.json', '{');
    expect(problems(() => parsePkiConfig({ PKI_SUBJECT_PROFILE: notJson }, ROOT)).join('\n')).to.contain(
      'PKI_SUBJECT_PROFILE: cannot read JSON',
    );
  });

  it('createPkiVerifier rejects a file that is not a certificate or CRL, naming the variable', () => {
    expect(() => createPkiVerifier(parsePkiConfig({ PKI_TRUST_ANCHORS: 'certs-test/README.md' }, ROOT))).to.throw(
      ConfigError,
      /PKI_TRUST_ANCHORS/,
    );
    expect(() => createPkiVerifier(parsePkiConfig({ PKI_CRLS: 'certs-test/root-ca.cert.pem' }, ROOT))).to.throw(
      ConfigError,
      /PKI_CRLS/,
    );
  });
});
