/**
 * The signer certificate must be valid at `now`: CERT_NOT_YET_VALID before notBefore, CERT_EXPIRED after
 * notAfter. (CA certificates outside their validity make the chain validator fail: CERT_UNTRUSTED.)
 * Runs before the chain validator, as in web-eid, so an expired certificate from the real CA reports
 * CERT_EXPIRED rather than the chain engine's generic date failure.
 */
import { CertExpiredError, CertNotYetValidError } from '../../shared/errors';
import type { CertificateContext, Validator } from './types';

export const validityValidator: Validator<CertificateContext> = (ctx) => {
  const notBefore = ctx.leaf.notBefore.value;
  const notAfter = ctx.leaf.notAfter.value;
  const t = ctx.now.getTime();
  if (t < notBefore.getTime()) {
    throw new CertNotYetValidError(`the certificate is valid only from ${notBefore.toISOString()}`, {
      notBefore: notBefore.toISOString(),
    });
  }
  if (t > notAfter.getTime()) {
    throw new CertExpiredError(`the certificate expired at ${notAfter.toISOString()}`, {
      notAfter: notAfter.toISOString(),
    });
  }
};
