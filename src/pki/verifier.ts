/**
 * Wires the validators into the three verification flows. See src/pki/index.ts for the public contract.
 */
import * as pkijs from 'pkijs';
import { ConfigError } from '../config';
import { SignatureMalformedError } from '../shared/errors';
import type { PkiConfig } from './config';
import { parseCms, type ParsedCms } from './cms';
import { CachingCryptoEngine, ensureGlobalPkijsEngine } from './crypto-engine';
import { findExtension, formatName, OID, serialHex, toPem } from './der';
import { summarizeSubject, type SubjectMapping, type SubjectSummary } from './subject-mapping';
import { readCertificateFile, TrustStore, type LoadedCert } from './trust-store';
import { assertionClaimsValidator, type PortalContext } from './validators/assertion-claims.validator';
import { chainValidator } from './validators/chain.validator';
import { contentValidator } from './validators/content.validator';
import { digestAlgorithmValidator } from './validators/digest.validator';
import { isCaCertificate, keyUsageValidator } from './validators/key-usage.validator';
import { ocspValidator } from './validators/ocsp.validator';
import { policyValidator } from './validators/policy.validator';
import { portalSignerValidator } from './validators/portal-signer.validator';
import { crlRevocationValidator } from './validators/revocation.validator';
import { cmsSignatureValidator } from './validators/signature.validator';
import { signingCertificateValidator } from './validators/signing-certificate.validator';
import { signingTimeValidator } from './validators/signing-time.validator';
import { subjectMappingValidator } from './validators/subject-mapping.validator';
import { runValidators, type CertificateContext, type CmsContext, type Validator } from './validators/types';
import { validityValidator } from './validators/validity.validator';
import { webEidSignatureValidator, type WebEidContext } from './validators/web-eid-signature.validator';
import { parseWebEidToken } from './web-eid';

export interface VerifiedSigner {
  readonly method: 'CMS' | 'WEB_EID';
  readonly certificate: { readonly der: Buffer; readonly pem: string };
  readonly subject: SubjectSummary;
  readonly issuer: string;
  /** Certificate serial number, upper-case hex. */
  readonly serialNumber: string;
  readonly mapping: SubjectMapping;
  /** SHA-256 of the certificate DER, lower-case hex. */
  readonly fingerprintSha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** CMS only: the signed signingTime attribute. */
  readonly signingTime?: Date;
}

