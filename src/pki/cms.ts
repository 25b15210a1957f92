/**
 * Parsing of a base64 DER CMS SignedData (RFC 5652) into what the validators need. Any structural problem is
 * SIGNATURE_MALFORMED; nothing here checks a signature or trusts a certificate.
 *
 * The ContentInfo/SignedData/SignerInfo structure is walked with a strict DER reader (./der-reader: definite
 * minimal lengths, exact tags, every length bounds-checked, no trailing bytes anywhere) instead of PKI.js's
 * schema machinery (1-3 ms per parse with asn1js 4). Only the small leaves the validators inspect (algorithm
 * parameters, attribute values) are decoded with asn1js. The carried certificates are parsed with PKI.js,
 * memoised by the SHA-256 of their DER (a repeat signer costs one hash).
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError, SignatureMalformedError } from '../shared/errors';
import { decodeBase64Strict, MAX_INPUT_BYTES, OID, parseAsn1, parseCertificateDer, sha256Hex } from './der';
import { checkWellFormed, decodeOid, DerError, DerReader, TAG, value, whole, type Tlv } from './der-reader';

/** One signed attribute: its type and its values (each a complete asn1js element). */
export interface CmsAttribute {
  readonly type: string;
  readonly values: readonly asn1js.AsnType[];
}

export interface ParsedCms {
  readonly der: Buffer;
  /** The signer's digestAlgorithm. */
  readonly digestAlgorithm: pkijs.AlgorithmIdentifier;
  /** The signer's signatureAlgorithm (with its parameters, e.g. RSASSA-PSS). */
  readonly signatureAlgorithm: pkijs.AlgorithmIdentifier;
  /** The signer's signature value (content of the OCTET STRING). */
  readonly signature: Buffer;
  /** DER of the signed attributes re-tagged as SET OF (what the signature covers), when present. */
  readonly signedAttrsDer: Buffer | undefined;
  /** The certificate the SignerIdentifier designates, taken from the CMS (not yet trusted). */
  readonly signerCert: pkijs.Certificate;
  readonly signerCertDer: Buffer;
  readonly signerFingerprint: string;
  /** Every other certificate carried in the CMS: untrusted path candidates only. */
  readonly otherCerts: pkijs.Certificate[];
  /** The encapsulated content when attached, else undefined (detached signature). */
  readonly content: Buffer | undefined;
  /** Signed attributes by type OID (each type occurs at most once; checked here). */
  readonly signedAttrs: ReadonlyMap<string, CmsAttribute> | undefined;
}

const SINGLE_VALUED = new Set<string>([
  OID.contentType,
  OID.messageDigest,
  OID.signingTime,
  OID.signingCertificate,
  OID.signingCertificateV2,
]);
const MAX_CERTIFICATES = 32;

function malformed(message: string): SignatureMalformedError {
  return new SignatureMalformedError(message);
}

// ---- parsed certificates, memoised by fingerprint (immutable once parsed; bounded, least recently used out)
const MAX_CACHED_CERTS = 512;
const certCache = new Map<string, pkijs.Certificate>();

function parseCertificateCached(der: Buffer, fingerprint: string): pkijs.Certificate {
  let cert = certCache.get(fingerprint);
  if (cert) {
    certCache.delete(fingerprint);
    certCache.set(fingerprint, cert);
    return cert;
  }
  cert = parseCertificateDer(der);
  certCache.set(fingerprint, cert);
  if (certCache.size > MAX_CACHED_CERTS) certCache.delete(certCache.keys().next().value!);
  return cert;
}

type SignerId = { kind: 'issuerSerial'; issuer: Buffer; serial: Buffer } | { kind: 'keyId'; keyId: Buffer };

interface CarriedCert {
  readonly der: Buffer;
  readonly fingerprint: string;
  readonly cert: pkijs.Certificate;
}

/** Issuer Name and serialNumber INTEGER (whole TLVs) of a certificate DER. */
function issuerAndSerial(der: Buffer): { issuer: Buffer; serial: Buffer } {
  const outer = new DerReader(der, 0, der.length);
  const certSeq = outer.next('certificate', TAG.SEQUENCE);
  outer.done('certificate');
  const tbs = DerReader.inside(der, DerReader.inside(der, certSeq).next('tbsCertificate', TAG.SEQUENCE));
  tbs.optional('version', TAG.CTX0);
  const serial = tbs.next('serialNumber', TAG.INTEGER);
  tbs.next('signature', TAG.SEQUENCE);
  const issuer = tbs.next('issuer', TAG.SEQUENCE);
  return { issuer: whole(der, issuer), serial: whole(der, serial) };
}

