/**
 * CAdES / ESS binding of the signer certificate (RFC 5035): when the signed attributes carry
 * signingCertificateV2 (or v1), its first certHash must be the hash of the certificate the signer identifier
 * selected. Stops a signature from being re-attributed to another certificate with the same key.
 * Absent attribute: nothing to check (plain `openssl cms -sign` does not add it; `-cades` does).
 * Throws SIGNATURE_INVALID.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { SignatureInvalidError } from '../../shared/errors';
import { OID, SHA2_BY_OID } from '../der';
import type { CmsContext, Validator } from './types';

function invalid(message: string): SignatureInvalidError {
  return new SignatureInvalidError(message);
}

function firstCertId(attrValue: unknown): asn1js.Sequence {
  // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies … OPTIONAL }
  if (!(attrValue instanceof asn1js.Sequence)) throw invalid('signingCertificate attribute is not a SEQUENCE');
  const certs = attrValue.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence) || certs.valueBlock.value.length === 0)
    throw invalid('signingCertificate has no certificate identifiers');
  const first = certs.valueBlock.value[0];
  if (!(first instanceof asn1js.Sequence)) throw invalid('ESSCertID is not a SEQUENCE');
  return first;
}

export const signingCertificateValidator: Validator<CmsContext> = (ctx) => {
  const attrs = ctx.cms.signedAttrs;
  if (!attrs) return;
  const v2 = attrs.get(OID.signingCertificateV2);
  const v1 = attrs.get(OID.signingCertificate);
  if (v2) {
    // ESSCertIDv2 ::= SEQUENCE {
    //   hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, issuerSerial … }
    const parts = firstCertId(v2.values[0]).valueBlock.value;
    let hashOid: string = OID.sha256;
    let i = 0;
    if (parts[0] instanceof asn1js.Sequence) {
      const oid = parts[0].valueBlock.value[0];
      if (!(oid instanceof asn1js.ObjectIdentifier)) throw invalid('ESSCertIDv2 hashAlgorithm does not parse');
      hashOid = oid.valueBlock.toString();
      i = 1;
    }
    const certHash = parts[i];
    const hash = SHA2_BY_OID[hashOid];
    if (!hash) throw invalid(`ESSCertIDv2 hash algorithm ${hashOid} is not allowed`);
    if (!(certHash instanceof asn1js.OctetString)) throw invalid('ESSCertIDv2 certHash is missing');
    const actual = createHash(hash.node).update(ctx.cms.signerCertDer).digest();
    if (!actual.equals(Buffer.from(certHash.valueBlock.valueHexView))) {
      throw invalid('signingCertificateV2 does not identify the signer certificate');
    }
  } else if (v1) {
    // ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial … }
    const certHash = firstCertId(v1.values[0]).valueBlock.value[0];
    if (!(certHash instanceof asn1js.OctetString)) throw invalid('ESSCertID certHash is missing');
    const actual = createHash('sha1').update(ctx.cms.signerCertDer).digest();
    if (!actual.equals(Buffer.from(certHash.valueBlock.valueHexView))) {
      throw invalid('signingCertificate does not identify the signer certificate');
    }
  }
};
