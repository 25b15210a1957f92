/**
 * Algorithm allow-list for a CMS signer: digest SHA-256/384/512 only, and a signature algorithm whose hash is
 * SHA-2 as well (RSA PKCS#1 v1.5, RSASSA-PSS with SHA-2 hash and MGF1-SHA-2, ECDSA with SHA-2).
 * Throws SIGNATURE_INVALID. Runs before the content check, which hashes the challenge with this digest.
 */
import { SignatureInvalidError } from '../../shared/errors';
import { signatureAlgorithmProblem } from '../algorithms';
import { SHA2_BY_OID } from '../der';
import type { CmsContext, Validator } from './types';

function invalid(message: string): SignatureInvalidError {
  return new SignatureInvalidError(message);
}

export const digestAlgorithmValidator: Validator<CmsContext> = (ctx) => {
  const { digestAlgorithm, signatureAlgorithm } = ctx.cms;
  const digest = digestAlgorithm.algorithmId;
  if (!SHA2_BY_OID[digest])
    throw invalid(`digest algorithm ${digest} is not allowed (SHA-256, SHA-384 or SHA-512 only)`);
  const problem = signatureAlgorithmProblem(signatureAlgorithm);
  if (problem) throw invalid(problem);
};
