/**
 * The signingTime signed attribute must be present and within ±skew of `now` (a login signature is made
 * seconds before it is sent; an old one is a replay or a pre-signed challenge). Throws SIGNATURE_INVALID.
 */
import * as asn1js from 'asn1js';
import { SignatureInvalidError } from '../../shared/errors';
import { OID } from '../der';
import type { CmsContext, Validator } from './types';

export function signingTimeValidator(skewSeconds: number): Validator<CmsContext> {
  return (ctx) => {
    const value = ctx.cms.signedAttrs?.get(OID.signingTime)?.values[0];
    if (value === undefined) throw new SignatureInvalidError('the signingTime signed attribute is required');
    if (!(value instanceof asn1js.UTCTime) && !(value instanceof asn1js.GeneralizedTime)) {
      throw new SignatureInvalidError('signingTime is not a UTCTime or GeneralizedTime');
    }
    const signingTime = value.toDate();
    if (Number.isNaN(signingTime.getTime())) throw new SignatureInvalidError('signingTime does not parse');
    const drift = Math.abs(signingTime.getTime() - ctx.now.getTime());
    if (drift > skewSeconds * 1000) {
      throw new SignatureInvalidError(
        `signingTime ${signingTime.toISOString()} is more than ${skewSeconds}s away from the server time ${ctx.now.toISOString()}`,
        { signingTime: signingTime.toISOString() },
      );
    }
    ctx.signingTime = signingTime;
  };
}
