/**
 * PKI configuration from environment variables (see the table in src/pki/index.ts). Pure: the caller passes
 * the env record and the directory relative paths resolve against. Every problem is collected and reported
 * at once in a ConfigError naming the variable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config-error';
import { DEFAULT_SUBJECT_PROFILE, parseSubjectProfile, SubjectProfile } from './subject-mapping';

/** A configured file and the variable it came from (for error messages). */
export interface ConfiguredFile {
  readonly path: string;
  readonly variable: string;
}

export interface OcspConfig {
  /** The only URL OCSP requests go to; URLs inside certificates are never used. */
  readonly url: string;
  /** The responder certificate the response must be signed with (pinned, not chain-validated). */
  readonly responderCert: ConfiguredFile;
  /** A response whose thisUpdate is older than this is stale (fail closed). */
  readonly maxAgeSeconds: number;
  readonly timeoutMs: number;
}

export interface PortalConfig {
  /** Allow-listed portal signing certificates (compared by exact DER). */
  readonly certs: readonly ConfiguredFile[];
  readonly issuerId: string;
  readonly serviceId: string;
  readonly maxLifetimeSeconds: number;
}

export interface PkiConfig {
  readonly trustAnchors: readonly ConfiguredFile[];
  readonly intermediates: readonly ConfiguredFile[];
  readonly crls: readonly ConfiguredFile[];
  /** Non-empty: the signer certificate must carry at least one of these certificatePolicies OIDs. */
  readonly requiredPolicyOids: readonly string[];
  /** Non-empty: the signer certificate's extendedKeyUsage must contain at least one of these OIDs. */
  readonly requiredEkus: readonly string[];
  readonly ocsp: OcspConfig | undefined;
  /** Allowed distance between a CMS signingTime and `now`, and for assertion iat in the future. */
  readonly signingTimeSkewSeconds: number;
  readonly portal: PortalConfig;
  readonly subjectProfile: SubjectProfile;
}

type Env = Record<string, string | undefined>;

const EKU_NAMES: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
};

const OID_RE = /^[0-2](\.(0|[1-9]\d*))+$/;

