/**
 * The CMS signature itself, verified with PKI.js SignedData.verify (checkChain off: the chain is the chain
 * validator's job, against our anchors only). PKI.js reports a bad signature either by returning
 * signatureVerified=false or by throwing SignedDataVerifyError (e.g. messageDigest mismatch, unparsable
 * ECDSA value, key/algorithm mismatch): both are SIGNATURE_INVALID. Also requires the contentType signed
 * attribute to be id-data (RFC 5652 §11.1), which PKI.js checks only for presence.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/errors';
import { OID } from '../der';
import type { CmsContext, Validator } from './types';

export function cmsSignatureValidator(crypto: pkijs.ICryptoEngine): Validator<CmsContext> {
  return async (ctx) => {
    const { signedData, signedAttrs } = ctx.cms;
    if (signedAttrs) {
      const ct = signedAttrs.get(OID.contentType)?.values[0];
      if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== OID.data) {
        throw new AppError('SIGNATURE_INVALID', 'contentType signed attribute is missing or not id-data');
      }
      if (!signedAttrs.has(OID.messageDigest)) throw new AppError('SIGNATURE_INVALID', 'messageDigest signed attribute is missing');
    }
    let verified = false;
    let reason = 'the signature value does not verify with the signer certificate';
    try {
      const data = new Uint8Array(ctx.expectedContent).buffer;
      const result = await signedData.verify({ signer: 0, data, checkChain: false, extendedMode: true }, crypto);
      verified = result.signatureVerified === true;
    } catch (e) {
      verified = false;
      reason = `signature verification failed: ${(e as Error).message ?? String(e)}`;
    }
    if (!verified) throw new AppError('SIGNATURE_INVALID', reason);
  };
}
