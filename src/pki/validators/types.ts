/**
 * The validator chain (after web-eid-authtoken-validation): each check is one small function over a context
 * that throws one typed AppError; `runValidators` runs them in order and stops at the first failure. Optional
 * checks (policy/EKU, OCSP) are simply left out of the list when not configured. Checks never read the clock:
 * `ctx.now` is passed in.
 */
import type * as pkijs from 'pkijs';
import type { ParsedCms } from '../cms';
import type { SubjectMapping } from '../subject-mapping';

export interface CertificateContext {
  readonly now: Date;
  /** The end-entity certificate under test (not trusted until the chain validator has run). */
  readonly leaf: pkijs.Certificate;
  readonly leafDer: Buffer;
  /** SHA-256 of leafDer, lower-case hex. */
  readonly fingerprint: string;
  /** Untrusted certificates offered with the leaf (e.g. the CMS certificates): path candidates only. */
  readonly candidates: readonly pkijs.Certificate[];
  /** Set by the chain validator: [leaf, …, trust anchor]. */
  path?: pkijs.Certificate[];
  /** Set by the subject-mapping validator. */
  mapping?: SubjectMapping;
}

export interface CmsContext extends CertificateContext {
  readonly cms: ParsedCms;
  /**
   * The bytes the signature must cover: the UTF-8 challenge for a login; for a portal assertion, the attached
   * content itself.
   */
  readonly expectedContent: Buffer;
  /** Set by the signing-time validator. */
  signingTime?: Date;
}

export type Validator<C> = (ctx: C) => void | Promise<void>;

export async function runValidators<C>(validators: readonly Validator<C>[], ctx: C): Promise<void> {
  for (const validate of validators) await validate(ctx);
}
