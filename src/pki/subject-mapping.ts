/**
 * Maps a certificate subject to a participant identity by an ordered profile of rules.
 *
 * Default profile (ETSI EN 319 412-1 semantic identifiers as used by the Azerbaijani national CA):
 *   1. organizationIdentifier (2.5.4.97) `VATAZ-<10 digits>`  → LEGAL_ENTITY by VÖEN   (wins when both present)
 *   2. serialNumber (2.5.4.5)            `PNOAZ-<7 [0-9A-Z]>`  → NATURAL_PERSON by FIN
 *
 * A profile file (PKI_SUBJECT_PROFILE) is JSON:
 *   { "rules": [ { "kind": "LEGAL_ENTITY" | "NATURAL_PERSON",
 *                  "attribute": "<OID or organizationIdentifier|serialNumber|commonName|…>",
 *                  "pattern": "<anchored regular expression with exactly one capture group: the identifier>" } ] }
 * The first rule with a match wins. If one rule's attribute occurs several times with different identifiers the
 * subject is ambiguous and does not map.
 */
import * as pkijs from 'pkijs';
import { attributeString, OID } from './der';

export type ParticipantKindName = 'LEGAL_ENTITY' | 'NATURAL_PERSON';

export type SubjectMapping =
  /** representativeFin: the FIN of the person holding the legal entity's certificate, when the subject carries one. */
  | { readonly kind: 'LEGAL_ENTITY'; readonly voen: string; readonly representativeFin?: string }
  | { readonly kind: 'NATURAL_PERSON'; readonly fin: string };

export interface SubjectProfileRule {
  readonly kind: ParticipantKindName;
  /** Attribute type OID. */
  readonly attribute: string;
  readonly pattern: RegExp;
}

export interface SubjectProfile {
  readonly rules: readonly SubjectProfileRule[];
}

/** Attribute names accepted in a profile file besides dotted OIDs. */
export const ATTRIBUTE_NAMES: Record<string, string> = {
  organizationIdentifier: OID.organizationIdentifier,
  serialNumber: OID.serialNumber,
  commonName: OID.commonName,
  CN: OID.commonName,
  organizationName: OID.organizationName,
  O: OID.organizationName,
  givenName: OID.givenName,
  surname: OID.surname,
};

export const DEFAULT_SUBJECT_PROFILE: SubjectProfile = Object.freeze({
  rules: Object.freeze([
    { kind: 'LEGAL_ENTITY', attribute: OID.organizationIdentifier, pattern: /^VATAZ-([0-9]{10})$/ },
    { kind: 'NATURAL_PERSON', attribute: OID.serialNumber, pattern: /^PNOAZ-([0-9A-Z]{7})$/ },
  ] as SubjectProfileRule[]),
});

/**
 * Parses a profile document; returns problems (messages without the variable name) instead of throwing so the
 * config reader can report them together.
 */
export function parseSubjectProfile(json: unknown): { profile?: SubjectProfile; problems: string[] } {
  const problems: string[] = [];
  const rulesIn = (json as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rulesIn) || rulesIn.length === 0)
    return { problems: ['expected {"rules": [ … ]} with at least one rule'] };
  const rules: SubjectProfileRule[] = [];
  rulesIn.forEach((r: unknown, i: number) => {
    const rule = r as { kind?: unknown; attribute?: unknown; pattern?: unknown } | null;
    if (rule?.kind !== 'LEGAL_ENTITY' && rule?.kind !== 'NATURAL_PERSON') {
      problems.push(`rules[${i}].kind: expected LEGAL_ENTITY or NATURAL_PERSON`);
      return;
    }
    const attrName = typeof rule.attribute === 'string' ? rule.attribute : '';
    const attribute = /^\d+(\.\d+)+$/.test(attrName) ? attrName : ATTRIBUTE_NAMES[attrName];
    if (!attribute) {
      problems.push(
        `rules[${i}].attribute: expected a dotted OID or one of ${Object.keys(ATTRIBUTE_NAMES).join(', ')}`,
      );
      return;
    }
    if (typeof rule.pattern !== 'string') {
      problems.push(`rules[${i}].pattern: expected a regular expression string`);
      return;
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.pattern, 'u');
    } catch (e) {
      problems.push(`rules[${i}].pattern: ${(e as Error).message}`);
      return;
    }
    const groups = new RegExp(`${pattern.source}|`, 'u').exec('')!.length - 1;
    if (groups !== 1) problems.push(`rules[${i}].pattern: expected exactly one capture group, found ${groups}`);
    if (!rule.pattern.startsWith('^') || !rule.pattern.endsWith('$'))
      problems.push(`rules[${i}].pattern: must be anchored with ^ and $`);
    rules.push({ kind: rule.kind, attribute, pattern });
  });
  return problems.length ? { problems } : { profile: { rules }, problems };
}

/** The subject attributes callers usually want, as plain strings. */
export interface SubjectSummary {
  readonly commonName?: string;
  readonly organizationIdentifier?: string;
  readonly serialNumber?: string;
  readonly organizationName?: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly country?: string;
}

function values(cert: pkijs.Certificate, oid: string): string[] {
  return cert.subject.typesAndValues
    .filter((atv) => atv.type === oid)
    .map((atv) => attributeString(atv))
    .filter((v): v is string => v !== undefined);
}

export function summarizeSubject(cert: pkijs.Certificate): SubjectSummary {
  const first = (oid: string) => values(cert, oid)[0];
  const s: Record<string, string | undefined> = {
    commonName: first(OID.commonName),
    organizationIdentifier: first(OID.organizationIdentifier),
    serialNumber: first(OID.serialNumber),
    organizationName: first(OID.organizationName),
    givenName: first(OID.givenName),
    surname: first(OID.surname),
    country: first(OID.country),
  };
  for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
  return s as SubjectSummary;
}

/** The identifier one rule yields: undefined (no match), a string, or 'ambiguous'. */
function applyRule(cert: pkijs.Certificate, rule: SubjectProfileRule): string | undefined | { ambiguous: string[] } {
  const ids = new Set<string>();
  for (const v of values(cert, rule.attribute)) {
    const m = rule.pattern.exec(v);
    if (m && m[1]) ids.add(m[1]);
  }
  if (ids.size === 0) return undefined;
  if (ids.size > 1) return { ambiguous: [...ids] };
  return [...ids][0];
}

export type MappingOutcome = { mapping: SubjectMapping } | { reason: string };

export function mapSubject(cert: pkijs.Certificate, profile: SubjectProfile): MappingOutcome {
  for (const rule of profile.rules) {
    const id = applyRule(cert, rule);
    if (id === undefined) continue;
    if (typeof id !== 'string')
      return { reason: `subject is ambiguous: ${rule.kind} identifiers ${id.ambiguous.join(', ')}` };
    if (rule.kind === 'NATURAL_PERSON') return { mapping: { kind: 'NATURAL_PERSON', fin: id } };
    // A legal entity's representative: also report the person's FIN when a natural-person rule matches.
    let representativeFin: string | undefined;
    for (const r of profile.rules) {
      if (r.kind !== 'NATURAL_PERSON') continue;
      const fin = applyRule(cert, r);
      if (typeof fin === 'string') {
        representativeFin = fin;
        break;
      }
    }
    return {
      mapping: representativeFin
        ? { kind: 'LEGAL_ENTITY', voen: id, representativeFin }
        : { kind: 'LEGAL_ENTITY', voen: id },
    };
  }
  return {
    reason:
      'subject carries no identifier the subject profile maps (organizationIdentifier VATAZ-… or serialNumber PNOAZ-… by default)',
  };
}
