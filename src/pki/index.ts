/**
 * National e-signature verification core (no GraphQL, no database).
 *
 * ## Use
 *   const pki = createPkiVerifier(config.pki);   // once per process; src/config parses PKI_* with parsePkiConfig
 *   const signer = await pki.verifyCmsLogin({ signatureBase64, toBeSigned: challenge.toBeSigned, now });
 *   const signer = await pki.verifyWebEidToken({ token, challengeNonce: challenge.nonce, origin, now });
 *   const assertion = await pki.verifyPortalAssertion({ assertionBase64, now });
 * Every rejection is the AppError subclass of one of the codes below (src/shared/errors.ts); anything else thrown is a
 * programming error (e.g. TypeError for a missing `now`). `now` is always passed in: pass the application
 * clock; nothing here reads the wall clock except the OCSP responder's own timestamps.
 *
 * ## API
 *   parsePkiConfig(env: Record<string, string | undefined>, rootDir: string): PkiConfig      throws ConfigError
 *   createPkiVerifier(config: PkiConfig): PkiVerifier                                         throws ConfigError
 *   PkiVerifier.verifyCmsLogin({ signatureBase64, toBeSigned, now }): Promise<VerifiedSigner>
 *   PkiVerifier.verifyWebEidToken({ token, challengeNonce, origin, now }): Promise<VerifiedSigner>
 *   PkiVerifier.verifyPortalAssertion({ assertionBase64, now }): Promise<PortalAssertion>
 *   VerifiedSigner = { method: 'CMS'|'WEB_EID', certificate: { der, pem }, subject: { commonName?,
 *     organizationIdentifier?, serialNumber?, organizationName?, givenName?, surname?, country? }, issuer,
 *     serialNumber, mapping, fingerprintSha256, notBefore, notAfter, signingTime? }
 *   SubjectMapping = { kind: 'LEGAL_ENTITY', voen, representativeFin? } | { kind: 'NATURAL_PERSON', fin }
 *   PortalAssertion = { jti, issuer, audience, issuedAt, expiresAt (= exp), mapping, authnMethod,
 *     signer: { fingerprintSha256, subject } }      — jti single use and PARTICIPANT_NOT_FOUND are the caller's.
 *
 * ## Checks, in order (each one validator in ./validators, one code each)
 * verifyCmsLogin: parse (SIGNATURE_MALFORMED: bad base64/DER, truncated, not SignedData, not id-data, not
 *   exactly one signer, signer certificate not included) → digest/signature algorithm SHA-2 only
 *   (SIGNATURE_INVALID) → content equals toBeSigned (CONTENT_MISMATCH; detached: via the messageDigest
 *   attribute, so another challenge's signature is CONTENT_MISMATCH too) → signature (SIGNATURE_INVALID) →
 *   CAdES signingCertificate(V2) binding if present (SIGNATURE_INVALID) → signingTime present and within
 *   ±PKI_SIGNING_TIME_SKEW_SECONDS (SIGNATURE_INVALID) → certificate checks.
 * verifyWebEidToken: parse (SIGNATURE_MALFORMED) → signature over hash(origin)‖hash(nonce)
 *   (SIGNATURE_INVALID; wrong origin or nonce lands here) → certificate checks.
 * certificate checks: validity at now (CERT_NOT_YET_VALID / CERT_EXPIRED) → chain to OUR anchors with PKI.js
 *   CertificateChainValidationEngine, CMS certificates as untrusted candidates only (CERT_UNTRUSTED) → keyUsage
 *   digitalSignature|nonRepudiation, not a CA (CERT_KEY_USAGE) → [PKI_REQUIRED_POLICY_OIDS / PKI_REQUIRED_EKU]
 *   (CERT_POLICY) → CRLs for every certificate below the anchor (CERT_REVOKED; no current signed CRL →
 *   CERT_REVOCATION_UNKNOWN) → [OCSP at PKI_OCSP_URL only] (CERT_REVOKED / CERT_REVOCATION_UNKNOWN) → subject
 *   mapping (CERT_SUBJECT_UNMAPPED).
 * verifyPortalAssertion: parse (SIGNATURE_MALFORMED, content must be attached) → algorithms (SIGNATURE_INVALID)
 *   → signer is an allow-listed PORTAL_CERTS certificate by exact DER (ASSERTION_INVALID) → signature
 *   (SIGNATURE_INVALID) → validity/chain/keyUsage/CRL/OCSP as above → claims iss, aud, iat/exp window, lifetime,
 *   sub, jti, authnMethod (ASSERTION_INVALID naming the claim).
 *
 * ## Environment (parsePkiConfig; relative paths resolve against rootDir; lists are comma-separated; an empty
 *    value means the default, the literal `none` an empty list)
 *   PKI_TRUST_ANCHORS       PEM file(s) of trust anchors        default certs-test/root-ca.cert.pem
 *   PKI_INTERMEDIATES       PEM file(s) of intermediate CAs     default certs-test/issuing-ca.cert.pem
 *   PKI_CRLS                PEM/DER CRL file(s), required       default certs-test/issuing-ca.crl.pem,
 *                                                                       certs-test/root-ca.crl.pem
 *                           (re-read when mtime/size/inode changes; replace files atomically)
 *   PKI_REQUIRED_POLICY_OIDS  optional: the certificate must carry at least one of these policy OIDs
 *   PKI_REQUIRED_EKU        optional: extendedKeyUsage must contain one of these
 *                           (OIDs or clientAuth, emailProtection, …)
 *   PKI_OCSP_URL            optional, with PKI_OCSP_RESPONDER_CERT: check OCSP at this URL only
 *   PKI_OCSP_RESPONDER_CERT the pinned certificate OCSP responses must be signed with
 *   PKI_OCSP_MAX_AGE_SECONDS  response thisUpdate may be at most this old      default 900
 *   PKI_OCSP_TIMEOUT_MS     request timeout                                    default 5000
 *   PKI_SIGNING_TIME_SKEW_SECONDS  signingTime / iat tolerance                  default 300
 *   PORTAL_CERTS            allow-listed portal signing certificate file(s)    default certs-test/portal.cert.pem
 *   PORTAL_ISSUER_ID        expected assertion iss                             default egov.gov.az
 *   SERVICE_ID              expected assertion aud                             default customs-stats
 *   PORTAL_ASSERTION_MAX_LIFETIME_SECONDS  max exp - iat                       default 300
 *   PKI_SUBJECT_PROFILE     optional JSON subject-mapping profile (see ./subject-mapping.ts)
 *
 * ## Performance
 * The CMS is walked with a strict DER reader (definite minimal lengths only; BER such as indefinite lengths is
 * SIGNATURE_MALFORMED), carried certificates are parsed with PKI.js once per SHA-256 fingerprint, and the CMS
 * signature is checked with node:crypto (public key cached per signer fingerprint).
 * Anchors, intermediates and CRLs are parsed once; CRL files are stat'ed per call and re-read only on change.
 * Imported public keys are cached (CachingCryptoEngine, and per certificate for Web eID); validated paths are
 * cached per leaf fingerprint until the earliest CRL nextUpdate or the next CRL change; CRL signatures are
 * verified once per CRL and issuer. A repeat login costs the CMS signature check plus cheap lookups. OCSP, when
 * configured, is one HTTP round trip per verification (not cached).
 */
export { parsePkiConfig } from './config';
export type { ConfiguredFile, OcspConfig, PkiConfig, PortalConfig } from './config';
export { createPkiVerifier } from './verifier';
export type {
  CmsLoginInput,
  PkiVerifier,
  PortalAssertion,
  PortalAssertionInput,
  VerifiedSigner,
  WebEidInput,
} from './verifier';
export { DEFAULT_SUBJECT_PROFILE, mapSubject, parseSubjectProfile } from './subject-mapping';
export type { SubjectMapping, SubjectProfile, SubjectProfileRule, SubjectSummary } from './subject-mapping';
export { TrustStore } from './trust-store';
