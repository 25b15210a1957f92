/**
 * Parsing of a Web eID authentication token (format `web-eid:1.x`, https://github.com/web-eid/web-eid-system-architecture-doc):
 *   { "format": "web-eid:1.0", "unverifiedCertificate": "<base64 DER>", "algorithm": "ES384",
 *     "signature": "<base64>", "appVersion": "https://web-eid.eu/web-eid-app/releases/2.5.0" }
 * Anything structurally wrong is SIGNATURE_MALFORMED.
 */
import * as pkijs from 'pkijs';
import { SignatureMalformedError } from '../shared/errors';
import { certificateDer, decodeBase64Strict, parseCertificateDer, sha256Hex } from './der';

export type WebEidAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export const WEB_EID_ALGORITHMS: readonly WebEidAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

export interface ParsedWebEidToken {
  readonly format: string;
  readonly algorithm: WebEidAlgorithm;
  readonly signature: Buffer;
  readonly certificate: pkijs.Certificate;
  readonly certificateDer: Buffer;
  readonly fingerprint: string;
  readonly appVersion: string | undefined;
}

const MAX_TOKEN_CHARS = 16 * 1024;

function malformed(message: string): SignatureMalformedError {
  return new SignatureMalformedError(`Web eID token: ${message}`);
}

export function parseWebEidToken(token: string): ParsedWebEidToken {
  if (typeof token !== 'string' || token.length === 0) throw malformed('empty');
  if (token.length > MAX_TOKEN_CHARS) throw malformed(`longer than ${MAX_TOKEN_CHARS} characters`);
  let json: unknown;
  try {
    json = JSON.parse(token);
  } catch {
    throw malformed('not valid JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw malformed('not a JSON object');
  const t = json as Record<string, unknown>;
  if (typeof t.format !== 'string' || !/^web-eid:1(\.\d+)*$/.test(t.format))
    throw malformed(`unsupported format ${JSON.stringify(t.format)}`);
  if (typeof t.algorithm !== 'string' || !(WEB_EID_ALGORITHMS as readonly string[]).includes(t.algorithm)) {
    throw malformed(`unsupported algorithm ${JSON.stringify(t.algorithm)}`);
  }
  if (typeof t.signature !== 'string') throw malformed('signature missing');
  const signature = decodeBase64Strict(t.signature);
  if (!signature) throw malformed('signature is not base64');
  if (typeof t.unverifiedCertificate !== 'string') throw malformed('unverifiedCertificate missing');
  const der = decodeBase64Strict(t.unverifiedCertificate);
  if (!der) throw malformed('unverifiedCertificate is not base64');
  let certificate: pkijs.Certificate;
  try {
    certificate = parseCertificateDer(der);
  } catch (e) {
    throw malformed(`unverifiedCertificate is not a certificate (${(e as Error).message})`);
  }
  if (t.appVersion !== undefined && typeof t.appVersion !== 'string') throw malformed('appVersion is not a string');
  const canonical = certificateDer(certificate);
  return {
    format: t.format,
    algorithm: t.algorithm as WebEidAlgorithm,
    signature,
    certificate,
    certificateDer: canonical,
    fingerprint: sha256Hex(canonical),
    appVersion: t.appVersion as string | undefined,
  };
}
