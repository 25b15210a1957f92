/** pg's own conversion of a parameter to the text it sends (pg/lib/utils.js, untyped by @types/pg). */
declare module 'pg/lib/utils' {
  /** null/undefined stay; Buffers stay; dates, arrays, objects (JSON) and the rest become text. */
  export function prepareValue(value: unknown): string | Buffer | null | undefined;
}