export function parsePkiConfig(env: Env, rootDir: string): PkiConfig {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  // A list variable set to the literal `none` is an explicitly empty list (an empty value means "default").
  const list = (name: string, fallback: string): string[] => {
    const v = str(name, fallback) ?? '';
    return v === 'none'
      ? []
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  };
  const files = (name: string, fallback: string, required: boolean): ConfiguredFile[] => {
    const out: ConfiguredFile[] = [];
    for (const p of list(name, fallback)) {
      const abs = path.resolve(rootDir, p);
      if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) problems.push(`${name}: file not found: ${abs}`);
      else out.push({ path: abs, variable: name });
    }
    if (required && out.length === 0 && !problems.some((m) => m.startsWith(`${name}:`)))
      problems.push(`${name}: at least one file is required`);
    return out;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  };
  const oids = (name: string, names: Record<string, string> = {}): string[] => {
    const out: string[] = [];
    for (const item of list(name, '')) {
      const oid = names[item] ?? item;
      if (!OID_RE.test(oid))
        problems.push(
          `${name}: "${item}" is not a dotted OID${Object.keys(names).length ? ` or one of ${Object.keys(names).join(', ')}` : ''}`,
        );
      else out.push(oid);
    }
    return out;
  };

  // The test PKI's private keys are committed: in production it is never trusted by default, and
  // naming its files is refused unless PKI_ALLOW_TEST_PKI=true says so (benchmarks, staging).
  const testPkiDir = path.resolve(rootDir, 'certs-test') + path.sep;
  const guardTestPki = env.NODE_ENV === 'production' && str('PKI_ALLOW_TEST_PKI') !== 'true';
  if (guardTestPki) {
    for (const name of ['PKI_TRUST_ANCHORS', 'PKI_CRLS', 'PORTAL_CERTS']) {
      if (str(name) === undefined)
        problems.push(
          `${name}: must be set in production (the default is the test PKI in certs-test/, whose keys are public)`,
        );
    }
  }
  const trustAnchors = files('PKI_TRUST_ANCHORS', 'certs-test/root-ca.cert.pem', true);
  const intermediates = files('PKI_INTERMEDIATES', 'certs-test/issuing-ca.cert.pem', false);
  // Revocation is never skipped: every certificate below an anchor needs a CRL from its issuer.
  const crls = files('PKI_CRLS', 'certs-test/issuing-ca.crl.pem,certs-test/root-ca.crl.pem', true);
  const requiredPolicyOids = oids('PKI_REQUIRED_POLICY_OIDS');
  const requiredEkus = oids('PKI_REQUIRED_EKU', EKU_NAMES);

  let ocsp: OcspConfig | undefined;
  const ocspUrl = str('PKI_OCSP_URL');
  const ocspCert = str('PKI_OCSP_RESPONDER_CERT');
  const maxAgeSeconds = int('PKI_OCSP_MAX_AGE_SECONDS', 900, 1, 7 * 24 * 3600);
  const timeoutMs = int('PKI_OCSP_TIMEOUT_MS', 5000, 50, 120000);
  if (ocspUrl !== undefined || ocspCert !== undefined) {
    if (ocspUrl === undefined) problems.push('PKI_OCSP_URL: required when PKI_OCSP_RESPONDER_CERT is set');
    if (ocspCert === undefined) problems.push('PKI_OCSP_RESPONDER_CERT: required when PKI_OCSP_URL is set');
    let urlOk = false;
    if (ocspUrl !== undefined) {
      try {
        urlOk = ['http:', 'https:'].includes(new URL(ocspUrl).protocol);
      } catch {
        urlOk = false;
      }
      if (!urlOk) problems.push(`PKI_OCSP_URL: expected an http or https URL, got "${ocspUrl}"`);
    }
    const responder = ocspCert !== undefined ? files('PKI_OCSP_RESPONDER_CERT', ocspCert, true) : [];
    if (responder.length > 1) problems.push('PKI_OCSP_RESPONDER_CERT: expected exactly one file');
    if (urlOk && responder.length === 1)
      ocsp = { url: ocspUrl!, responderCert: responder[0]!, maxAgeSeconds, timeoutMs };
  }

  const signingTimeSkewSeconds = int('PKI_SIGNING_TIME_SKEW_SECONDS', 300, 0, 86400);

  const portalCerts = files('PORTAL_CERTS', 'certs-test/portal.cert.pem', false);
  const issuerId = str('PORTAL_ISSUER_ID', 'egov.gov.az')!;
  const serviceId = str('SERVICE_ID', 'customs-stats')!;
  const maxLifetimeSeconds = int('PORTAL_ASSERTION_MAX_LIFETIME_SECONDS', 300, 1, 86400);

  if (guardTestPki) {
    for (const f of [
      ...trustAnchors,
      ...intermediates,
      ...crls,
      ...portalCerts,
      ...(ocsp ? [ocsp.responderCert] : []),
    ]) {
      if (f.path.startsWith(testPkiDir))
        problems.push(`${f.variable}: ${f.path} is the test PKI (its keys are public): refused in production`);
    }
  }

  let subjectProfile: SubjectProfile = DEFAULT_SUBJECT_PROFILE;
  const profileFile = str('PKI_SUBJECT_PROFILE');
  if (profileFile !== undefined) {
    const abs = path.resolve(rootDir, profileFile);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(abs, 'utf8'));
    } catch (e) {
      problems.push(`PKI_SUBJECT_PROFILE: cannot read JSON from ${abs}: ${(e as Error).message}`);
    }
    if (json !== undefined) {
      const parsed = parseSubjectProfile(json);
      for (const p of parsed.problems) problems.push(`PKI_SUBJECT_PROFILE: ${p}`);
      if (parsed.profile) subjectProfile = parsed.profile;
    }
  }

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    trustAnchors,
    intermediates,
    crls,
    requiredPolicyOids,
    requiredEkus,
    ocsp,
    signingTimeSkewSeconds,
    portal: Object.freeze({ certs: portalCerts, issuerId, serviceId, maxLifetimeSeconds }),
    subjectProfile,
  });
}
