/**
 * The Web eID token signature. Per the Web eID specification the signed value is
 *   hash(origin) ‖ hash(challenge nonce)
 * where `hash` is the token algorithm's hash (SHA-256 for RS256/PS256/ES256, SHA-384 for ES384, …), and that
 * concatenation is then signed with the algorithm (which hashes it again). A token made for another origin or
 * another nonce fails here: SIGNATURE_INVALID. ECDSA signatures are raw r‖s (IEEE P1363) as the Web eID app
 * produces them; DER-encoded ones are accepted as well. The key type/curve must match the algorithm.
 * Verified with node:crypto; imported public keys are cached per certificate fingerprint.
 */
import { constants, createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import { AppError, SignatureInvalidError } from '../../shared/errors';
import type { ParsedWebEidToken, WebEidAlgorithm } from '../web-eid';
import type { CertificateContext, Validator } from './types';

export interface WebEidContext extends CertificateContext {
  readonly token: ParsedWebEidToken;
  readonly origin: string;
  readonly challengeNonce: string;
}

const HASH: Record<string, 'sha256' | 'sha384' | 'sha512'> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
const HASH_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };
const MAX_KEYS = 2048;

function invalid(message: string): SignatureInvalidError {
  return new SignatureInvalidError(`Web eID token: ${message}`);
}

export function webEidSignedData(algorithm: WebEidAlgorithm, origin: string, challengeNonce: string): Buffer {
  const hash = HASH[algorithm.slice(2)]!;
  return Buffer.concat([
    createHash(hash).update(origin, 'utf8').digest(),
    createHash(hash).update(challengeNonce, 'utf8').digest(),
  ]);
}

export function webEidSignatureValidator(): Validator<WebEidContext> {
  const keys = new Map<string, KeyObject>();
  const keyFor = (ctx: WebEidContext): KeyObject => {
    let key = keys.get(ctx.fingerprint);
    if (!key) {
      key = createPublicKey({
        key: Buffer.from(ctx.token.certificate.subjectPublicKeyInfo.toSchema().toBER(false)),
        format: 'der',
        type: 'spki',
      });
      keys.set(ctx.fingerprint, key);
      if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value!);
    }
    return key;
  };

  return (ctx) => {
    const { algorithm, signature } = ctx.token;
    let key: KeyObject;
    try {
      key = keyFor(ctx);
    } catch (e) {
      throw invalid(`unsupported certificate public key (${(e as Error).message})`);
    }
    const hash = HASH[algorithm.slice(2)]!;
    const data = webEidSignedData(algorithm, ctx.origin, ctx.challengeNonce);
    let ok = false;
    try {
      if (algorithm.startsWith('ES')) {
        if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVE[algorithm]) {
          throw invalid(`${algorithm} needs an EC ${CURVE[algorithm]} key`);
        }
        const raw = signature.length === 2 * Math.ceil(Number(algorithm === 'ES512' ? 521 : algorithm.slice(2)) / 8);
        ok = verify(hash, data, { key, dsaEncoding: raw ? 'ieee-p1363' : 'der' }, signature);
      } else {
        if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss')
          throw invalid(`${algorithm} needs an RSA key`);
        const pss = algorithm.startsWith('PS');
        ok = verify(
          hash,
          data,
          pss
            ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] }
            : { key, padding: constants.RSA_PKCS1_PADDING },
          signature,
        );
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      ok = false;
    }
    if (!ok) throw invalid('the signature does not verify for this origin and challenge nonce');
  };
}
