/**
 * Optional (PKI_OCSP_URL + PKI_OCSP_RESPONDER_CERT): the signer certificate's status from the configured OCSP
 * responder — never a URL taken from the certificate. good → pass; revoked → CERT_REVOKED; unknown status,
 * unreachable or slow responder, bad/unsigned/stale/replayed response → CERT_REVOCATION_UNKNOWN (fail closed).
 * Runs after the CRL check, for the leaf only (CA certificates are covered by CRLs).
 */
import type * as pkijs from 'pkijs';
import { CertRevocationUnknownError, CertRevokedError } from '../../shared/errors';
import type { OcspConfig } from '../config';
import { queryOcsp } from '../ocsp-client';
import type { LoadedCert } from '../trust-store';
import type { CertificateContext, Validator } from './types';

export function ocspValidator(
  config: OcspConfig,
  responder: LoadedCert,
  skewSeconds: number,
  crypto: pkijs.ICryptoEngine,
): Validator<CertificateContext> {
  return async (ctx) => {
    const path = ctx.path;
    if (!path || path.length < 2) throw new CertRevocationUnknownError('no validated certificate path for OCSP');
    const answer = await queryOcsp({
      url: config.url,
      leaf: path[0]!,
      issuer: path[1]!,
      responder,
      now: ctx.now,
      maxAgeSeconds: config.maxAgeSeconds,
      skewSeconds,
      timeoutMs: config.timeoutMs,
      crypto,
    });
    if (answer.status === 'revoked') {
      throw new CertRevokedError(
        `the certificate is revoked according to OCSP${answer.revokedAt ? ` since ${answer.revokedAt.toISOString()}` : ''}`,
        { revokedAt: answer.revokedAt?.toISOString() },
      );
    }
    if (answer.status !== 'good')
      throw new CertRevocationUnknownError('OCSP: the responder does not know this certificate');
  };
}
