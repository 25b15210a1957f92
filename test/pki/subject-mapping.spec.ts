import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SUBJECT_PROFILE, mapSubject, parseSubjectProfile } from '../../src/pki';
import { parseCertificateDer, pemBlocks } from '../../src/pki/der';
import { cert, key, openssl, tempDir } from './helpers';

const load = (file: string) => parseCertificateDer(pemBlocks(fs.readFileSync(file, 'utf8'), 'CERTIFICATE')[0]!);

/** A throw-away self-signed certificate with the given subject (mapping looks at the subject only). */
function withSubject(subj: string) {
  const out = path.join(tempDir('subj'), 'c.pem');
  openssl(['req', '-new', '-x509', '-utf8', '-key', key('legal-ec'), '-subj', subj, '-days', '1', '-out', out]);
  return load(out);
}

describe('pki subject mapping', () => {
  it('maps the fixtures by the default profile', () => {
    expect(mapSubject(load(cert('legal-rsa')), DEFAULT_SUBJECT_PROFILE)).to.deep.equal({
      mapping: { kind: 'LEGAL_ENTITY', voen: '1402345671', representativeFin: '5XKQ2RT' },
    });
    expect(mapSubject(load(cert('person-ec')), DEFAULT_SUBJECT_PROFILE)).to.deep.equal({
      mapping: { kind: 'NATURAL_PERSON', fin: '7ABCD12' },
    });
    expect(mapSubject(load(cert('no-mapping')), DEFAULT_SUBJECT_PROFILE)).to.have.property('reason');
  });
  it('does not map an organizationIdentifier of the wrong shape, and falls back to the FIN', () => {
    const c = withSubject('/CN=X/organizationIdentifier=VATAZ-140234567/serialNumber=PNOAZ-7ABCD12');
    expect(mapSubject(c, DEFAULT_SUBJECT_PROFILE)).to.deep.equal({
      mapping: { kind: 'NATURAL_PERSON', fin: '7ABCD12' },
    });
  });
  it('does not map other countries or identifier types (VATDE-, IDCAZ-, lower case)', () => {
    for (const subj of [
      '/CN=X/organizationIdentifier=VATDE-1402345671',
      '/CN=X/serialNumber=IDCAZ-7ABCD12',
      '/CN=X/serialNumber=pnoaz-7abcd12',
    ]) {
      expect(mapSubject(withSubject(subj), DEFAULT_SUBJECT_PROFILE), subj).to.have.property('reason');
    }
  });
  it('refuses a subject with two different VÖENs (ambiguous)', () => {
    const c = withSubject('/CN=X/organizationIdentifier=VATAZ-1111111111/organizationIdentifier=VATAZ-2222222222');
    const outcome = mapSubject(c, DEFAULT_SUBJECT_PROFILE);
    expect(outcome)
      .to.have.property('reason')
      .that.matches(/ambiguous/);
  });
  it('parses a profile file with attribute names or OIDs', () => {
    const { profile, problems } = parseSubjectProfile({
      rules: [
        { kind: 'NATURAL_PERSON', attribute: '2.5.4.5', pattern: '^PNOAZ-([0-9A-Z]{7})$' },
        { kind: 'LEGAL_ENTITY', attribute: 'organizationIdentifier', pattern: '^NTRAZ-([0-9]{10})$' },
      ],
    });
    expect(problems).to.deep.equal([]);
    expect(profile!.rules.map((r) => r.attribute)).to.deep.equal(['2.5.4.5', '2.5.4.97']);
    const c = withSubject('/CN=X/organizationIdentifier=NTRAZ-1402345671');
    expect(mapSubject(c, profile!)).to.deep.equal({ mapping: { kind: 'LEGAL_ENTITY', voen: '1402345671' } });
  });
  it('rejects unanchored patterns and unknown attributes', () => {
    const { problems } = parseSubjectProfile({
      rules: [
        { kind: 'NATURAL_PERSON', attribute: 'serialNumber', pattern: 'PNOAZ-([0-9A-Z]{7})' },
        { kind: 'NATURAL_PERSON', attribute: 'shoeSize', pattern: '^(\\d+)$' },
      ],
    });
    expect(problems.join('\n'))
      .to.match(/rules\[0\]\.pattern: must be anchored/)
      .and.match(/rules\[1\]\.attribute/);
  });
});
