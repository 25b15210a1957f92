/**
 * Format validation of one declaration row (docs/import-format.md). Pure and synchronous: no database, no
 * I/O; the reference sets are loaded once by the caller. Regexes are compiled once at module
 * load; the hot path is a handful of `test` calls per field.
 *
 * Only formats are validated. A customs post, procedure, HS heading or transport mode that the
 * reference tables do not know is accepted and reported in `unknownReference`; a country code
 * must exist (the countries table is the full ISO 3166-1 list).
 */
import { isCalendarDate, MAX_DOCUMENT_YEAR } from '../shared/calendar';
import { COL, DECLARATION_COLUMNS, type DeclarationColumn } from './columns';

export interface ReferenceSets {
  countries: ReadonlySet<string>;
  hsHeadings: ReadonlySet<string>;
  customsPosts: ReadonlySet<string>;
  procedures: ReadonlySet<string>;
  transportModes: ReadonlySet<string>;
}

/** Flags stored in declaration_items.unknown_reference, in this order. */
export const UNKNOWN_REFERENCE_FLAGS = ['customs_post', 'procedure', 'hs_heading', 'transport_mode'] as const;
export type UnknownReferenceFlag = (typeof UNKNOWN_REFERENCE_FLAGS)[number];

/** Upper bounds on text lengths (characters). */
export const TEXT_LIMITS = {
  declaration_number: 50,
  declarant_name: 300,
  declarant_gooen: 20,
  customs_post_code: 20,
  description: 1000,
  supplementary_unit: 20,
} as const;

/** One problem with one field: rendered as `line N: column: reason`. */
export interface FieldError {
  column: DeclarationColumn | 'record' | 'header' | 'csv';
  reason: string;
}

const RE_DECL_NUMBER = /^[0-9A-Za-z][0-9A-Za-z/._-]*$/;
const RE_ITEM = /^\d{1,9}$/;
const RE_VOEN = /^\d{10}$/;
const RE_FIN = /^[0-9A-Z]{7}$/;
const RE_GOOEN = /^[0-9A-Za-z-]+$/;
const RE_POST = /^[0-9A-Za-z._/-]+$/;
const RE_PROCEDURE = /^\d{2}$/;
const RE_HS = /^\d{10}$/;
const RE_MODE = /^\d$/;
const RE_CURRENCY = /^[A-Z]{3}$/;
/** Fast paths for well-formed decimals; anything else goes through diagnoseDecimal. */
/** The decimal columns' formats: money numeric(18,2), quantities numeric(18,3). */
const MONEY = { ok: /^\d{1,16}(?:\.\d{1,2})?$/, intDigits: 16, fracDigits: 2 } as const;
const QUANTITY = { ok: /^\d{1,15}(?:\.\d{1,3})?$/, intDigits: 15, fracDigits: 3 } as const;
const RE_DECIMAL = /^(-?)(\d*)(?:\.(\d*))?$/;
/** NUL cannot be stored; U+FFFD marks bytes that were not valid UTF-8. */
const RE_BAD_TEXT = /[\u0000\uFFFD]/;
const RE_CONTROL = /[\u0000-\u001f\u007f]/;

function diagnoseDecimal(v: string, intDigits: number, scale: number): string {
  const m = RE_DECIMAL.exec(v);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === '')) || m[3] === '') {
    return `"${clip(v)}" is not a decimal number (digits with an optional "." and up to ${scale} decimals)`;
  }
  if (m[1] === '-') return 'must not be negative';
  if (m[2] === '') return `"${clip(v)}" is not a decimal number (digits before the decimal point are required)`;
  if (m[3] !== undefined && m[3].length > scale) {
    return `"${clip(v)}" has more than ${scale} decimal places`;
  }
  return `"${clip(v)}" is too large (at most ${intDigits} digits before the decimal point)`;
}

function clip(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

/** a ≥ b for two well-formed non-negative decimal strings (exact, no floating point). */
export function decimalGte(a: string, b: string): boolean {
  if (a.length <= 15 && b.length <= 15) return Number(a) >= Number(b);
  return compareDecimal(a, b) >= 0;
}

function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  const ain = ai.replace(/^0+(?=\d)/, '');
  const bin = bi.replace(/^0+(?=\d)/, '');
  if (ain.length !== bin.length) return ain.length - bin.length;
  if (ain !== bin) return ain < bin ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const ap = af.padEnd(n, '0');
  const bp = bf.padEnd(n, '0');
  return ap === bp ? 0 : ap < bp ? -1 : 1;
}

/**
 * Checks one row given in DECLARATION_COLUMNS order. Returns the problems (empty when the row
 * is valid) and, for a valid row, leaves its unknown-reference flags in `flags`.
 */
