/**
 * The signer certificate must chain to a configured trust anchor. Built with PKI.js
 * CertificateChainValidationEngine over OUR anchors and intermediates; certificates carried in the CMS are
 * passed as untrusted candidates only. Any failure to reach an anchor (unknown issuer, a lookalike CA with the
 * same names but another key, a bad CA signature, a CA outside its validity, a non-CA issuer) is
 * CERT_UNTRUSTED. Revocation is the revocation validator's job (see there for why the engine gets no CRLs).
 *
 * PKI.js traps handled here:
 *  - the engine treats the LAST element of `certs` as the end entity and de-duplicates certificates by tbs
 *    bytes first; if the client's CMS repeats the leaf before a CA certificate, de-duplication drops our
 *    trailing leaf and the engine happily validates the CA certificate instead. We filter duplicates out of
 *    the candidates and also assert that the returned path starts with our leaf.
 *  - verify() resolves with {result:false} for most failures but the path search can also throw: both map
 *    to CERT_UNTRUSTED.
 *  - the engine mutates its `certs` array (sorts it into the path): a fresh engine and arrays per call.
 * Successful paths are cached per leaf fingerprint in the trust store until the earliest CRL nextUpdate or
 * the next CRL file change, and only while `now` lies inside every path certificate's validity.
 */
import * as pkijs from 'pkijs';
import { CertUntrustedError } from '../../shared/errors';
import { sameCertificate } from '../der';
import type { TrustStore } from '../trust-store';
import type { CertificateContext, Validator } from './types';

export function chainValidator(store: TrustStore, crypto: pkijs.ICryptoEngine): Validator<CertificateContext> {
  return async (ctx) => {
    const cached = store.cachedPath(ctx.fingerprint, ctx.now);
    if (cached) {
      ctx.path = cached;
      return;
    }
    const candidates: pkijs.Certificate[] = [];
    for (const c of ctx.candidates) {
      if (sameCertificate(c, ctx.leaf) || store.isKnown(c) || candidates.some((x) => sameCertificate(x, c))) continue;
      candidates.push(c);
    }
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: store.anchors.map((a) => a.cert),
      certs: [...store.intermediates.map((i) => i.cert), ...candidates, ctx.leaf],
      crls: [],
      checkDate: ctx.now,
    });
    let result: pkijs.CertificateChainValidationEngineVerifyResult;
    try {
      result = await engine.verify({}, crypto);
    } catch (e) {
      throw untrusted(`chain building failed: ${(e as Error)?.message ?? String(e)}`);
    }
    const path = result.certificatePath;
    if (!result.result || !path || path.length < 2)
      throw untrusted(result.resultMessage || 'no path to a trust anchor');
    if (!sameCertificate(path[0]!, ctx.leaf))
      throw untrusted('the validated path does not start with the signer certificate');
    if (!store.isAnchor(path[path.length - 1]!))
      throw untrusted('the validated path does not end at a configured trust anchor');
    store.cachePath(ctx.fingerprint, path);
    ctx.path = path;
  };
}

function untrusted(reason: string): CertUntrustedError {
  return new CertUntrustedError(`the certificate does not chain to a trusted national CA: ${reason}`);
}
