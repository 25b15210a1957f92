import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';
import { DocumentSigner } from '../../src/extracts/sign';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ NODE_ENV: 'development', ...env });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('extract signing configuration', () => {
  it('defaults to the test PKI document signer outside production', () => {
    const c = loadConfig({ NODE_ENV: 'development' }).extract;
    expect(c.signingCertFile).to.match(/certs-test\/document-signer\.cert\.pem$/);
    expect(c.signingKeyFile).to.match(/certs-test\/document-signer\.key\.pem$/);
    expect(c.chainFiles).to.have.length(1);
    expect(c.chainFiles[0]).to.match(/certs-test\/issuing-ca\.cert\.pem$/);
  });

  it('in production must be set and may not name the test PKI unless PKI_ALLOW_TEST_PKI=true', () => {
    const unset = problems({ NODE_ENV: 'production' }).join('\n');
    for (const v of ['EXTRACT_SIGNING_CERT', 'EXTRACT_SIGNING_KEY', 'EXTRACT_SIGNING_CHAIN'])
      expect(unset).to.match(new RegExp(`${v}: must be set in production`));
    const named = problems({
      NODE_ENV: 'production',
      EXTRACT_SIGNING_CERT: 'certs-test/document-signer.cert.pem',
      EXTRACT_SIGNING_KEY: 'certs-test/document-signer.key.pem',
      EXTRACT_SIGNING_CHAIN: 'certs-test/issuing-ca.cert.pem',
    }).filter((m) => m.startsWith('EXTRACT_'));
    expect(named).to.have.length(3);
    expect(named.every((m) => /is the test PKI/.test(m))).to.equal(true);
    expect(
      problems({ NODE_ENV: 'production', PKI_ALLOW_TEST_PKI: 'true' }).filter((m) => m.startsWith('EXTRACT_')),
    ).to.deep.equal([]);
  });

  it('names a missing file, and a key that is not the certificate’s', () => {
    expect(problems({ EXTRACT_SIGNING_KEY: 'certs-test/nope.key.pem' }).join('\n')).to.match(
      /EXTRACT_SIGNING_KEY: file not found/,
    );
    expect(problems({ EXTRACT_SIGNING_CHAIN: 'none' })).to.deep.equal([]);
    const config = loadConfig({ NODE_ENV: 'development', EXTRACT_SIGNING_KEY: 'certs-test/legal-rsa.key.pem' });
    expect(() => new DocumentSigner(config.extract))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.satisfies((p: string[]) =>
        p.some((m) => /EXTRACT_SIGNING_KEY: .* is not the key of the certificate/.test(m)),
      );
  });
});
