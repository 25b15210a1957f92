import { expect } from 'chai';
import path from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { parsePkiConfig } from '../../src/pki/config';

const ROOT = path.resolve(__dirname, '..', '..');

describe('pki configuration in production', () => {
  function problems(env: Record<string, string>): string[] {
    try {
      parsePkiConfig(env, ROOT);
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
  }

  it('refuses to fall back to the test PKI, whose keys are public', () => {
    const p = problems({ NODE_ENV: 'production' });
    expect(p.join('\n'))
      .to.match(/PKI_TRUST_ANCHORS: must be set in production/)
      .and.to.match(/PKI_CRLS: must be set in production/)
      .and.to.match(/PORTAL_CERTS: must be set in production/);
  });

  it('refuses test PKI files named explicitly', () => {
    const p = problems({
      NODE_ENV: 'production',
      PKI_TRUST_ANCHORS: 'certs-test/root-ca.cert.pem',
      PKI_CRLS: 'certs-test/issuing-ca.crl.pem',
      PORTAL_CERTS: 'certs-test/portal.cert.pem',
    });
    expect(p.filter((m) => /is the test PKI/.test(m))).to.have.length(4); // anchors, default intermediates, CRL, portal
  });

  it('accepts the test PKI in production only when PKI_ALLOW_TEST_PKI=true, and always outside production', () => {
    expect(problems({ NODE_ENV: 'production', PKI_ALLOW_TEST_PKI: 'true' })).to.deep.equal([]);
    expect(problems({ NODE_ENV: 'development' })).to.deep.equal([]);
  });
});