function matchesSid(c: CarriedCert, sid: SignerId): boolean {
  if (sid.kind === 'issuerSerial') {
    const { issuer, serial } = issuerAndSerial(c.der);
    return issuer.equals(sid.issuer) && serial.equals(sid.serial);
  }
  // SubjectKeyIdentifier: compare with SHA-1 of the public key (what PKI.js's own SignedData.verify does)
  // and with the certificate's subjectKeyIdentifier extension.
  const spkiHash = createHash('sha1')
    .update(c.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
    .digest();
  if (spkiHash.equals(sid.keyId)) return true;
  const ski = c.cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as
    asn1js.OctetString | undefined;
  return !!ski && Buffer.from(ski.valueBlock.valueHexView).equals(sid.keyId);
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
function algorithmIdentifier(buf: Buffer, tlv: Tlv, what: string): pkijs.AlgorithmIdentifier {
  if (tlv.tag !== TAG.SEQUENCE) throw new DerError(`${what} is not a SEQUENCE`);
  const r = DerReader.inside(buf, tlv);
  const algorithmId = decodeOid(buf, r.next(`${what} algorithm`, TAG.OID));
  let algorithmParams: asn1js.AsnType | undefined;
  if (r.hasMore()) {
    const p = r.next(`${what} parameters`);
    checkWellFormed(buf, p.start, p.end);
    algorithmParams = parseAsn1(whole(buf, p), `${what} parameters`);
  }
  r.done(what);
  return new pkijs.AlgorithmIdentifier(
    algorithmParams === undefined ? { algorithmId } : { algorithmId, algorithmParams },
  );
}

/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF AttributeValue } */
function parseAttributes(buf: Buffer, tlv: Tlv): Map<string, CmsAttribute> {
  const attrs = new Map<string, CmsAttribute>();
  const r = DerReader.inside(buf, tlv);
  while (r.hasMore()) {
    const a = DerReader.inside(buf, r.next('signed attribute', TAG.SEQUENCE));
    const type = decodeOid(buf, a.next('attribute type', TAG.OID));
    const set = DerReader.inside(buf, a.next('attribute values', TAG.SET));
    a.done('signed attribute');
    const values: asn1js.AsnType[] = [];
    while (set.hasMore()) {
      const v = set.next('attribute value');
      checkWellFormed(buf, v.start, v.end);
      values.push(parseAsn1(whole(buf, v), `attribute ${type} value`));
    }
    if (attrs.has(type)) throw malformed(`signed attribute ${type} occurs more than once`);
    if (SINGLE_VALUED.has(type) && values.length !== 1)
      throw malformed(`signed attribute ${type} must have exactly one value`);
    attrs.set(type, { type, values });
  }
  return attrs;
}

interface RawSignerInfo {
  sid: SignerId;
  digestAlgorithm: pkijs.AlgorithmIdentifier;
  signedAttrs: Map<string, CmsAttribute> | undefined;
  signedAttrsDer: Buffer | undefined;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signature: Buffer;
}

/**
 * SignerInfo ::= SEQUENCE { version INTEGER, sid SignerIdentifier, digestAlgorithm, signedAttrs [0] IMPLICIT
 *   OPTIONAL, signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
 */
function parseSignerInfo(buf: Buffer, tlv: Tlv): RawSignerInfo {
  const r = DerReader.inside(buf, tlv);
  r.next('SignerInfo version', TAG.INTEGER);
  const sidTlv = r.next('SignerInfo sid');
  let sid: SignerId;
  if (sidTlv.tag === TAG.SEQUENCE) {
    const s = DerReader.inside(buf, sidTlv);
    const issuer = s.next('sid issuer', TAG.SEQUENCE);
    const serial = s.next('sid serialNumber', TAG.INTEGER);
    s.done('IssuerAndSerialNumber');
    sid = { kind: 'issuerSerial', issuer: whole(buf, issuer), serial: whole(buf, serial) };
  } else if (sidTlv.tag === TAG.CTX0_PRIM) {
    sid = { kind: 'keyId', keyId: value(buf, sidTlv) };
  } else if (sidTlv.tag === TAG.CTX0) {
    const s = DerReader.inside(buf, sidTlv);
    const keyId = s.next('sid subjectKeyIdentifier', TAG.OCTET_STRING);
    s.done('SubjectKeyIdentifier');
    sid = { kind: 'keyId', keyId: value(buf, keyId) };
  } else {
    throw new DerError('SignerInfo sid is neither IssuerAndSerialNumber nor SubjectKeyIdentifier');
  }
  const digestAlgorithm = algorithmIdentifier(buf, r.next('digestAlgorithm', TAG.SEQUENCE), 'digestAlgorithm');
  let signedAttrs: Map<string, CmsAttribute> | undefined;
  let signedAttrsDer: Buffer | undefined;
  const sa = r.optional('signedAttrs', TAG.CTX0);
  if (sa) {
    signedAttrs = parseAttributes(buf, sa);
    signedAttrsDer = Buffer.from(whole(buf, sa)); // a copy: re-tag [0] IMPLICIT as SET OF, what was signed
    signedAttrsDer[0] = TAG.SET;
  }
  const signatureAlgorithm = algorithmIdentifier(buf, r.next('signatureAlgorithm', TAG.SEQUENCE), 'signatureAlgorithm');
  const signature = value(buf, r.next('signature', TAG.OCTET_STRING));
  const ua = r.optional('unsignedAttrs', TAG.CTX1);
  if (ua) checkWellFormed(buf, ua.valueStart, ua.end);
  r.done('SignerInfo');
  return { sid, digestAlgorithm, signedAttrs, signedAttrsDer, signatureAlgorithm, signature };
}

/** Decodes and structurally checks a CMS SignedData with exactly one signer whose certificate is included. */
export function parseCms(base64: string): ParsedCms {
  if (typeof base64 !== 'string' || base64.length === 0) throw malformed('signature is empty');
  if (base64.length > Math.ceil(MAX_INPUT_BYTES / 3) * 4 + 1024)
    throw malformed(`signature is larger than ${MAX_INPUT_BYTES} bytes`);
  const der = decodeBase64Strict(base64);
  if (!der) throw malformed('signature is not valid base64');
  try {
    return parseCmsDer(der);
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof DerError) throw malformed(`signature is not a DER CMS SignedData: ${e.message}`);
    // asn1js/PKI.js failures on a certificate or attribute value
    throw malformed(`CMS does not parse: ${(e as Error)?.message ?? String(e)}`);
  }
}

