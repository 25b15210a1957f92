/**
 * Request-scoped database access under row-level security: the one place that switches to the
 * request role and sets the tenant.
 *
 * Every query a request makes runs in a transaction that first switches to the request role
 * (owns nothing, no BYPASSRLS) and binds, for that transaction only, who is asking (a DbScope):
 * `app.scope` ('trader', 'officer', 'anonymous' or 'auditor') and `app.participant_id` (a trader's
 * participant, else ''). The RLS policies of every table the request role reads compare rows to
 * those settings (migration 1764000001200), so a query that forgot its participant filter still
 * returns nothing of another participant, and a transaction that bound no scope sees nothing.
 *
 * Three doors, one set-up (requestPrelude):
 *  - run(): a TypeORM query runner in that transaction, for hand-written SQL (`query`, typed rows)
 *    and for repositories of the entities (`repo`);
 *  - send(): one statement in a transaction of its own, in ONE round trip (prelude, the statement
 *    with its parameters inlined as literals, COMMIT): the hot paths' single reads and writes;
 *  - withConnection(): a pooled pg connection for statements sent together in one round trip
 *    (`batch`, typed results by name), for the audit's group commit.
 */
import { escapeLiteral, type Pool, type PoolClient, type QueryResultRow } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { DataSource, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { Role } from './entities/session.entity';
import { poolOf, withPooledClient } from './pool';
import { SqlLogger } from './sql-log';

export interface Sql {
  /** Rows of any statement (RETURNING rows for INSERT/UPDATE/DELETE); `T` is the row type the SQL promises. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The repository methods that stay inside the request transaction. save(), remove() and their
 * kin are left out on purpose: they open (and commit) a transaction of their own, which would end
 * the request transaction and with it the role switch and the tenant setting.
 */
export type RequestRepository<E extends ObjectLiteral> = Pick<
  Repository<E>,
  | 'find'
  | 'findBy'
  | 'findOne'
  | 'findOneBy'
  | 'exists'
  | 'existsBy'
  | 'count'
  | 'countBy'
  | 'insert'
  | 'update'
  | 'delete'
  | 'create'
  | 'createQueryBuilder'
  | 'metadata'
>;

/** One request transaction: hand-written SQL and entity repositories, both as the request role. */
export interface RequestTx extends Sql {
  /** The repository of an entity (src/db/entities), on this transaction's connection. */
  repo<E extends ObjectLiteral>(entity: EntityTarget<E>): RequestRepository<E>;
}

/**
 * Who a request transaction runs for; the RLS policies read it (migration 1764000001200).
 *  - trader: a trader's session; only that participant's rows.
 *  - officer: an officer's session (or the create-officer command); what officer features need.
 *  - anonymous: no session (logins, challenges, anonymous complaints): counters and rate limits,
 *    rows the transaction itself wrote; credentials only through the SECURITY DEFINER functions.
 *  - auditor: the audit writer and checkpointer: the whole audit log, and appending to it.
 * Made with scopeOf (from a session's viewer or a login's principal), traderScope, ANONYMOUS or AUDITOR.
 */
export type DbScope =
  | { readonly kind: 'trader'; readonly participantId: string }
  | { readonly kind: 'officer' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'auditor' };

export const ANONYMOUS: DbScope = Object.freeze({ kind: 'anonymous' });
export const AUDITOR: DbScope = Object.freeze({ kind: 'auditor' });

/** A trader's participant (from the session, never from arguments). */
export function traderScope(participantId: string): DbScope {
  return { kind: 'trader', participantId };
}

/** Who asks, as a session's viewer or a login's principal says it. */
export interface Asker {
  readonly role: Role;
  readonly participantId: string | null;
}

/**
 * The scope of whoever a session's viewer (or a login's principal) is: the officer scope only for
 * the role OFFICER, a trader's only with their participant; no one: ANONYMOUS.
 */
export function scopeOf(who: Asker | null): DbScope {
  if (who === null) return ANONYMOUS;
  if (who.role === 'OFFICER') return { kind: 'officer' };
  if (who.role === 'TRADER' && who.participantId !== null) return traderScope(who.participantId);
  throw new Error('a trader without a participant has no database scope');
}

/** A participant id as the tenant setting takes it: decimal digits. */
function tenantValue(scope: DbScope): string {
  if (scope.kind !== 'trader') return '';
  if (!/^[0-9]{1,19}$/.test(scope.participantId)) throw new Error('participant id must be a decimal bigint');
  return scope.participantId;
}

const SCOPE_KINDS: readonly DbScope['kind'][] = ['trader', 'officer', 'anonymous', 'auditor'];

/**
 * The statements that open a request transaction: begin, drop privileges, the statement timeout
 * when one is set, and bind the scope (inlined: a fixed kind and validated digits only). Sent in
 * one round trip.
 */
export function requestPrelude(role: string, scope: DbScope, statementTimeoutMs = 0): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`not a role name: ${role}`);
  if (!SCOPE_KINDS.includes(scope.kind)) throw new Error('not a database scope');
  return [
    'BEGIN',
    `SET LOCAL ROLE ${role}`,
    ...(statementTimeoutMs > 0 ? [`SET LOCAL statement_timeout = ${Math.floor(statementTimeoutMs)}`] : []),
    `SELECT set_config('app.scope', '${scope.kind}', true), set_config('app.participant_id', '${tenantValue(scope)}', true)`,
  ];
}

