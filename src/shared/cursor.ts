/**
 * The one cursor codec and page shape of every Relay-style list (declarations, audit records,
 * complaints, contracts). A cursor is opaque to clients: base64url of a prefix naming the list
 * and the row's sort key, fields separated by "|". Decoding checks every field against what the
 * database will accept (a bigint id, a real calendar date, an exact UTC timestamp) and that the
 * cursor is the one this codec would have written, so a forged or damaged cursor is
 * BAD_USER_INPUT naming the argument, never a database error.
 */
import { BadUserInputError } from './errors';

/** id: a positive bigint as decimal; date: YYYY-MM-DD; timestamp: an instant, written as ISO-8601 UTC with ms. */
export type CursorField = 'id' | 'date' | 'timestamp';

/** The sort key a cursor carries: strings, except timestamps (Date). */
export type CursorKey<F extends Readonly<Record<string, CursorField>>> = {
  readonly [K in keyof F]: F[K] extends 'timestamp' ? Date : string;
};

export interface CursorCodec<K> {
  encode(key: K): string;
  /** The key the cursor carries, or BAD_USER_INPUT naming `argument`. */
  decode(cursor: string, argument?: string): K;
}

/** One page of a list, newest first: each node with its cursor, and whether more follow. */
export interface Page<T> {
  readonly nodes: { cursor: string; node: T }[];
  readonly hasNextPage: boolean;
}

/** Rows fetched with LIMIT first + 1: the first `first` of them, and whether there was one more. */
export function toPage<T>(rows: readonly T[], first: number, cursorOf: (row: T) => string): Page<T> {
  return {
    nodes: rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node })),
    hasNextPage: rows.length > first,
  };
}

const MAX_CURSOR_LENGTH = 200;
const MAX_BIGINT = 9223372036854775807n;
const ID_RE = /^[0-9]{1,19}$/;
const DATE_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIMESTAMP_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/** The value of one field as written in the cursor text, or undefined when the database would refuse it. */
function parseField(kind: CursorField, text: string): string | Date | undefined {
  switch (kind) {
    case 'id':
      return ID_RE.test(text) && BigInt(text) <= MAX_BIGINT ? text : undefined;
    case 'date': {
      // A date that exists (not 2025-02-30) in years 1–9999, as PostgreSQL's date accepts them.
      const d = DATE_RE.test(text) ? new Date(`${text}T00:00:00.000Z`) : null;
      return d && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text && !text.startsWith('0000')
        ? text
        : undefined;
    }
    case 'timestamp': {
      const d = TIMESTAMP_RE.test(text) ? new Date(text) : null;
      return d && !Number.isNaN(d.getTime()) && d.toISOString() === text && !text.startsWith('0000') ? d : undefined;
    }
  }
}

function formatField(kind: CursorField, value: string | Date): string {
  return kind === 'timestamp' ? new Date(value).toISOString() : String(value);
}

/**
 * A codec for one list: `prefix` names the list and the cursor version (it includes its
 * separator, e.g. "v1|"), `fields` the sort key in order.
 */
export function cursorCodec<const F extends Readonly<Record<string, CursorField>>>(
  prefix: string,
  fields: F,
): CursorCodec<CursorKey<F>> {
  const names = Object.keys(fields) as (keyof F & string)[];
  const encode = (key: CursorKey<F>): string =>
    Buffer.from(prefix + names.map((n) => formatField(fields[n], key[n] as string | Date)).join('|'), 'utf8').toString(
      'base64url',
    );
  return {
    encode,
    decode(cursor: string, argument = 'after'): CursorKey<F> {
      const refuse = () => new BadUserInputError(`${argument}: not a cursor returned by this API`, argument);
      if (cursor.length > MAX_CURSOR_LENGTH) throw refuse();
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!text.startsWith(prefix)) throw refuse();
      const parts = text.slice(prefix.length).split('|');
      if (parts.length !== names.length) throw refuse();
      const key: Record<string, string | Date> = {};
      for (const [i, n] of names.entries()) {
        const v = parseField(fields[n], parts[i]);
        if (v === undefined) throw refuse();
        key[n] = v;
      }
      // Only the exact text this codec writes: no padding, stray characters or other spellings.
      if (encode(key as CursorKey<F>) !== cursor) throw refuse();
      return key as CursorKey<F>;
    },
  };
}
