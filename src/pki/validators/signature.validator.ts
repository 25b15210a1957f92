/**
 * The CMS signature itself, verified with node:crypto (the chain is the chain validator's job, against our
 * anchors only). Same rules as PKI.js SignedData.verify, a little stricter:
 *  - with signed attributes: contentType must be id-data (RFC 5652 §11.1; PKI.js checks only presence),
 *    messageDigest must be present and equal the digest of the content (attached content, else the expected
 *    bytes), and the signature covers the signed attributes re-tagged as SET OF; without them it covers the
 *    content itself;
 *  - the hash is the digestAlgorithm's for rsaEncryption, else the one the signature algorithm names
 *    (RSASSA-PSS: its hashAlgorithm, with its saltLength, default 20);
 *  - the signer key must fit the algorithm: RSA for PKCS#1 v1.5 and PSS, EC on P-256/P-384/P-521 (the curves
 *    WebCrypto supports) for ECDSA, whose value must be a DER ECDSA-Sig-Value.
 * Any failure is SIGNATURE_INVALID. Public keys are cached per signer certificate fingerprint.
 */
import { constants, createHash, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError, SignatureInvalidError } from '../../shared/errors';
import { OID, SHA2_BY_OID } from '../der';
import type { CmsContext, Validator } from './types';

const RSA_WITH_SHA2: Record<string, string> = {
  '1.2.840.113549.1.1.11': OID.sha256,
  '1.2.840.113549.1.1.12': OID.sha384,
  '1.2.840.113549.1.1.13': OID.sha512,
};
const ECDSA_WITH_SHA2: Record<string, string> = {
  '1.2.840.10045.4.3.2': OID.sha256,
  '1.2.840.10045.4.3.3': OID.sha384,
  '1.2.840.10045.4.3.4': OID.sha512,
};
const WEBCRYPTO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const MAX_CACHED_KEYS = 1024;

function invalid(message: string): SignatureInvalidError {
  return new SignatureInvalidError(message);
}

interface VerifyPlan {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly kind: 'pkcs1' | 'pss' | 'ecdsa';
  readonly saltLength?: number;
}

function planFor(alg: pkijs.AlgorithmIdentifier, digestOid: string): VerifyPlan {
  const id = alg.algorithmId;
  const hashOf = (oid: string | undefined) => {
    const h = oid ? SHA2_BY_OID[oid] : undefined;
    if (!h) throw invalid(`unsupported hash for signature algorithm ${id}`);
    return h.node;
  };
  if (id === OID.rsaEncryption) return { hash: hashOf(digestOid), kind: 'pkcs1' };
  if (RSA_WITH_SHA2[id]) return { hash: hashOf(RSA_WITH_SHA2[id]), kind: 'pkcs1' };
  if (ECDSA_WITH_SHA2[id]) return { hash: hashOf(ECDSA_WITH_SHA2[id]), kind: 'ecdsa' };
  if (id === OID.rsassaPss) {
    let params: pkijs.RSASSAPSSParams;
    try {
      params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
    } catch {
      throw invalid('RSASSA-PSS parameters do not parse');
    }
    return { hash: hashOf(params.hashAlgorithm.algorithmId), kind: 'pss', saltLength: params.saltLength };
  }
  throw invalid(`signature algorithm ${id} is not supported`);
}

export function cmsSignatureValidator(): Validator<CmsContext> {
  const keys = new Map<string, KeyObject>();
  const keyOf = (ctx: CmsContext): KeyObject => {
    const fp = ctx.cms.signerFingerprint;
    let key = keys.get(fp);
    if (key) return key;
    try {
      key = new X509Certificate(ctx.cms.signerCertDer).publicKey;
    } catch (e) {
      throw invalid(`the signer certificate public key cannot be used: ${(e as Error)?.message ?? String(e)}`);
    }
    keys.set(fp, key);
    if (keys.size > MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!);
    return key;
  };

  return (ctx) => {
    const { signedAttrs, signedAttrsDer, content, digestAlgorithm, signatureAlgorithm, signature } = ctx.cms;
    const digest = SHA2_BY_OID[digestAlgorithm.algorithmId];
    if (!digest) throw invalid(`digest algorithm ${digestAlgorithm.algorithmId} is not supported`);
    const data = content ?? ctx.expectedContent;
    if (data.length === 0 && content === undefined) throw invalid('missing detached content');
    let signed: Buffer = data;
    if (signedAttrs) {
      const ct = signedAttrs.get(OID.contentType)?.values[0];
      if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== OID.data) {
        throw invalid('contentType signed attribute is missing or not id-data');
      }
      const md = signedAttrs.get(OID.messageDigest)?.values[0];
      if (!md) throw invalid('messageDigest signed attribute is missing');
      if (!(md instanceof asn1js.OctetString)) throw invalid('messageDigest attribute is not an OCTET STRING');
      if (!createHash(digest.node).update(data).digest().equals(Buffer.from(md.valueBlock.valueHexView))) {
        throw invalid('signature verification failed: the message digest does not match the content');
      }
      if (!signedAttrsDer) throw invalid('signed attributes are missing their encoding');
      signed = signedAttrsDer;
    }

    const plan = planFor(signatureAlgorithm, digestAlgorithm.algorithmId);
    const key = keyOf(ctx);
    const type = key.asymmetricKeyType;
    let ok = false;
    try {
      if (plan.kind === 'ecdsa') {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        if (type !== 'ec' || !curve || !WEBCRYPTO_CURVES.has(curve))
          throw invalid('the signer key is not an EC key on P-256, P-384 or P-521');
        ok = cryptoVerify(plan.hash, signed, { key, dsaEncoding: 'der' }, signature);
      } else {
        if (type !== 'rsa') throw invalid('the signer key is not an RSA key');
        ok =
          plan.kind === 'pss'
            ? cryptoVerify(
                plan.hash,
                signed,
                { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: plan.saltLength! },
                signature,
              )
            : cryptoVerify(plan.hash, signed, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw invalid(`signature verification failed: ${(e as Error)?.message ?? String(e)}`);
    }
    if (!ok) throw invalid('the signature value does not verify with the signer certificate');
  };
}