/** A statement whose rows have type `R` (the SQL's promise); built with statement(). */
export interface Statement<R extends QueryResultRow> {
  readonly text: string;
  /** Type only: never set. */
  readonly rowType?: R;
}

/** A statement for RequestConnection.batch(): no parameters there, so values are inlined literals. */
export function statement<R extends QueryResultRow = Record<string, never>>(text: string): Statement<R> {
  return { text };
}

/** What one statement of a batch returned. */
export interface StatementResult<R> {
  rows: R[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

export type BatchResults<S extends Record<string, Statement<QueryResultRow>>> = {
  [K in keyof S]: StatementResult<S[K] extends Statement<infer R> ? R : never>;
};

/** A pooled connection for request-role transactions sent as batches (RequestDb.withConnection). */
export class RequestConnection {
  /** True between a batch() that left its transaction open and commit(). */
  private open = false;

  constructor(
    private readonly client: PoolClient,
    private readonly role: string,
  ) {}

  /**
   * One round trip: BEGIN, the request role, the scope, then `statements` in their order, then
   * COMMIT when `commit` (else the transaction stays open for query() and commit()). Returns each
   * statement's result under its name.
   */
  async batch<S extends Record<string, Statement<QueryResultRow>>>(
    scope: DbScope,
    statements: S,
    opts: { commit: boolean },
  ): Promise<BatchResults<S>> {
    const prelude = requestPrelude(this.role, scope);
    const names = Object.keys(statements) as (keyof S & string)[];
    const text = [...prelude, ...names.map((n) => statements[n].text), ...(opts.commit ? ['COMMIT'] : [])].join(';\n');
    // Several statements without parameters: the simple protocol returns one result per statement.
    this.open = !opts.commit;
    const raw: unknown = await this.client.query(text);
    const results = raw as { rows: QueryResultRow[]; rowCount: number | null }[];
    const out = {} as Record<string, StatementResult<QueryResultRow>>;
    names.forEach((n, i) => {
      const r = results[prelude.length + i];
      out[n] = { rows: r.rows, rowCount: r.rowCount ?? 0 };
    });
    return out as BatchResults<S>;
  }

  /** A statement (with parameters) in the transaction batch() left open. */
  async query<R extends QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<StatementResult<R>> {
    const r = await this.client.query<R>(text, params);
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
    this.open = false;
  }

  /** Whether a transaction batch() opened is still waiting for commit(). */
  get inTransaction(): boolean {
    return this.open;
  }
}

/**
 * `text` with its `$n` parameters replaced by SQL literals, for the simple query protocol (which
 * has no parameters). A literal is what pg itself would have sent as the parameter's text (its
 * prepareValue: dates, arrays, JSON…), quoted by pg's escapeLiteral; a Buffer becomes a `'\x…'`
 * hex literal. Like a parameter pg sends, the literal has no type until its context gives one, so
 * the statement means the same. `$n` inside quoted strings, quoted identifiers and comments is left
 * alone; dollar-quoted bodies are refused (no statement of ours has one).
 */
export function inlineParams(text: string, params: readonly unknown[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = closing(text, i, c);
      out += text.slice(i, end);
      i = end;
    } else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      out += text.slice(i, end);
      i = end;
    } else if (c === '$') {
      const m = /^\$(\d+)/.exec(text.slice(i, i + 12));
      if (!m) throw new Error('inlineParams: dollar quoting is not supported');
      const n = Number(m[1]);
      if (n < 1 || n > params.length) throw new Error(`inlineParams: no value for $${n}`);
      out += literalOf(params[n - 1]);
      i += m[0].length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The index just past the quote closing the one at `start` (a doubled quote is an escaped one). */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const j = text.indexOf(quote, i);
    if (j < 0) throw new Error('inlineParams: unterminated quote');
    if (text[j + 1] !== quote) return j + 1;
    i = j + 2;
  }
}

function literalOf(value: unknown): string {
  const v: unknown = prepareValue(value);
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'`;
  return escapeLiteral(String(v));
}

export class RequestDb {
  /** `statementTimeoutMs`: each statement of a request transaction is cancelled after this long (0: never). */
  constructor(
    readonly ds: DataSource,
    private readonly appRole: string,
    private readonly statementTimeoutMs = 0,
  ) {}

