/**
 * Optional (configured by PKI_REQUIRED_POLICY_OIDS / PKI_REQUIRED_EKU): the signer certificate must carry at
 * least one of the required certificatePolicies OIDs, and its extendedKeyUsage at least one of the required
 * purposes. Throws CERT_POLICY. Returns undefined when nothing is required, so the chain leaves it out.
 */
import type * as pkijs from 'pkijs';
import { CertPolicyError } from '../../shared/errors';
import { findExtension, OID } from '../der';
import type { CertificateContext, Validator } from './types';

export function policyValidator(
  requiredPolicyOids: readonly string[],
  requiredEkus: readonly string[],
): Validator<CertificateContext> | undefined {
  if (requiredPolicyOids.length === 0 && requiredEkus.length === 0) return undefined;
  return (ctx) => {
    if (requiredPolicyOids.length > 0) {
      const ext = findExtension(ctx.leaf, OID.certificatePolicies)?.parsedValue as
        pkijs.CertificatePolicies | undefined;
      const present = ext?.certificatePolicies?.map((p) => p.policyIdentifier) ?? [];
      if (!present.some((oid) => requiredPolicyOids.includes(oid))) {
        throw new CertPolicyError(
          `the certificate carries none of the required policies ${requiredPolicyOids.join(', ')}`,
          { present, required: [...requiredPolicyOids] },
        );
      }
    }
    if (requiredEkus.length > 0) {
      const ext = findExtension(ctx.leaf, OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
      const present = ext?.keyPurposes ?? [];
      if (!present.some((oid) => requiredEkus.includes(oid))) {
        throw new CertPolicyError(`the certificate extendedKeyUsage has none of ${requiredEkus.join(', ')}`, {
          present,
          required: [...requiredEkus],
        });
      }
    }
  };
}
