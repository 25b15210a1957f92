/**
 * The trade filter as the services see it (no GraphQL types here): validation with messages that
 * say what is wrong, and the SQL conditions it adds to a query on declaration_items.
 */
import { BadUserInputError } from '../shared/errors';
import type { DirectionCode } from '../db/entities/declaration.entity';

export interface TradeFilter {
  direction?: DirectionCode;
  /** Registration date, inclusive (YYYY-MM-DD, already a valid calendar date). */
  from?: string;
  to?: string;
  hsCodePrefix?: string;
  countryCode?: string;
  customsPostCode?: string;
  procedureCode?: string;
  transportMode?: string;
}

/** Checks formats and consistency; `knownCountry` answers whether a code is in the reference table. */
export function validateTradeFilter(f: TradeFilter, knownCountry: (code: string) => boolean): TradeFilter {
  if (f.from && f.to && f.from > f.to) {
    throw new BadUserInputError(`filter.from (${f.from}) is after filter.to (${f.to})`, 'filter.from');
  }
  if (f.hsCodePrefix !== undefined && !/^[0-9]{2,10}$/.test(f.hsCodePrefix)) {
    throw new BadUserInputError('filter.hsCodePrefix must be 2 to 10 digits', 'filter.hsCodePrefix');
  }
  if (f.countryCode !== undefined) {
    if (!/^[A-Z]{2}$/.test(f.countryCode)) {
      throw new BadUserInputError(
        'filter.countryCode must be an ISO 3166-1 alpha-2 code such as TR',
        'filter.countryCode',
      );
    }
    if (!knownCountry(f.countryCode)) {
      throw new BadUserInputError(`filter.countryCode: unknown country ${f.countryCode}`, 'filter.countryCode');
    }
  }
  if (f.customsPostCode !== undefined && !/^[0-9A-Za-z-]{1,20}$/.test(f.customsPostCode)) {
    throw new BadUserInputError(
      'filter.customsPostCode must be 1 to 20 letters, digits or dashes',
      'filter.customsPostCode',
    );
  }
  if (f.procedureCode !== undefined && !/^[0-9]{2}$/.test(f.procedureCode)) {
    throw new BadUserInputError('filter.procedureCode must be 2 digits', 'filter.procedureCode');
  }
  if (f.transportMode !== undefined && !/^[0-9]$/.test(f.transportMode)) {
    throw new BadUserInputError('filter.transportMode must be 1 digit', 'filter.transportMode');
  }
  return f;
}

/** Collects positional parameters for one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * Conditions on declaration_items (alias `i`) for the participant and the filter. The participant
 * condition always comes first: it is also what a distributed PostgreSQL routes by.
 */
export function itemConditions(participantId: string, f: TradeFilter, p: Params, alias = 'i'): string[] {
  const c = [`${alias}.participant_id = ${p.add(participantId)}`];
  if (f.direction) c.push(`${alias}.direction = ${p.add(f.direction)}`);
  if (f.from) c.push(`${alias}.registration_date >= ${p.add(f.from)}::date`);
  if (f.to) c.push(`${alias}.registration_date <= ${p.add(f.to)}::date`);
  if (f.hsCodePrefix) {
    // A range of equal-length digit strings rather than LIKE: comparison operators are leakproof,
    // so PostgreSQL still uses the (participant_id, hs_code) index under row-level security, where a
    // LIKE (not leakproof) may only run after the policy and the trader's rows are scanned.
    c.push(
      `${alias}.hs_code BETWEEN ${p.add(f.hsCodePrefix.padEnd(10, '0'))} AND ${p.add(f.hsCodePrefix.padEnd(10, '9'))}`,
    );
  }
  if (f.countryCode) c.push(`${alias}.partner_country = ${p.add(f.countryCode)}`);
  if (f.customsPostCode) c.push(`${alias}.customs_post_code = ${p.add(f.customsPostCode)}`);
  if (f.procedureCode) c.push(`${alias}.procedure_code = ${p.add(f.procedureCode)}`);
  if (f.transportMode) c.push(`${alias}.transport_mode = ${p.add(f.transportMode)}`);
  return c;
}

/** Whether the filter constrains item-level columns (then a declaration matches if any item does). */
export function hasItemLevelFilter(f: TradeFilter): boolean {
  return Boolean(f.hsCodePrefix || f.countryCode || f.transportMode);
}
