/**
 * Parsing of a base64 DER CMS SignedData (RFC 5652) into what the validators need. Any structural problem is
 * SIGNATURE_MALFORMED; nothing here checks a signature or trusts a certificate.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../shared/errors';
import { certificateDer, decodeBase64Strict, MAX_INPUT_BYTES, OID, parseAsn1, sha256Hex } from './der';

export interface ParsedCms {
  readonly der: Buffer;
  readonly signedData: pkijs.SignedData;
  readonly signerInfo: pkijs.SignerInfo;
  /** The certificate the SignerIdentifier designates, taken from the CMS (not yet trusted). */
  readonly signerCert: pkijs.Certificate;
  readonly signerCertDer: Buffer;
  readonly signerFingerprint: string;
  /** Every other certificate carried in the CMS: untrusted path candidates only. */
  readonly otherCerts: pkijs.Certificate[];
  /** The encapsulated content when attached, else undefined (detached signature). */
  readonly content: Buffer | undefined;
  /** Signed attributes by type OID (each type occurs at most once; checked here). */
  readonly signedAttrs: ReadonlyMap<string, pkijs.Attribute> | undefined;
}

const SINGLE_VALUED = new Set<string>([OID.contentType, OID.messageDigest, OID.signingTime, OID.signingCertificate, OID.signingCertificateV2]);

function malformed(message: string): AppError {
  return new AppError('SIGNATURE_MALFORMED', message);
}

function matchesSid(cert: pkijs.Certificate, sid: pkijs.SignerInfo['sid']): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber);
  }
  // [0] SubjectKeyIdentifier. PKI.js keeps it as a raw ASN.1 element; compare with SHA-1 of the public key
  // (what PKI.js's own SignedData.verify does) and with the certificate's subjectKeyIdentifier extension.
  const raw = sid as asn1js.Constructed & asn1js.Primitive;
  const keyId = raw.idBlock.isConstructed
    ? Buffer.from((raw.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView)
    : Buffer.from((raw as asn1js.Primitive).valueBlock.valueHexView);
  const spkiHash = createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
  if (spkiHash.equals(keyId)) return true;
  const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  return !!ski && Buffer.from(ski.valueBlock.valueHexView).equals(keyId);
}

/** Decodes and structurally checks a CMS SignedData with exactly one signer whose certificate is included. */
export function parseCms(base64: string): ParsedCms {
  if (typeof base64 !== 'string' || base64.length === 0) throw malformed('signature is empty');
  if (base64.length > Math.ceil(MAX_INPUT_BYTES / 3) * 4 + 1024) throw malformed(`signature is larger than ${MAX_INPUT_BYTES} bytes`);
  const der = decodeBase64Strict(base64);
  if (!der) throw malformed('signature is not valid base64');

  let contentInfo: pkijs.ContentInfo;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: parseAsn1(der, 'CMS') });
  } catch (e) {
    throw malformed(`signature is not a DER CMS ContentInfo: ${(e as Error).message}`);
  }
  if (contentInfo.contentType !== OID.signedData) throw malformed(`CMS content type ${contentInfo.contentType} is not SignedData`);
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (e) {
    throw malformed(`CMS SignedData does not parse: ${(e as Error).message}`);
  }
  if (signedData.signerInfos.length !== 1) throw malformed(`expected exactly one signer, found ${signedData.signerInfos.length}`);
  const signerInfo = signedData.signerInfos[0]!;

  if (signedData.encapContentInfo.eContentType !== OID.data) {
    throw malformed(`encapsulated content type ${signedData.encapContentInfo.eContentType} is not id-data`);
  }
  let content: Buffer | undefined;
  const eContent = signedData.encapContentInfo.eContent;
  if (eContent) {
    if (eContent.idBlock.tagClass !== 1 || eContent.idBlock.tagNumber !== 4) throw malformed('encapsulated content is not an OCTET STRING');
    content = Buffer.from(eContent.getValue());
  }

  const certs = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const matching = certs.filter((c) => matchesSid(c, signerInfo.sid));
  if (matching.length === 0) throw malformed('the signer certificate is not included in the CMS');
  if (matching.length > 1) throw malformed('the CMS carries several certificates matching the signer identifier');
  const signerCert = matching[0]!;
  const signerCertDer = certificateDer(signerCert);

  let signedAttrs: Map<string, pkijs.Attribute> | undefined;
  if (signerInfo.signedAttrs) {
    signedAttrs = new Map();
    for (const a of signerInfo.signedAttrs.attributes) {
      if (signedAttrs.has(a.type)) throw malformed(`signed attribute ${a.type} occurs more than once`);
      if (SINGLE_VALUED.has(a.type) && a.values.length !== 1) throw malformed(`signed attribute ${a.type} must have exactly one value`);
      signedAttrs.set(a.type, a);
    }
  }

  return {
    der, signedData, signerInfo, signerCert, signerCertDer, signerFingerprint: sha256Hex(signerCertDer),
    otherCerts: certs.filter((c) => c !== signerCert), content, signedAttrs,
  };
}
