/**
 * Trust material from configured files: trust anchors and intermediates (parsed once), CRLs (re-read when a
 * file's mtime/size/inode changes), and a per-leaf cache of validated certificate paths that lives until the
 * earliest CRL nextUpdate and is dropped whenever a CRL file changes.
 *
 * Nothing from a client (certificates or CRLs inside a CMS) ever becomes trusted here; client-supplied
 * certificates are at most untrusted path candidates, handed to the chain engine per call.
 */
import fs from 'node:fs';
import * as pkijs from 'pkijs';
import { ConfigError } from '../config';
import type { ConfiguredFile, PkiConfig } from './config';
import {
  bytesEqual,
  certificateDer,
  findExtension,
  formatName,
  OID,
  parseCertificateDer,
  parseCrlDer,
  pemBlocks,
  sha256Hex,
} from './der';

export interface LoadedCert {
  readonly cert: pkijs.Certificate;
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprint: string;
  readonly source: string;
}

export interface LoadedCrl {
  readonly crl: pkijs.CertificateRevocationList;
  readonly file: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Upper-case hex serial numbers listed (entries for other issuers via certificateIssuer are skipped). */
  readonly revokedSerials: ReadonlySet<string>;
  /** Why this CRL cannot serve as a complete CRL (delta, partitioned by reason, indirect, unknown critical ext). */
  readonly unusableReason: string | undefined;
  readonly scope: 'all' | 'userCerts' | 'caCerts';
  readonly authorityKeyId: Buffer | undefined;
  /** Signature verification results per issuer-certificate fingerprint. */
  readonly verifiedBy: Map<string, Promise<boolean>>;
}

interface CrlFileState {
  readonly file: ConfiguredFile;
  stamp: string;
  crls: LoadedCrl[];
  /** Set when the current file content could not be read/parsed: revocation for its issuers fails closed. */
  error: string | undefined;
}

interface CachedPath {
  readonly path: pkijs.Certificate[];
  readonly validFrom: number;
  readonly validUntil: number;
  readonly expiresAt: number;
}

const MAX_CACHED_PATHS = 10000;

export function readCertificateFile(file: ConfiguredFile): LoadedCert[] {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file.path);
  } catch (e) {
    throw new ConfigError([`${file.variable}: cannot read ${file.path}: ${(e as Error).message}`]);
  }
  try {
    const text = raw.toString('latin1');
    const ders = text.includes('-----BEGIN') ? pemBlocks(text, 'CERTIFICATE') : [raw];
    if (ders.length === 0) throw new Error('no CERTIFICATE block');
    return ders.map((der) => {
      const cert = parseCertificateDer(der);
      const canonical = certificateDer(cert);
      return { cert, der: canonical, fingerprint: sha256Hex(canonical), source: file.path };
    });
  } catch (e) {
    throw new ConfigError([`${file.variable}: ${file.path} is not a certificate file: ${(e as Error).message}`]);
  }
}

function keyIdentifier(cert: pkijs.Certificate): Buffer | undefined {
  const ext = findExtension(cert, OID.subjectKeyIdentifier);
  const v = ext?.parsedValue as { valueBlock?: { valueHexView?: Uint8Array } } | undefined;
  return v?.valueBlock?.valueHexView ? Buffer.from(v.valueBlock.valueHexView) : undefined;
}

