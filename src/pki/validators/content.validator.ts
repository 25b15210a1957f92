/**
 * The signed content must be exactly the expected bytes (the UTF-8 challenge). Throws CONTENT_MISMATCH.
 *
 * PKI.js SignedData.verify ignores the `data` argument when content is attached, so it never notices that a
 * valid signature covers some other text: this check compares it.
 *  - attached: the encapsulated content must equal the challenge byte for byte;
 *  - detached: the signed messageDigest attribute must equal hash(challenge). A detached signature over
 *    another challenge's text is therefore CONTENT_MISMATCH (not SIGNATURE_INVALID).
 *  - attached content equal to the challenge but a messageDigest that does not match it means the content was
 *    altered after signing: SIGNATURE_INVALID.
 *  - without signed attributes the signature covers the content directly and a mismatch can only surface as
 *    SIGNATURE_INVALID (such CMS are rejected anyway: signingTime is required).
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { ContentMismatchError, SignatureInvalidError } from '../../shared/errors';
import { OID, SHA2_BY_OID } from '../der';
import type { CmsContext, Validator } from './types';

export const contentValidator: Validator<CmsContext> = (ctx) => {
  const { content, signedAttrs, digestAlgorithm } = ctx.cms;
  const expected = ctx.expectedContent;
  if (content !== undefined && !content.equals(expected)) {
    throw new ContentMismatchError('the attached signed content is not the expected challenge text');
  }
  const md = signedAttrs?.get(OID.messageDigest);
  if (!md) return;
  const claimed = md.values[0];
  if (!(claimed instanceof asn1js.OctetString))
    throw new SignatureInvalidError('messageDigest attribute is not an OCTET STRING');
  const hash = SHA2_BY_OID[digestAlgorithm.algorithmId];
  if (!hash) throw new SignatureInvalidError('digest algorithm not allowed');
  const actual = createHash(hash.node).update(expected).digest();
  if (!actual.equals(Buffer.from(claimed.valueBlock.valueHexView))) {
    if (content === undefined) {
      throw new ContentMismatchError(
        'the detached signature covers different content (messageDigest does not match the challenge)',
      );
    }
    throw new SignatureInvalidError('messageDigest does not match the attached content');
  }
};