export class RowValidator {
  /** Unknown-reference flags of the last valid row (shared array, copied by the caller if kept). */
  readonly flags: UnknownReferenceFlag[] = [];
  /** The item number of the last valid row. */
  itemNumber = 0;
  private readonly validDates = new Set<string>();
  /** Problems of the row being checked. */
  private errors: FieldError[] = [];

  constructor(private readonly ref: ReferenceSets) {}

  check(f: ReadonlyArray<string>): FieldError[] {
    this.errors = [];
    this.flags.length = 0;
    this.checkDeclaration(f);
    this.checkDeclarant(f);
    this.checkCodes(f);
    this.checkAmounts(f);
    return this.errors;
  }

  private err(column: DeclarationColumn, reason: string): void {
    this.errors.push({ column, reason });
  }

  /** A required code-like text cell: within its TEXT_LIMITS length and of the characters `re` allows (`allowed`). */
  private checkText(column: keyof typeof TEXT_LIMITS, v: string, re: RegExp, allowed: string): boolean {
    if (v === '') this.err(column, 'is required');
    else if (v.length > TEXT_LIMITS[column]) this.err(column, `longer than ${TEXT_LIMITS[column]} characters`);
    else if (!re.test(v)) this.err(column, `"${clip(v)}" may contain only ${allowed}`);
    else return true;
    return false;
  }

  /** Declaration number, item number, registration date, direction. */
  private checkDeclaration(f: ReadonlyArray<string>): void {
    this.checkText('declaration_number', f[COL.declaration_number], RE_DECL_NUMBER, 'letters, digits and / . _ -');

    const item = f[COL.item_number];
    if (item === '') this.err('item_number', 'is required');
    else if (!RE_ITEM.test(item) || +item < 1) this.err('item_number', `"${clip(item)}" is not an integer ≥ 1`);
    else this.itemNumber = +item;

    const date = f[COL.registration_date];
    if (date === '') this.err('registration_date', 'is required');
    else if (!this.validDates.has(date)) {
      if (isCalendarDate(date, MAX_DOCUMENT_YEAR)) this.validDates.add(date);
      else this.err('registration_date', `"${clip(date)}" is not a calendar date YYYY-MM-DD`);
    }

    const dir = f[COL.direction];
    if (dir !== 'IM' && dir !== 'EX')
      this.err('direction', dir === '' ? 'is required' : `"${clip(dir)}" is not IM or EX`);
  }

  /** VÖEN, FIN, GÖÖEN (one at least) and name. */
  private checkDeclarant(f: ReadonlyArray<string>): void {
    const voen = f[COL.declarant_voen];
    const fin = f[COL.declarant_fin];
    const gooen = f[COL.declarant_gooen];
    if (voen !== '' && !RE_VOEN.test(voen)) this.err('declarant_voen', `"${clip(voen)}" is not 10 digits`);
    if (fin !== '' && !RE_FIN.test(fin)) this.err('declarant_fin', `"${clip(fin)}" is not 7 characters [0-9A-Z]`);
    if (gooen !== '') this.checkText('declarant_gooen', gooen, RE_GOOEN, 'letters, digits and -');
    if (voen === '' && fin === '' && gooen === '') {
      this.err('declarant_voen', 'one of declarant_voen, declarant_fin, declarant_gooen is required');
    }

    const name = f[COL.declarant_name];
    if (name.trim() === '') this.err('declarant_name', 'is required');
    else if (name.length > TEXT_LIMITS.declarant_name)
      this.err('declarant_name', `longer than ${TEXT_LIMITS.declarant_name} characters`);
    else if (RE_CONTROL.test(name) || RE_BAD_TEXT.test(name))
      this.err('declarant_name', 'contains control characters or invalid UTF-8');
  }