function parseCmsDer(der: Buffer): ParsedCms {
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
  const top = new DerReader(der, 0, der.length);
  const ciTlv = top.next('ContentInfo', TAG.SEQUENCE);
  top.done('ContentInfo');
  const ci = DerReader.inside(der, ciTlv);
  const contentType = decodeOid(der, ci.next('contentType', TAG.OID));
  const explicit = ci.next('content', TAG.CTX0);
  ci.done('ContentInfo');
  if (contentType !== OID.signedData) throw malformed(`CMS content type ${contentType} is not SignedData`);
  const ex = DerReader.inside(der, explicit);
  const sdTlv = ex.next('SignedData', TAG.SEQUENCE);
  ex.done('content');

  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, certificates [0] IMPLICIT
  //   OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const sd = DerReader.inside(der, sdTlv);
  sd.next('SignedData version', TAG.INTEGER);
  const digestAlgs = DerReader.inside(der, sd.next('digestAlgorithms', TAG.SET));
  while (digestAlgs.hasMore())
    algorithmIdentifier(der, digestAlgs.next('digestAlgorithm', TAG.SEQUENCE), 'digestAlgorithm');

  // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  const eci = DerReader.inside(der, sd.next('encapContentInfo', TAG.SEQUENCE));
  const eContentType = decodeOid(der, eci.next('eContentType', TAG.OID));
  const eContentWrap = eci.optional('eContent', TAG.CTX0);
  eci.done('encapContentInfo');
  let content: Buffer | undefined;
  if (eContentWrap) {
    const w = DerReader.inside(der, eContentWrap);
    const oct = w.next('eContent');
    w.done('eContent');
    if (oct.tag !== TAG.OCTET_STRING) throw malformed('encapsulated content is not a primitive OCTET STRING');
    content = Buffer.from(value(der, oct));
  }

  const carried: CarriedCert[] = [];
  const certsTlv = sd.optional('certificates', TAG.CTX0);
  if (certsTlv) {
    const cr = DerReader.inside(der, certsTlv);
    while (cr.hasMore()) {
      const c = cr.next('certificate');
      if (c.tag !== TAG.SEQUENCE) throw malformed('only X.509 certificates are accepted in the CMS certificates');
      if (carried.length >= MAX_CERTIFICATES)
        throw malformed(`the CMS carries more than ${MAX_CERTIFICATES} certificates`);
      const certDer = Buffer.from(whole(der, c));
      const fingerprint = sha256Hex(certDer);
      carried.push({ der: certDer, fingerprint, cert: parseCertificateCached(certDer, fingerprint) });
    }
  }
  const crlsTlv = sd.optional('crls', TAG.CTX1);
  if (crlsTlv) checkWellFormed(der, crlsTlv.valueStart, crlsTlv.end);
  const siSet = DerReader.inside(der, sd.next('signerInfos', TAG.SET));
  sd.done('SignedData');
  const signerTlvs: Tlv[] = [];
  while (siSet.hasMore()) signerTlvs.push(siSet.next('SignerInfo'));
  if (signerTlvs.length !== 1) throw malformed(`expected exactly one signer, found ${signerTlvs.length}`);
  const si = parseSignerInfo(der, signerTlvs[0]!);

  if (eContentType !== OID.data) throw malformed(`encapsulated content type ${eContentType} is not id-data`);

  const matching = carried.filter((c) => matchesSid(c, si.sid));
  if (matching.length === 0) throw malformed('the signer certificate is not included in the CMS');
  if (matching.length > 1) throw malformed('the CMS carries several certificates matching the signer identifier');
  const signer = matching[0]!;

  return {
    der,
    digestAlgorithm: si.digestAlgorithm,
    signatureAlgorithm: si.signatureAlgorithm,
    signature: Buffer.from(si.signature),
    signedAttrsDer: si.signedAttrsDer,
    signerCert: signer.cert,
    signerCertDer: signer.der,
    signerFingerprint: signer.fingerprint,
    otherCerts: carried.filter((c) => c !== signer).map((c) => c.cert),
    content,
    signedAttrs: si.signedAttrs,
  };
}
