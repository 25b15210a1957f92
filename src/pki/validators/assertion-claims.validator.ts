/**
 * The claims of an e-gov portal assertion (attached UTF-8 JSON):
 *   {"iss","aud","sub":{"voen"|"fin"},"iat","exp","jti","authnMethod"}
 * iss must equal PORTAL_ISSUER_ID; aud must be (or, as an array, contain) SERVICE_ID; iat/exp are NumericDate
 * seconds with iat not after now+skew, exp after now, exp after iat and exp-iat ≤ the maximum lifetime; sub
 * names a VÖEN (10 digits; wins when both are present, like certificate mapping) or a FIN (7 of [0-9A-Z]).
 * Every failure is ASSERTION_INVALID with a message saying which claim. jti single use is the caller's job.
 */
import { AssertionInvalidError } from '../../shared/errors';
import type { SubjectMapping } from '../subject-mapping';
import type { CmsContext, Validator } from './types';

export interface PortalClaims {
  readonly iss: string;
  readonly aud: string;
  readonly jti: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly mapping: SubjectMapping;
  readonly authnMethod: string;
}

export interface PortalContext extends CmsContext {
  claims?: PortalClaims;
}

export interface ClaimRules {
  readonly issuerId: string;
  readonly serviceId: string;
  readonly maxLifetimeSeconds: number;
  readonly skewSeconds: number;
}

function invalid(message: string): AssertionInvalidError {
  return new AssertionInvalidError(`portal assertion: ${message}`);
}

const VOEN = /^[0-9]{10}$/;
const FIN = /^[0-9A-Z]{7}$/;

export function assertionClaimsValidator(rules: ClaimRules): Validator<PortalContext> {
  return (ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(ctx.expectedContent));
    } catch {
      throw invalid('content is not UTF-8 JSON');
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw invalid('content is not a JSON object');
    const c = json as Record<string, unknown>;

    if (c.iss !== rules.issuerId)
      throw invalid(`iss ${JSON.stringify(c.iss)} is not the portal issuer "${rules.issuerId}"`);
    const audOk = c.aud === rules.serviceId || (Array.isArray(c.aud) && c.aud.includes(rules.serviceId));
    if (!audOk) throw invalid(`aud ${JSON.stringify(c.aud)} is not this service "${rules.serviceId}"`);

    const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
    if (!isNumericDate(c.iat)) throw invalid('iat is missing or not a NumericDate (integer seconds)');
    if (!isNumericDate(c.exp)) throw invalid('exp is missing or not a NumericDate (integer seconds)');
    const now = ctx.now.getTime() / 1000;
    if (c.iat > now + rules.skewSeconds) throw invalid(`iat ${c.iat} is in the future`);
    if (c.exp <= now) throw invalid(`expired at exp ${c.exp}`);
    if (c.exp <= c.iat) throw invalid('exp is not after iat');
    if (c.exp - c.iat > rules.maxLifetimeSeconds)
      throw invalid(`lifetime exp-iat ${c.exp - c.iat}s exceeds ${rules.maxLifetimeSeconds}s`);

    if (typeof c.jti !== 'string' || c.jti.length === 0 || c.jti.length > 200)
      throw invalid('jti is missing or not a string of 1-200 characters');
    if (typeof c.authnMethod !== 'string' || c.authnMethod.length === 0 || c.authnMethod.length > 100) {
      throw invalid('authnMethod is missing or not a string of 1-100 characters');
    }

    const sub = c.sub as Record<string, unknown> | null | undefined;
    if (!sub || typeof sub !== 'object' || Array.isArray(sub)) throw invalid('sub is missing or not an object');
    let mapping: SubjectMapping;
    if (sub.voen !== undefined) {
      if (typeof sub.voen !== 'string' || !VOEN.test(sub.voen)) throw invalid('sub.voen is not 10 digits');
      if (sub.fin !== undefined && (typeof sub.fin !== 'string' || !FIN.test(sub.fin)))
        throw invalid('sub.fin is not 7 characters [0-9A-Z]');
      mapping =
        typeof sub.fin === 'string'
          ? { kind: 'LEGAL_ENTITY', voen: sub.voen, representativeFin: sub.fin }
          : { kind: 'LEGAL_ENTITY', voen: sub.voen };
    } else if (sub.fin !== undefined) {
      if (typeof sub.fin !== 'string' || !FIN.test(sub.fin)) throw invalid('sub.fin is not 7 characters [0-9A-Z]');
      mapping = { kind: 'NATURAL_PERSON', fin: sub.fin };
    } else {
      throw invalid('sub names neither voen nor fin');
    }

    ctx.claims = {
      iss: c.iss as string,
      aud: rules.serviceId,
      jti: c.jti,
      authnMethod: c.authnMethod,
      mapping,
      issuedAt: new Date(c.iat * 1000),
      expiresAt: new Date(c.exp * 1000),
    };
  };
}
