/**
 * Round trips to PostgreSQL counted in this process: every pg Client query() call is one (a
 * multi-statement text of RequestDb.send included), whichever pool or DataSource made it.
 */
import pg from 'pg';

/** What `fn` returned, and the round trips made meanwhile with the text and parameters of each. */
export async function roundTrips<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; trips: number; texts: string[]; params: unknown[][] }> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  const texts: string[] = [];
  const params: unknown[][] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    texts.push(typeof q === 'string' ? q : String((q as { text?: unknown } | undefined)?.text ?? ''));
    const values = Array.isArray(args[1]) ? args[1] : (q as { values?: unknown } | undefined)?.values;
    params.push(Array.isArray(values) ? (values as unknown[]) : []);
    return original.apply(this, args);
  };
  try {
    const value = await fn();
    return { value, trips: texts.length, texts, params };
  } finally {
    proto.query = original;
  }
}
