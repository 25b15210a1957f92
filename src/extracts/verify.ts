/**
 * Verification of a signed statistical extract, as a bank would do it (`npm run verify-extract`), with the same
 * checks as src/pki applies to a login signature except the signing-time window (an extract is verified long
 * after it was signed):
 *   signature file  — a DER (or base64) CMS SignedData with one signer whose certificate is included
 *   algorithms      — SHA-2 digest and signature algorithms
 *   document        — the messageDigest signed attribute is the SHA-256 of the document bytes (CONTENT_MISMATCH)
 *   signature       — the signer's signature over the signed attributes; signingTime present
 *   certificate     — valid now, chains to the configured trust anchors (PKI_TRUST_ANCHORS, PKI_INTERMEDIATES;
 *                     the CMS certificates are untrusted candidates), keyUsage, not revoked (PKI_CRLS), and
 *                     extendedKeyUsage documentSigning (a citizen's certificate under the same root is not the
 *                     service's signer)
 *   content         — the document reads as an extract (CSV, or the PDF's embedded extract.csv) whose figures
 *                     hash to the figuresSha256 it states
 * Each failure says which part failed (`ExtractVerificationError.part`).
 */
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { PkiConfig } from '../pki/config';
import { parseCms, type ParsedCms } from '../pki/cms';
import { CachingCryptoEngine, ensureGlobalPkijsEngine } from '../pki/crypto-engine';
import { decodeBase64Strict, findExtension, formatName, OID, serialHex } from '../pki/der';
import { TrustStore } from '../pki/trust-store';
import { chainValidator } from '../pki/validators/chain.validator';
import { contentValidator } from '../pki/validators/content.validator';
import { digestAlgorithmValidator } from '../pki/validators/digest.validator';
import { keyUsageValidator } from '../pki/validators/key-usage.validator';
import { crlRevocationValidator } from '../pki/validators/revocation.validator';
import { cmsSignatureValidator } from '../pki/validators/signature.validator';
import { signingCertificateValidator } from '../pki/validators/signing-certificate.validator';
import type { CmsContext, Validator } from '../pki/validators/types';
import { validityValidator } from '../pki/validators/validity.validator';
import { AppError } from '../shared/errors';
import { parseStatement, sha256Hex, type ParsedStatement } from './document';
import { embeddedCsv } from './pdf';

/** id-kp-documentSigning (RFC 9336): what sets the service's signer apart from a citizen's certificate. */
export const DOCUMENT_SIGNING_EKU = '1.3.6.1.5.5.7.3.36';

export type VerificationPart = 'signature file' | 'algorithms' | 'document' | 'signature' | 'certificate' | 'content';

export class ExtractVerificationError extends Error {
  constructor(
    readonly part: VerificationPart,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ExtractVerificationError';
  }
}

export interface VerifiedExtract {
  readonly signer: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
    readonly fingerprintSha256: string;
  };
  /** The trust path, signer first, anchor last (subjects). */
  readonly path: readonly string[];
  readonly signingTime: Date;
  readonly format: 'PDF' | 'CSV';
  readonly statement: ParsedStatement;
}

/** DER as it is, or the base64 of it (a .p7s copied out of the API answer). */
function signatureBase64(p7s: Buffer): string {
  if (p7s[0] === 0x30) return p7s.toString('base64');
  const text = p7s.toString('latin1').replace(/\s+/g, '');
  return decodeBase64Strict(text) ? text : p7s.toString('base64');
}

function signingTimeOf(cms: ParsedCms): Date {
  const value = cms.signedAttrs?.get(OID.signingTime)?.values[0];
  if (!(value instanceof asn1js.UTCTime) && !(value instanceof asn1js.GeneralizedTime))
    throw new ExtractVerificationError('signature', 'the signingTime signed attribute is missing');
  return value.toDate();
}

async function step(part: VerificationPart, validators: Validator<CmsContext>[], ctx: CmsContext): Promise<void> {
  try {
    for (const v of validators) await v(ctx);
  } catch (e) {
    if (e instanceof AppError) throw new ExtractVerificationError(part, e.message, e.code);
    throw e;
  }
}

export async function verifyExtract(input: {
  document: Buffer;
  signature: Buffer;
  pki: PkiConfig;
  now: Date;
}): Promise<VerifiedExtract> {
  ensureGlobalPkijsEngine();
  let cms: ParsedCms;
  try {
    cms = parseCms(signatureBase64(input.signature));
  } catch (e) {
    if (e instanceof AppError) throw new ExtractVerificationError('signature file', e.message, e.code);
    throw e;
  }
  if (cms.content !== undefined && !cms.content.equals(input.document))
    throw new ExtractVerificationError('document', 'the signature carries other content than the document');
  const crypto = new CachingCryptoEngine();
  const store = TrustStore.load(input.pki);
  await store.refresh();
  const ctx: CmsContext = {
    now: input.now,
    cms,
    leaf: cms.signerCert,
    leafDer: cms.signerCertDer,
    fingerprint: cms.signerFingerprint,
    candidates: cms.otherCerts,
    expectedContent: input.document,
  };
  await step('algorithms', [digestAlgorithmValidator], ctx);
  await step('document', [contentValidator], ctx);
  await step('signature', [cmsSignatureValidator(), signingCertificateValidator], ctx);
  const signingTime = signingTimeOf(cms);
  await step(
    'certificate',
    [validityValidator, chainValidator(store, crypto), keyUsageValidator, crlRevocationValidator(store, crypto)],
    ctx,
  );
  // A citizen's qualified certificate chains to the same root: only a document-signing certificate makes an
  // extract the service's.
  const eku = findExtension(cms.signerCert, OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (!eku?.keyPurposes.includes(DOCUMENT_SIGNING_EKU))
    throw new ExtractVerificationError(
      'certificate',
      `the signer ${formatName(cms.signerCert.subject)} is not a document-signing certificate (extendedKeyUsage ${DOCUMENT_SIGNING_EKU})`,
      'CERT_POLICY',
    );

  const isPdf = input.document.subarray(0, 5).toString('latin1') === '%PDF-';
  const text = isPdf ? embeddedCsv(input.document) : input.document.toString('utf8');
  if (text === null) throw new ExtractVerificationError('content', 'the PDF carries no embedded extract.csv');
  let statement: ParsedStatement;
  try {
    statement = parseStatement(text);
  } catch (e) {
    throw new ExtractVerificationError('content', (e as Error).message);
  }
  const stated = statement.fields.get('figuresSha256');
  if (stated !== sha256Hex(statement.figuresCsv))
    throw new ExtractVerificationError('content', 'the figures do not hash to the figuresSha256 the extract states');
  return {
    signer: {
      subject: formatName(cms.signerCert.subject),
      issuer: formatName(cms.signerCert.issuer),
      serialNumber: serialHex(cms.signerCert),
      fingerprintSha256: cms.signerFingerprint,
    },
    path: (ctx.path ?? []).map((c) => formatName(c.subject)),
    signingTime,
    format: isPdf ? 'PDF' : 'CSV',
    statement,
  };
}
