/**
 * The signer certificate must be an end-entity certificate whose keyUsage extension includes
 * digitalSignature or nonRepudiation (PKI.js checks neither). A missing keyUsage extension is rejected too:
 * national signing certificates always carry it. Throws CERT_KEY_USAGE.
 */
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { CertKeyUsageError } from '../../shared/errors';
import { findExtension, OID } from '../der';
import type { CertificateContext, Validator } from './types';

const DIGITAL_SIGNATURE = 0x80;
const NON_REPUDIATION = 0x40;

export function isCaCertificate(cert: pkijs.Certificate): boolean {
  const bc = findExtension(cert, OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  return bc?.cA === true;
}

export const keyUsageValidator: Validator<CertificateContext> = (ctx) => {
  if (isCaCertificate(ctx.leaf)) throw new CertKeyUsageError('a CA certificate cannot be used to sign in');
  const ext = findExtension(ctx.leaf, OID.keyUsage);
  const bits = ext?.parsedValue;
  if (!(bits instanceof asn1js.BitString)) throw new CertKeyUsageError('the certificate has no keyUsage extension');
  const first = bits.valueBlock.valueHexView[0] ?? 0;
  if ((first & (DIGITAL_SIGNATURE | NON_REPUDIATION)) === 0) {
    throw new CertKeyUsageError('the certificate keyUsage allows neither digitalSignature nor nonRepudiation');
  }
};
