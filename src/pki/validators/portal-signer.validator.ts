/**
 * A portal assertion must be signed by one of the allow-listed portal certificates (PORTAL_CERTS), compared
 * by the SHA-256 of the exact DER — a different certificate with the same subject, or any other certificate
 * from the national CA, is rejected. (The certificate must also pass the chain/validity/revocation checks,
 * which run after this one.) Throws ASSERTION_INVALID.
 */
import { AssertionInvalidError } from '../../shared/errors';
import type { CmsContext, Validator } from './types';

export function portalSignerValidator(allowedFingerprints: ReadonlySet<string>): Validator<CmsContext> {
  return (ctx) => {
    if (!allowedFingerprints.has(ctx.fingerprint)) {
      throw new AssertionInvalidError('the assertion is not signed by an allow-listed e-gov portal certificate', {
        signerFingerprint: ctx.fingerprint,
      });
    }
  };
}