function loadCrl(crl: pkijs.CertificateRevocationList, file: string): LoadedCrl {
  let unusableReason: string | undefined;
  let scope: LoadedCrl['scope'] = 'all';
  let authorityKeyId: Buffer | undefined;
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    switch (ext.extnID) {
      case OID.deltaCrlIndicator:
        unusableReason = 'a delta CRL is not a complete CRL';
        break;
      case OID.crlIssuingDistributionPoint: {
        const idp = ext.parsedValue as pkijs.IssuingDistributionPoint | undefined;
        if (!idp) unusableReason = 'unparsable issuingDistributionPoint';
        else if (idp.onlySomeReasons !== undefined) unusableReason = 'CRL partitioned by reason (onlySomeReasons)';
        else if (idp.indirectCRL) unusableReason = 'indirect CRLs are not supported';
        else if (idp.onlyContainsAttributeCerts) unusableReason = 'attribute-certificate CRL';
        else if (idp.onlyContainsUserCerts) scope = 'userCerts';
        else if (idp.onlyContainsCACerts) scope = 'caCerts';
        break;
      }
      case OID.authorityKeyIdentifier: {
        const aki = ext.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
        if (aki?.keyIdentifier) authorityKeyId = Buffer.from(aki.keyIdentifier.valueBlock.valueHexView);
        break;
      }
      case OID.crlNumber:
        break;
      default:
        if (ext.critical) unusableReason = `unsupported critical CRL extension ${ext.extnID}`;
    }
  }
  const revokedSerials = new Set<string>();
  for (const entry of crl.revokedCertificates ?? []) {
    const indirect = entry.crlEntryExtensions?.extensions.some((e) => e.extnID === OID.certificateIssuer);
    if (indirect) continue;
    revokedSerials.add(Buffer.from(entry.userCertificate.valueBlock.valueHexView).toString('hex').toUpperCase());
  }
  return {
    crl,
    file,
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    revokedSerials,
    unusableReason,
    scope,
    authorityKeyId,
    verifiedBy: new Map(),
  };
}

function readCrlFile(path: string): LoadedCrl[] {
  const raw = fs.readFileSync(path);
  const text = raw.toString('latin1');
  const ders = text.includes('-----BEGIN') ? pemBlocks(text, 'X509 CRL') : [raw];
  if (ders.length === 0) throw new Error('no X509 CRL block');
  return ders.map((der) => loadCrl(parseCrlDer(der), path));
}

function fileStamp(st: fs.Stats): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

export interface CrlLookup {
  /** Usable CRLs issued by `issuer` for `cert` (signature not yet checked). */
  readonly candidates: LoadedCrl[];
  /** Human-readable reasons why other CRLs of that issuer were not usable, or file errors. */
  readonly problems: string[];
}

export class TrustStore {
  readonly anchors: readonly LoadedCert[];
  readonly intermediates: readonly LoadedCert[];
  private readonly crlFiles: CrlFileState[];
  private readonly paths = new Map<string, CachedPath>();
  private refreshing: Promise<void> | undefined;
  /** Incremented whenever CRL content changes; observable for tests and metrics. */
  generation = 0;

  private constructor(anchors: LoadedCert[], intermediates: LoadedCert[], crlFiles: CrlFileState[]) {
    this.anchors = anchors;
    this.intermediates = intermediates;
    this.crlFiles = crlFiles;
  }

  /** Reads and parses every configured file; throws ConfigError naming the variable on a bad file. */
  static load(config: Pick<PkiConfig, 'trustAnchors' | 'intermediates' | 'crls'>): TrustStore {
    const anchors = config.trustAnchors.flatMap(readCertificateFile);
    const intermediates = config.intermediates
      .flatMap(readCertificateFile)
      .filter((i) => !anchors.some((a) => a.fingerprint === i.fingerprint));
    const crlFiles = config.crls.map((file): CrlFileState => {
      try {
        const st = fs.statSync(file.path);
        return { file, stamp: fileStamp(st), crls: readCrlFile(file.path), error: undefined };
      } catch (e) {
        throw new ConfigError([`${file.variable}: ${file.path} is not a CRL file: ${(e as Error).message}`]);
      }
    });
    return new TrustStore(anchors, intermediates, crlFiles);
  }

  isAnchor(cert: pkijs.Certificate): boolean {
    return this.anchors.some((a) => bytesEqual(a.cert.tbsView, cert.tbsView));
  }

  isKnown(cert: pkijs.Certificate): boolean {
    return this.isAnchor(cert) || this.intermediates.some((i) => bytesEqual(i.cert.tbsView, cert.tbsView));
  }

