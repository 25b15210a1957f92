/**
 * Hostile input for the strict DER CMS parser (src/pki/cms.ts + der-reader.ts): every malformed input must be
 * an AppError (SIGNATURE_MALFORMED from the parser), never a TypeError/RangeError or a crash.
 */
import { expect } from 'chai';
import * as pkijs from 'pkijs';
import { parseCms } from '../../src/pki/cms';
import { AppError } from '../../src/shared/errors';
import { cert, expectCode, signCms, verifier } from './helpers';
import type { PkiVerifier } from '../../src/pki';

const now = () => new Date();
const challenge =
  'customs-stats login\norigin: https://customs.example.az\nnonce: cHJvYmUtcGFyc2VyLXRlc3Q=\nexpires: 2026-01-01T00:05:00Z\n';

function expectMalformed(der: Buffer, what: string): void {
  try {
    parseCms(der.toString('base64'));
  } catch (e) {
    expect(e, `${what}: ${String(e)}`).to.be.instanceOf(AppError);
    expect((e as AppError).code, `${what}: ${(e as AppError).message}`).to.equal('SIGNATURE_MALFORMED');
    return;
  }
  expect.fail(`${what}: parsed`);
}

/** Re-encodes the outer ContentInfo header with `header` (the body unchanged). */
function withOuterHeader(der: Buffer, header: number[], trailer: number[] = []): Buffer {
  const lenByte = der[1]!;
  const headerLen = lenByte < 0x80 ? 2 : 2 + (lenByte & 0x7f);
  return Buffer.concat([Buffer.from(header), der.subarray(headerLen), Buffer.from(trailer)]);
}

describe('pki CMS parser (strict DER)', () => {
  let pki: PkiVerifier;
  let rsaAttached: Buffer;
  let ecDetached: Buffer;
  before(() => {
    pki = verifier();
    rsaAttached = Buffer.from(
      signCms('legal-rsa', challenge, { detached: false, cades: true, certfile: cert('issuing-ca') }),
      'base64',
    );
    ecDetached = Buffer.from(signCms('legal-ec', challenge), 'base64');
  });

  it('extracts the same pieces PKI.js does', () => {
    for (const der of [rsaAttached, ecDetached]) {
      const parsed = parseCms(der.toString('base64'));
      const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(der).content });
      const si = sd.signerInfos[0]!;
      expect(parsed.signedAttrsDer!.equals(Buffer.from(si.signedAttrs!.encodedValue))).to.equal(true);
      expect(parsed.signature.equals(Buffer.from(si.signature.valueBlock.valueHexView))).to.equal(true);
      expect(parsed.digestAlgorithm.algorithmId).to.equal(si.digestAlgorithm.algorithmId);
      expect(parsed.signatureAlgorithm.algorithmId).to.equal(si.signatureAlgorithm.algorithmId);
      expect(parsed.otherCerts.length + 1).to.equal(sd.certificates!.length);
      expect([...parsed.signedAttrs!.keys()].sort()).to.deep.equal(
        si.signedAttrs!.attributes.map((a) => a.type).sort(),
      );
    }
  });

  it('rejects the CMS truncated at every byte offset as SIGNATURE_MALFORMED', () => {
    for (const der of [rsaAttached, ecDetached]) {
      for (let n = 1; n < der.length; n++) expectMalformed(der.subarray(0, n), `truncated to ${n} of ${der.length}`);
    }
  });

  it('rejects trailing garbage, also inside the ContentInfo', () => {
    expectMalformed(Buffer.concat([rsaAttached, Buffer.from([0])]), 'one trailing zero');
    expectMalformed(Buffer.concat([rsaAttached, rsaAttached]), 'two CMS back to back');
    // extend the outer length by 2 and append two bytes: garbage inside the ContentInfo SEQUENCE
    const body = withOuterHeader(rsaAttached, []);
    const len = body.length + 2;
    expectMalformed(
      Buffer.concat([Buffer.from([0x30, 0x82, len >> 8, len & 0xff]), body, Buffer.from([0x05, 0x00])]),
      'NULL inside ContentInfo',
    );
  });

  it('rejects indefinite, oversized and non-minimal lengths', () => {
    expectMalformed(withOuterHeader(rsaAttached, [0x30, 0x80], [0, 0]), 'indefinite outer length');
    expectMalformed(withOuterHeader(rsaAttached, [0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 'oversized length');
    expectMalformed(withOuterHeader(rsaAttached, [0x30, 0x88, 0, 0, 0, 0, 0, 0, 0, 1]), 'length field of 8 bytes');
    const len = rsaAttached.length - 4;
    expectMalformed(withOuterHeader(rsaAttached, [0x30, 0x83, 0x00, len >> 8, len & 0xff]), 'non-minimal length');
    expectMalformed(Buffer.from([0x30, 0x81, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04]), 'short-form length in long form');
    expectMalformed(Buffer.from([0x3f, 0x81, 0x01, 0x00]), 'multi-byte tag');
  });

  it('never throws anything but an AppError when any single byte is corrupted (full verification)', async function () {
    this.timeout(120_000);
    const der = ecDetached;
    const accepted: number[] = [];
    for (let i = 0; i < der.length; i += 3) {
      for (const flip of [0xff, 0x01]) {
        const bad = Buffer.from(der);
        bad[i] = bad[i]! ^ flip;
        try {
          await pki.verifyCmsLogin({ signatureBase64: bad.toString('base64'), toBeSigned: challenge, now: now() });
        } catch (e) {
          expect(e, `byte ${i} ^ ${flip}: ${String(e)}`).to.be.instanceOf(AppError);
          continue;
        }
        // resolving is possible only for unsigned, unchecked bytes (e.g. the SignedData digestAlgorithms set)
        accepted.push(i);
      }
    }
    const encap = der.indexOf(Buffer.from('06092a864886f70d010701', 'hex'));
    expect(encap).to.be.greaterThan(0);
    expect(
      accepted.filter((i) => i >= encap),
      'accepted corruptions outside the digestAlgorithms set',
    ).to.deep.equal([]);
  });

  it('rejects an indefinite-length CMS in verifyCmsLogin', async () => {
    const bad = withOuterHeader(ecDetached, [0x30, 0x80], [0, 0]);
    await expectCode(
      pki.verifyCmsLogin({ signatureBase64: bad.toString('base64'), toBeSigned: challenge, now: now() }),
      'SIGNATURE_MALFORMED',
    );
  });
});