  /** Customs post, procedure, HS code, description, countries, transport mode; unknown codes are flagged. */
  private checkCodes(f: ReadonlyArray<string>): void {
    const post = f[COL.customs_post_code];
    const postOk = this.checkText('customs_post_code', post, RE_POST, 'letters, digits and . _ / -');
    if (postOk && !this.ref.customsPosts.has(post)) this.flags.push('customs_post');

    const proc = f[COL.procedure_code];
    if (proc === '') this.err('procedure_code', 'is required');
    else if (!RE_PROCEDURE.test(proc)) this.err('procedure_code', `"${clip(proc)}" is not 2 digits`);
    else if (!this.ref.procedures.has(proc)) this.flags.push('procedure');

    const hs = f[COL.hs_code];
    if (hs === '') this.err('hs_code', 'is required');
    else if (!RE_HS.test(hs)) this.err('hs_code', `"${clip(hs)}" is not 10 digits`);
    else if (!this.ref.hsHeadings.has(hs.slice(0, 4))) this.flags.push('hs_heading');

    const desc = f[COL.description];
    if (desc !== '') {
      if (desc.length > TEXT_LIMITS.description)
        this.err('description', `longer than ${TEXT_LIMITS.description} characters`);
      else if (RE_BAD_TEXT.test(desc)) this.err('description', 'contains a NUL character or invalid UTF-8');
    }

    const origin = f[COL.origin_country];
    if (origin !== '' && !this.ref.countries.has(origin))
      this.err('origin_country', `"${clip(origin)}" is not an ISO 3166-1 alpha-2 country code`);
    const partner = f[COL.partner_country];
    if (partner === '') this.err('partner_country', 'is required');
    else if (!this.ref.countries.has(partner))
      this.err('partner_country', `"${clip(partner)}" is not an ISO 3166-1 alpha-2 country code`);

    const mode = f[COL.transport_mode];
    if (mode !== '') {
      if (!RE_MODE.test(mode)) this.err('transport_mode', `"${clip(mode)}" is not 1 digit`);
      else if (!this.ref.transportModes.has(mode)) this.flags.push('transport_mode');
    }
  }

  /** Weights, supplementary quantity and unit, invoice value and currency, customs and statistical values. */
  private checkAmounts(f: ReadonlyArray<string>): void {
    const net = f[COL.net_weight_kg];
    const gross = f[COL.gross_weight_kg];
    const netOk = this.quantity(net, 'net_weight_kg', true);
    const grossOk = this.quantity(gross, 'gross_weight_kg', true);
    if (netOk && grossOk && !decimalGte(gross, net))
      this.err('gross_weight_kg', `${gross} is less than net_weight_kg ${net}`);

    const qty = f[COL.supplementary_quantity];
    const unit = f[COL.supplementary_unit];
    this.quantity(qty, 'supplementary_quantity', false);
    if (unit !== '') {
      if (unit.length > TEXT_LIMITS.supplementary_unit)
        this.err('supplementary_unit', `longer than ${TEXT_LIMITS.supplementary_unit} characters`);
      else if (RE_CONTROL.test(unit) || RE_BAD_TEXT.test(unit))
        this.err('supplementary_unit', 'contains control characters or invalid UTF-8');
      else if (qty === '') this.err('supplementary_quantity', 'is required when supplementary_unit is given');
    } else if (qty !== '') {
      this.err('supplementary_unit', 'is required when supplementary_quantity is given');
    }

    const inv = f[COL.invoice_value];
    const cur = f[COL.invoice_currency];
    this.money(inv, 'invoice_value', false);
    if (cur !== '') {
      if (!RE_CURRENCY.test(cur))
        this.err('invoice_currency', `"${clip(cur)}" is not an ISO 4217 code (3 capital letters)`);
      else if (inv === '') this.err('invoice_value', 'is required when invoice_currency is given');
    } else if (inv !== '') {
      this.err('invoice_currency', 'is required when invoice_value is given');
    }

    this.money(f[COL.customs_value_azn], 'customs_value_azn', true);
    this.money(f[COL.statistical_value_usd], 'statistical_value_usd', true);
  }

  private money(v: string, column: DeclarationColumn, required: boolean): boolean {
    return this.decimal(v, column, required, MONEY);
  }

  private quantity(v: string, column: DeclarationColumn, required: boolean): boolean {
    return this.decimal(v, column, required, QUANTITY);
  }

  private decimal(
    v: string,
    column: DeclarationColumn,
    required: boolean,
    format: typeof MONEY | typeof QUANTITY,
  ): boolean {
    if (v === '') {
      if (required) this.err(column, 'is required');
      return false;
    }
    if (format.ok.test(v)) return true;
    this.err(column, diagnoseDecimal(v, format.intDigits, format.fracDigits));
    return false;
  }
}

/** Header problems (missing, unknown, duplicate columns), or the position of each column in the file. */
export function checkHeader(header: ReadonlyArray<string>): { problems: string[]; order: number[] } {
  const problems: string[] = [];
  const known = new Set<string>(DECLARATION_COLUMNS);
  const seen = new Map<string, number>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  header.forEach((name, i) => {
    if (!known.has(name)) unknown.push(name === '' ? '(empty)' : name);
    else if (seen.has(name)) duplicate.push(name);
    else seen.set(name, i);
  });
  const missing = DECLARATION_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  if (duplicate.length > 0)
    problems.push(`duplicate column${duplicate.length > 1 ? 's' : ''}: ${duplicate.join(', ')}`);
  return { problems, order: DECLARATION_COLUMNS.map((c) => seen.get(c) ?? -1) };
}
