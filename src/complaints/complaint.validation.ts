/**
 * Input rules of a complaint (regulation 3.5.2: name, patronymic, surname, and an address, postal
 * address or workplace). Pure functions: every value is NFC-normalised and trimmed, every rejection
 * is a BadUserInputError naming the input field.
 */
import { BadUserInputError } from '../shared/errors';

export const NAME_MAX = 100;
export const ADDRESS_MAX = 300;
export const EMAIL_MAX = 254;
export const TEXT_MAX = 5000;
export const DECLARATION_NUMBER_MAX = 100;

/** What a client sends (GraphQL ComplaintInput, or any other caller). */
export interface ComplaintFields {
  name: string;
  patronymic: string;
  surname: string;
  address?: string | null;
  postalAddress?: string | null;
  workplace?: string | null;
  email?: string | null;
  declarationNumber?: string | null;
  auditRecordId?: string | null;
  text: string;
}

/** The validated, normalised complaint: optional fields are null when absent or blank. */
export interface ValidComplaint {
  name: string;
  patronymic: string;
  surname: string;
  address: string | null;
  postalAddress: string | null;
  workplace: string | null;
  email: string | null;
  declarationNumber: string | null;
  auditRecordId: string | null;
  text: string;
}

// A letter of any script first, then letters (with combining marks, e.g. a decomposed ş), spaces,
// hyphens and apostrophes (', ’; ʼ is a letter): "Məmmədova", "Ağa-Rəhim", "O'Neil", "Анна Мария".
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M} '\u2019\u2010-]*$/u;
// An unpaired UTF-16 surrogate (JSON can carry one; it is not text).
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters (C0, DEL, C1), and the bidirectional overrides that can disguise text.
const CONTROL_RE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
// The same, but free text keeps its line breaks and tabs.
const TEXT_CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
// The WHATWG "valid e-mail address" syntax, plus: the domain has a dot (a TLD).
const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const length = (s: string) => [...s].length;

/** NFC, trimmed; rejects what is not a string of valid Unicode (lone surrogates) or holds control characters. */
function clean(value: unknown, field: string, opts: { multiline?: boolean } = {}): string {
  if (typeof value !== 'string') throw new BadUserInputError(`${field} must be a string`, field);
  if (LONE_SURROGATE_RE.test(value)) throw new BadUserInputError(`${field} holds invalid characters`, field);
  const s = value.normalize('NFC').trim();
  if ((opts.multiline ? TEXT_CONTROL_RE : CONTROL_RE).test(s)) {
    throw new BadUserInputError(`${field} must not contain control characters`, field);
  }
  return s;
}

/** An optional field: absent, null or blank → null. */
function optional(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const s = clean(value, field);
  return s === '' ? null : s;
}

export function validatePersonName(value: unknown, field: string): string {
  const s = clean(value, field);
  if (s === '') throw new BadUserInputError(`${field} is required`, field);
  if (length(s) > NAME_MAX) throw new BadUserInputError(`${field} must be at most ${NAME_MAX} characters`, field);
  if (!NAME_RE.test(s)) {
    throw new BadUserInputError(
      `${field} may hold only letters, spaces, hyphens and apostrophes, starting with a letter`,
      field,
    );
  }
  return s;
}

/** Free text of 1..TEXT_MAX characters (the complaint, an answer); line breaks allowed. */
export function validateText(value: unknown, field: string): string {
  const s = clean(value, field, { multiline: true });
  if (s === '') throw new BadUserInputError(`${field} is required`, field);
  if (length(s) > TEXT_MAX) throw new BadUserInputError(`${field} must be at most ${TEXT_MAX} characters`, field);
  return s;
}

function validateAddressLike(value: string | null | undefined, field: string): string | null {
  const s = optional(value, field);
  if (s !== null && length(s) > ADDRESS_MAX) {
    throw new BadUserInputError(`${field} must be at most ${ADDRESS_MAX} characters`, field);
  }
  return s;
}

export function validateEmail(value: string | null | undefined, field: string): string | null {
  const s = optional(value, field);
  if (s === null) return null;
  if (s.length > EMAIL_MAX || !EMAIL_RE.test(s)) {
    throw new BadUserInputError(`${field} is not an e-mail address such as name@example.az`, field);
  }
  return s;
}

/** A decimal bigint id (1..2^63-1), or BAD_USER_INPUT naming the field. */
export function validateId(value: unknown, field: string): string {
  const s = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!/^[0-9]{1,19}$/.test(s) || BigInt(s) < 1n || BigInt(s) > 9223372036854775807n) {
    throw new BadUserInputError(`${field} must be a positive integer id`, field);
  }
  return BigInt(s).toString();
}

/** Checks every field of a complaint; `prefix` is the argument path of the input ("input"). */
export function validateComplaint(input: ComplaintFields, prefix = 'input'): ValidComplaint {
  const f = (name: string) => `${prefix}.${name}`;
  const name = validatePersonName(input.name, f('name'));
  const patronymic = validatePersonName(input.patronymic, f('patronymic'));
  const surname = validatePersonName(input.surname, f('surname'));
  const address = validateAddressLike(input.address, f('address'));
  const postalAddress = validateAddressLike(input.postalAddress, f('postalAddress'));
  const workplace = validateAddressLike(input.workplace, f('workplace'));
  if (address === null && postalAddress === null && workplace === null) {
    throw new BadUserInputError(
      `give at least one of ${f('address')}, ${f('postalAddress')} or ${f('workplace')} (regulation 3.5.2)`,
      f('address'),
    );
  }
  const email = validateEmail(input.email, f('email'));
  const declarationNumber = optional(input.declarationNumber, f('declarationNumber'));
  if (declarationNumber !== null && length(declarationNumber) > DECLARATION_NUMBER_MAX) {
    throw new BadUserInputError(
      `${f('declarationNumber')} must be at most ${DECLARATION_NUMBER_MAX} characters`,
      f('declarationNumber'),
    );
  }
  const rawAudit =
    input.auditRecordId === undefined || input.auditRecordId === null || String(input.auditRecordId).trim() === ''
      ? null
      : input.auditRecordId;
  const auditRecordId = rawAudit === null ? null : validateId(rawAudit, f('auditRecordId'));
  const text = validateText(input.text, f('text'));
  return {
    name,
    patronymic,
    surname,
    address,
    postalAddress,
    workplace,
    email,
    declarationNumber,
    auditRecordId,
    text,
  };
}