  /**
   * Re-reads CRL files whose mtime, size or inode changed. A file that cannot be parsed any more makes
   * revocation fail closed for its issuers until it is fixed (write CRLs atomically: temp file + rename).
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    let changed = false;
    await Promise.all(
      this.crlFiles.map(async (state) => {
        let stamp: string;
        try {
          stamp = fileStamp(await fs.promises.stat(state.file.path));
        } catch (e) {
          if (state.error === undefined) changed = true;
          state.error = `cannot read ${state.file.path}: ${(e as Error).message}`;
          state.crls = [];
          state.stamp = '';
          return;
        }
        if (stamp === state.stamp && state.error === undefined) return;
        changed = true;
        state.stamp = stamp;
        try {
          state.crls = readCrlFile(state.file.path);
          state.error = undefined;
        } catch (e) {
          state.crls = [];
          state.error = `cannot parse ${state.file.path}: ${(e as Error).message}`;
        }
      }),
    );
    if (changed) {
      this.generation++;
      this.paths.clear();
    }
  }

  /** CRLs (from configured files only) that may cover `cert`, issued by `issuer`. */
  crlsFor(cert: pkijs.Certificate, issuer: pkijs.Certificate, isCa: boolean): CrlLookup {
    const candidates: LoadedCrl[] = [];
    const problems: string[] = [];
    const issuerKeyId = keyIdentifier(issuer);
    for (const state of this.crlFiles) {
      if (state.error) problems.push(state.error);
      for (const c of state.crls) {
        if (!c.crl.issuer.isEqual(issuer.subject) || !cert.issuer.isEqual(c.crl.issuer)) continue;
        if (c.authorityKeyId && issuerKeyId && !c.authorityKeyId.equals(issuerKeyId)) {
          problems.push(`${c.file}: CRL with the issuer's name but another authority key (not signed by this issuer)`);
          continue;
        }
        if (c.unusableReason) {
          problems.push(`${c.file}: ${c.unusableReason}`);
          continue;
        }
        if ((c.scope === 'userCerts' && isCa) || (c.scope === 'caCerts' && !isCa)) continue;
        candidates.push(c);
      }
    }
    return { candidates, problems };
  }

  /** Verifies (once per CRL and issuer) that `issuer` signed the CRL. */
  crlSignedBy(
    c: LoadedCrl,
    issuer: pkijs.Certificate,
    issuerFingerprint: string,
    crypto: pkijs.ICryptoEngine,
  ): Promise<boolean> {
    let p = c.verifiedBy.get(issuerFingerprint);
    if (!p) {
      p = c.crl.verify({ issuerCertificate: issuer }, crypto).then(
        (ok) => ok === true,
        () => false,
      );
      c.verifiedBy.set(issuerFingerprint, p);
    }
    return p;
  }

  /** Earliest nextUpdate over all loaded CRLs (ms), the horizon for cached chain results. */
  private crlHorizon(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.crlFiles)
      for (const c of s.crls) if (c.nextUpdate) min = Math.min(min, c.nextUpdate.getTime());
    return min;
  }

  /** A previously validated path for the leaf with this fingerprint, if still valid at `now`. */
  cachedPath(leafFingerprint: string, now: Date): pkijs.Certificate[] | undefined {
    const hit = this.paths.get(leafFingerprint);
    if (!hit) return undefined;
    const t = now.getTime();
    if (t < hit.validFrom || t > hit.validUntil || t >= hit.expiresAt) {
      if (t >= hit.expiresAt) this.paths.delete(leafFingerprint);
      return undefined;
    }
    return hit.path;
  }

  cachePath(leafFingerprint: string, path: pkijs.Certificate[]): void {
    const validFrom = Math.max(...path.map((c) => c.notBefore.value.getTime()));
    const validUntil = Math.min(...path.map((c) => c.notAfter.value.getTime()));
    this.paths.delete(leafFingerprint);
    this.paths.set(leafFingerprint, { path, validFrom, validUntil, expiresAt: this.crlHorizon() });
    if (this.paths.size > MAX_CACHED_PATHS) this.paths.delete(this.paths.keys().next().value!);
  }

  /** For diagnostics: the configured CRLs and their validity. */
  describeCrls(): { file: string; issuer: string; thisUpdate: Date; nextUpdate: Date | undefined; error?: string }[] {
    return this.crlFiles.flatMap((s) =>
      s.error
        ? [{ file: s.file.path, issuer: '', thisUpdate: new Date(0), nextUpdate: undefined, error: s.error }]
        : s.crls.map((c) => ({
            file: c.file,
            issuer: formatName(c.crl.issuer),
            thisUpdate: c.thisUpdate,
            nextUpdate: c.nextUpdate,
          })),
    );
  }
}
