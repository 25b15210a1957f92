/**
 * CRL revocation for every certificate on the validated path below the trust anchor (the leaf against the
 * issuing CA's CRL, the issuing CA against the root's CRL), using only CRLs from configured files.
 *
 *  - listed in a CRL verified with the issuer on the path → CERT_REVOKED (certificateHold counts as revoked);
 *  - no CRL of that issuer which is signed by it and current (now < nextUpdate; a CRL without nextUpdate is
 *    never current) → CERT_REVOCATION_UNKNOWN. Revocation fails closed; there is no "skip when no CRL".
 *
 * Why not the chain engine's own CRL handling: it needs a non-empty CRL list to check anything, reports a
 * stale CRL, a missing CRL and a bad CRL signature all as code 11, and checks dates before revocation; a
 * separate step gives each outcome its own code, and the order the API documents.
 */
import type * as pkijs from 'pkijs';
import { CertRevocationUnknownError, CertRevokedError } from '../../shared/errors';
import { certificateDer, formatName, serialHex, sha256Hex, findExtension, OID } from '../der';
import type { TrustStore } from '../trust-store';
import { isCaCertificate } from './key-usage.validator';
import type { CertificateContext, Validator } from './types';

const CRL_SIGN = 0x02;

function mayIssueCrls(issuer: pkijs.Certificate): boolean {
  const ku = findExtension(issuer, OID.keyUsage)?.parsedValue as
    { valueBlock?: { valueHexView?: Uint8Array } } | undefined;
  if (!ku) return true; // no keyUsage: unrestricted (RFC 5280 §4.2.1.3)
  return ((ku.valueBlock?.valueHexView?.[0] ?? 0) & CRL_SIGN) !== 0;
}

export function crlRevocationValidator(store: TrustStore, crypto: pkijs.ICryptoEngine): Validator<CertificateContext> {
  const fingerprints = new WeakMap<pkijs.Certificate, string>();
  const fingerprintOf = (c: pkijs.Certificate) => {
    let fp = fingerprints.get(c);
    if (!fp) fingerprints.set(c, (fp = sha256Hex(certificateDer(c))));
    return fp;
  };

  return async (ctx) => {
    const path = ctx.path;
    if (!path || path.length < 2)
      throw new CertRevocationUnknownError('no validated certificate path to check revocation for');
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      const who = i === 0 ? 'the certificate' : `CA certificate "${formatName(cert.subject)}"`;
      const { candidates, problems } = store.crlsFor(cert, issuer, i > 0 && isCaCertificate(cert));
      let current = false;
      const notes = [...problems];
      for (const c of candidates) {
        if (!mayIssueCrls(issuer) || !(await store.crlSignedBy(c, issuer, fingerprintOf(issuer), crypto))) {
          notes.push(`${c.file}: CRL signature does not verify with the issuer`);
          continue;
        }
        if (c.revokedSerials.has(serialHex(cert))) {
          const entry = c.crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(cert.serialNumber));
          const revokedAt = entry?.revocationDate.value;
          throw new CertRevokedError(
            `${who} is revoked${revokedAt ? ` since ${revokedAt.toISOString()}` : ''} (CRL of "${formatName(issuer.subject)}")`,
            { serial: serialHex(cert), revokedAt: revokedAt?.toISOString() },
          );
        }
        if (c.nextUpdate && ctx.now.getTime() < c.nextUpdate.getTime()) current = true;
        else notes.push(`${c.file}: CRL is past its nextUpdate ${c.nextUpdate?.toISOString() ?? '(none)'}`);
      }
      if (!current) {
        if (candidates.length === 0) notes.push(`no CRL configured for issuer "${formatName(issuer.subject)}"`);
        throw new CertRevocationUnknownError(`revocation status of ${who} is unknown: ${notes.join('; ')}`);
      }
    }
  };
}