  /**
   * Runs `fn` in one transaction as the request role, for `scope`: who is asking, from the session
   * (scopeOf(viewer)), never from arguments.
   */
  run<T>(scope: DbScope, fn: (tx: RequestTx) => Promise<T>): Promise<T> {
    return this.admitted(() => this.runTransaction(scope, fn));
  }

  /**
   * One statement in a request transaction of its own, for `scope`, in one round trip: the prelude,
   * `text` with `params` inlined (inlineParams), COMMIT. Its rows. On an error nothing of it stays
   * (the transaction is rolled back before the connection goes back to the pool).
   */
  send<R = Record<string, unknown>>(scope: DbScope, text: string, params: readonly unknown[] = []): Promise<R[]> {
    const prelude = requestPrelude(this.appRole, scope, this.statementTimeoutMs);
    const sql = [...prelude, inlineParams(text, params), 'COMMIT'].join(';\n');
    return this.admitted(() =>
      withPooledClient(this.pool(), async (client) => {
        SqlLogger.statements += 1;
        const raw: unknown = await client.query(sql);
        return (raw as { rows: R[] }[])[prelude.length].rows;
      }),
    );
  }

  /**
   * A `Sql` whose every query is one send(): a transaction of its own in one round trip. For services
   * that run exactly one statement (tradeStatistics, the declarations list, the loaders' look-ups);
   * two queries through it are two transactions.
   */
  sending(scope: DbScope): Sql {
    return { query: (text, params) => this.send(scope, text, params ?? []) };
  }

  /** The pool send() and withConnection() take connections from. */
  protected pool(): Pool {
    return poolOf(this.ds);
  }

  /** Wraps every transaction of run() and send(): the operation gate queues them (src/limits/operation-gate.ts). */
  protected admitted<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** run() without admitted(): the transaction on a TypeORM query runner. */
  protected async runTransaction<T>(scope: DbScope, fn: (tx: RequestTx) => Promise<T>): Promise<T> {
    const prelude = requestPrelude(this.appRole, scope, this.statementTimeoutMs).join('; ');
    const qr: QueryRunner = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.query(prelude);
      const tx: RequestTx = {
        // Structured results: TypeORM's plain query() returns [rows, count] for UPDATE/DELETE, rows otherwise.
        query: async (text, params) => (await qr.query(text, params, true)).records,
        repo: (entity) => qr.manager.getRepository(entity),
      };
      const result = await fn(tx);
      await qr.query('COMMIT');
      return result;
    } catch (e) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  /**
   * A pooled connection of the same pool for request-role transactions sent as batches (one round
   * trip each). On failure an open transaction is rolled back; a connection that cannot roll back
   * is discarded.
   */
  withConnection<T>(fn: (conn: RequestConnection) => Promise<T>): Promise<T> {
    return withPooledClient(this.pool(), async (client) => {
      const conn = new RequestConnection(client, this.appRole);
      const out = await fn(conn);
      // A transaction left open would go back to the pool with the request role still set.
      if (conn.inTransaction)
        throw new Error('RequestDb.withConnection: the transaction was neither committed nor failed');
      return out;
    });
  }
}
