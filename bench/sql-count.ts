/**
 * Bench-only instrumentation: counts what this process sends to PostgreSQL, by wrapping
 * `pg.Client.prototype.query` (every pool of the process: TypeORM's, the audit writer's, PostGraphile's
 * own pg is another copy and is not counted). One call is one round trip; a call whose text holds
 * several statements (the simple-protocol batches of src/db/tenant.ts) counts each. Nothing in src/
 * is changed; `install()` is called by the HTTP bench only.
 */
import pg from 'pg';

export interface SqlCounts {
  roundTrips: number;
  statements: number;
  /** Round trips by the first words of their text (whitespace folded), most frequent first. */
  kinds: Map<string, number>;
}

let installed = false;
let counts: SqlCounts = { roundTrips: 0, statements: 0, kinds: new Map() };

function statementsIn(text: string): number {
  // Our multi-statement texts join statements with ';' + whitespace; a trailing ';' adds none.
  return text.split(/;\s*(?=\S)/).length;
}

export function installSqlCounter(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text =
      typeof q === 'string'
        ? q
        : typeof (q as { text?: unknown })?.text === 'string'
          ? (q as { text: string }).text
          : '';
    counts.roundTrips += 1;
    counts.statements += text ? statementsIn(text) : 1;
    const kind = text.replace(/\s+/g, ' ').trim().slice(0, 60) || '(non-text query)';
    counts.kinds.set(kind, (counts.kinds.get(kind) ?? 0) + 1);
    return original.apply(this, args);
  };
}

/** The counts since the last reset, and a fresh start. */
export function takeSqlCounts(): SqlCounts {
  const c = counts;
  counts = { roundTrips: 0, statements: 0, kinds: new Map() };
  return c;
}