export interface PortalAssertion {
  readonly jti: string;
  readonly issuer: string;
  readonly audience: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Alias of expiresAt (the API brief's name). */
  readonly exp: Date;
  readonly mapping: SubjectMapping;
  readonly authnMethod: string;
  readonly signer: { readonly fingerprintSha256: string; readonly subject: SubjectSummary };
}

export interface CmsLoginInput {
  /** base64 of a DER CMS SignedData, attached or detached. */
  readonly signatureBase64: string;
  /** The exact challenge text; its UTF-8 bytes are what must have been signed. */
  readonly toBeSigned: string;
  readonly now: Date;
}

export interface WebEidInput {
  /** The web-eid:1.x authentication token, as the JSON string the browser sent. */
  readonly token: string;
  /** The challenge nonce exactly as issued (the base64 string). */
  readonly challengeNonce: string;
  /** This site's origin as the browser saw it, e.g. "https://customs.example.az" (no trailing slash). */
  readonly origin: string;
  readonly now: Date;
}

export interface PortalAssertionInput {
  readonly assertionBase64: string;
  readonly now: Date;
}

export interface PkiVerifier {
  verifyCmsLogin(input: CmsLoginInput): Promise<VerifiedSigner>;
  verifyWebEidToken(input: WebEidInput): Promise<VerifiedSigner>;
  verifyPortalAssertion(input: PortalAssertionInput): Promise<PortalAssertion>;
  /** The loaded trust material (anchors, intermediates, CRL state), for health checks and diagnostics. */
  readonly trustStore: TrustStore;
}

function loadOcspResponder(config: PkiConfig): LoadedCert | undefined {
  if (!config.ocsp) return undefined;
  const certs = readCertificateFile(config.ocsp.responderCert);
  if (certs.length !== 1)
    throw new ConfigError([
      `PKI_OCSP_RESPONDER_CERT: expected exactly one certificate in ${config.ocsp.responderCert.path}`,
    ]);
  const responder = certs[0]!;
  const eku = findExtension(responder.cert, OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (!isCaCertificate(responder.cert) && !eku?.keyPurposes.includes(OID.ocspSigning)) {
    throw new ConfigError([
      `PKI_OCSP_RESPONDER_CERT: ${config.ocsp.responderCert.path} is neither a CA nor has extendedKeyUsage OCSPSigning`,
    ]);
  }
  return responder;
}

function signerResult(ctx: CertificateContext, method: VerifiedSigner['method'], signingTime?: Date): VerifiedSigner {
  const leaf = ctx.leaf;
  return {
    method,
    certificate: { der: ctx.leafDer, pem: toPem(ctx.leafDer, 'CERTIFICATE') },
    subject: summarizeSubject(leaf),
    issuer: formatName(leaf.issuer),
    serialNumber: serialHex(leaf),
    mapping: ctx.mapping!,
    fingerprintSha256: ctx.fingerprint,
    notBefore: leaf.notBefore.value,
    notAfter: leaf.notAfter.value,
    ...(signingTime ? { signingTime } : {}),
  };
}

function checkNow(now: unknown): asserts now is Date {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
}

/**
 * Loads the trust material (synchronously; a bad file throws ConfigError naming its variable) and returns the
 * verifier. Create one per process and reuse it: it holds the parsed anchors, CRLs and caches.
 */
export function createPkiVerifier(config: PkiConfig): PkiVerifier {
  ensureGlobalPkijsEngine();
  const crypto = new CachingCryptoEngine();
  const store = TrustStore.load(config);
  const responder = loadOcspResponder(config);
  const portalFingerprints = new Set(config.portal.certs.flatMap(readCertificateFile).map((c) => c.fingerprint));
  const skew = config.signingTimeSkewSeconds;

  // Certificate checks, in order. Optional ones are present only when configured.
  const revocation: Validator<CertificateContext>[] = [
    crlRevocationValidator(store, crypto),
    ...(config.ocsp && responder ? [ocspValidator(config.ocsp, responder, skew, crypto)] : []),
  ];
  const trust: Validator<CertificateContext>[] = [validityValidator, chainValidator(store, crypto), keyUsageValidator];
  const policy = policyValidator(config.requiredPolicyOids, config.requiredEkus);
  const userCertificateChecks: Validator<CertificateContext>[] = [
    ...trust,
    ...(policy ? [policy] : []),
    ...revocation,
    subjectMappingValidator(config.subjectProfile),
  ];

  const cmsLogin: Validator<CmsContext>[] = [
    digestAlgorithmValidator,
    contentValidator,
    cmsSignatureValidator(),
    signingCertificateValidator,
    signingTimeValidator(skew),
    ...userCertificateChecks,
  ];

  const webEid: Validator<WebEidContext>[] = [webEidSignatureValidator(), ...userCertificateChecks];

  // The portal's certificate is pinned, so the user-certificate policy/EKU requirements and subject mapping
  // do not apply to it; trust and revocation do.
  const portal: Validator<PortalContext>[] = [
    digestAlgorithmValidator,
    portalSignerValidator(portalFingerprints),
    cmsSignatureValidator(),
    signingCertificateValidator,
    ...trust,
    ...revocation,
    assertionClaimsValidator({
      issuerId: config.portal.issuerId,
      serviceId: config.portal.serviceId,
      maxLifetimeSeconds: config.portal.maxLifetimeSeconds,
      skewSeconds: skew,
    }),
  ];

  /** The context fields a CMS SignedData gives every chain: its signer, and the certificates it carries. */
  const signerOf = (cms: ParsedCms) => ({
    cms,
    leaf: cms.signerCert,
    leafDer: cms.signerCertDer,
    fingerprint: cms.signerFingerprint,
    candidates: cms.otherCerts,
  });

  return {
    trustStore: store,

    async verifyCmsLogin({ signatureBase64, toBeSigned, now }) {
      checkNow(now);
      if (typeof toBeSigned !== 'string' || toBeSigned.length === 0)
        throw new TypeError('toBeSigned must be a non-empty string');
      const cms = parseCms(signatureBase64);
      await store.refresh();
      const ctx: CmsContext = {
        now,
        ...signerOf(cms),
        expectedContent: Buffer.from(toBeSigned, 'utf8'),
      };
      await runValidators(cmsLogin, ctx);
      return signerResult(ctx, 'CMS', ctx.signingTime);
    },

    async verifyWebEidToken({ token, challengeNonce, origin, now }) {
      checkNow(now);
      if (typeof challengeNonce !== 'string' || challengeNonce.length === 0)
        throw new TypeError('challengeNonce must be a non-empty string');
      if (typeof origin !== 'string' || origin.length === 0) throw new TypeError('origin must be a non-empty string');
      const parsed = parseWebEidToken(token);
      await store.refresh();
      const ctx: WebEidContext = {
        now,
        token: parsed,
        origin,
        challengeNonce,
        leaf: parsed.certificate,
        leafDer: parsed.certificateDer,
        fingerprint: parsed.fingerprint,
        candidates: [],
      };
      await runValidators(webEid, ctx);
      return signerResult(ctx, 'WEB_EID');
    },

    async verifyPortalAssertion({ assertionBase64, now }) {
      checkNow(now);
      const cms = parseCms(assertionBase64);
      if (cms.content === undefined)
        throw new SignatureMalformedError('a portal assertion must carry its content attached');
      await store.refresh();
      const ctx: PortalContext = {
        now,
        ...signerOf(cms),
        expectedContent: cms.content,
      };
      await runValidators(portal, ctx);
      const claims = ctx.claims!;
      return {
        jti: claims.jti,
        issuer: claims.iss,
        audience: claims.aud,
        issuedAt: claims.issuedAt,
        expiresAt: claims.expiresAt,
        exp: claims.expiresAt,
        mapping: claims.mapping,
        authnMethod: claims.authnMethod,
        signer: { fingerprintSha256: ctx.fingerprint, subject: summarizeSubject(ctx.leaf) },
      };
    },
  };
}
