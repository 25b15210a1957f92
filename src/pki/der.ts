/**
 * Small byte-level helpers shared by the PKI code: strict base64, PEM blocks, DER parsing into PKI.js
 * objects, fingerprints, distinguished-name rendering. No policy decisions live here.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Upper bound for any base64/DER input we accept from a client (a CMS with a short chain is ~3-8 KiB). */
export const MAX_INPUT_BYTES = 64 * 1024;

/**
 * Decodes standard base64 (RFC 4648 §4, padding optional, whitespace ignored). Returns undefined for
 * anything else: Node's Buffer.from(…, 'base64') silently skips invalid characters, which would let
 * garbage through to the DER parser.
 */
export function decodeBase64Strict(input: string): Buffer | undefined {
  const s = input.replace(/[\r\n\t ]+/g, '');
  if (s.length === 0 || s.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const unpadded = s.replace(/=+$/, '');
  if (s.length % 4 !== 0 && s.length !== unpadded.length) return undefined;
  const buf = Buffer.from(unpadded, 'base64');
  // Round-trip check rejects non-canonical trailing bits and mis-padded input.
  if (buf.toString('base64').replace(/=+$/, '') !== unpadded) return undefined;
  return buf;
}

/** All `-----BEGIN <label>-----` blocks in a PEM text, decoded. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Buffer[] = [];
  for (const m of text.matchAll(re)) {
    const der = decodeBase64Strict(m[1]!);
    if (!der) throw new Error(`invalid base64 inside a PEM ${label} block`);
    out.push(der);
  }
  return out;
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * Parses one complete BER/DER element; throws when the bytes are truncated, not ASN.1, or followed by
 * trailing garbage.
 */
export function parseAsn1(der: Uint8Array, what: string): asn1js.AsnType {
  const view = new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
  const asn1 = asn1js.fromBER(view);
  if (asn1.offset === -1 || asn1.result.error)
    throw new Error(`${what}: not valid ASN.1 (${asn1.result.error || 'parse error'})`);
  if (asn1.offset !== view.byteLength)
    throw new Error(`${what}: ${view.byteLength - asn1.offset} trailing bytes after the ASN.1 element`);
  return asn1.result;
}

export function parseCertificateDer(der: Uint8Array): pkijs.Certificate {
  return new pkijs.Certificate({ schema: parseAsn1(der, 'certificate') });
}

export function parseCrlDer(der: Uint8Array): pkijs.CertificateRevocationList {
  return new pkijs.CertificateRevocationList({ schema: parseAsn1(der, 'CRL') });
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

/**
 * DER of a parsed certificate: SEQUENCE { the original tbs bytes, signatureAlgorithm, signatureValue }.
 * Assembled by hand because PKI.js's toSchema() re-parses the tbs (~1 ms per certificate with asn1js 4);
 * identical to the received encoding for DER input (fingerprints match `openssl x509 -fingerprint`).
 */
export function certificateDer(cert: pkijs.Certificate): Buffer {
  const body = Buffer.concat([
    Buffer.from(cert.tbsView),
    Buffer.from(cert.signatureAlgorithm.toSchema().toBER(false)),
    Buffer.from(cert.signatureValue.toBER(false)),
  ]);
  return Buffer.concat([derHeader(0x30, body.length), body]);
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function bytesEqual(a: Uint8Array | ArrayBuffer, b: Uint8Array | ArrayBuffer): boolean {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a);
  const y = b instanceof Uint8Array ? b : new Uint8Array(b);
  return (
    x.byteLength === y.byteLength &&
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))
  );
}

/** Same certificate, compared on the signed (tbs) bytes as PKI.js does. */
export function sameCertificate(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  return (
    bytesEqual(a.tbsView, b.tbsView) &&
    bytesEqual(a.signatureValue.valueBlock.valueHexView, b.signatureValue.valueBlock.valueHexView)
  );
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '2.5.4.42': 'GN',
  '2.5.4.4': 'SN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** String value of one attribute (UTF8String, PrintableString, BMPString…), or undefined for non-strings. */
export function attributeString(atv: pkijs.AttributeTypeAndValue): string | undefined {
  const v = atv.value as unknown as { valueBlock?: { value?: unknown } };
  return typeof v?.valueBlock?.value === 'string' ? v.valueBlock.value : undefined;
}

/** A readable RFC 4514-ish rendering, for messages only (never compared). */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((atv) => `${SHORT_NAMES[atv.type] ?? atv.type}=${attributeString(atv) ?? '#'}`)
    .join(', ');
}

export function serialHex(cert: pkijs.Certificate): string {
  return Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase();
}

export function findExtension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  certificatePolicies: '2.5.29.32',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlIssuingDistributionPoint: '2.5.29.28',
  deltaCrlIndicator: '2.5.29.27',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  organizationIdentifier: '2.5.4.97',
  serialNumber: '2.5.4.5',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
  country: '2.5.4.6',
} as const;

/** Node hash names for the SHA-2 digest OIDs we accept, with their output length. */
export const SHA2_BY_OID: Record<string, { node: 'sha256' | 'sha384' | 'sha512'; webcrypto: string; bytes: number }> = {
  [OID.sha256]: { node: 'sha256', webcrypto: 'SHA-256', bytes: 32 },
  [OID.sha384]: { node: 'sha384', webcrypto: 'SHA-384', bytes: 48 },
  [OID.sha512]: { node: 'sha512', webcrypto: 'SHA-512', bytes: 64 },
};
