/**
 * Request-scoped database access under row-level security: the one place that switches to the
 * request role and sets the tenant.
 *
 * Every query a request makes runs in a transaction that first switches to the request role
 * (owns nothing, no BYPASSRLS) and sets `app.participant_id` for that transaction only. The
 * RLS policies on tenant tables compare rows to that setting, so a query that forgot its
 * participant filter still returns nothing of another participant.
 *
 * Two doors, one set-up (requestPrelude):
 *  - run(): a TypeORM query runner in that transaction, for hand-written SQL (`query`, typed rows)
 *    and for repositories of the entities (`repo`);
 *  - withConnection(): a pooled pg connection for statements sent together in one round trip
 *    (`batch`, typed results by name), for the audit's group commit.
 */
import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import { poolOf, withPooledClient } from './pool';

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

/** A participant id as the tenant setting takes it: decimal digits, or '' for none. */
function tenantValue(participantId: string | null): string {
  if (participantId === null) return '';
  if (!/^[0-9]{1,19}$/.test(participantId)) throw new Error('participant id must be a decimal bigint');
  return participantId;
}

/**
 * The statements that open a request transaction: begin, drop privileges, bind the tenant (inlined:
 * validated digits only), and the statement timeout when one is set. Sent in one round trip.
 */
export function requestPrelude(role: string, participantId: string | null, statementTimeoutMs = 0): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`not a role name: ${role}`);
  return [
    'BEGIN',
    `SET LOCAL ROLE ${role}`,
    ...(statementTimeoutMs > 0 ? [`SET LOCAL statement_timeout = ${Math.floor(statementTimeoutMs)}`] : []),
    `SELECT set_config('app.participant_id', '${tenantValue(participantId)}', true)`,
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
   * One round trip: BEGIN, the request role, the tenant, then `statements` in their order, then
   * COMMIT when `commit` (else the transaction stays open for query() and commit()). Returns each
   * statement's result under its name.
   */
  async batch<S extends Record<string, Statement<QueryResultRow>>>(
    participantId: string | null,
    statements: S,
    opts: { commit: boolean },
  ): Promise<BatchResults<S>> {
    const prelude = requestPrelude(this.role, participantId);
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

export class RequestDb {
  /** `statementTimeoutMs`: each statement of a request transaction is cancelled after this long (0: never). */
  constructor(
    readonly ds: DataSource,
    private readonly appRole: string,
    private readonly statementTimeoutMs = 0,
  ) {}

  /**
   * Runs `fn` in one transaction as the request role. `participantId` is the viewer's
   * participant (from the session, never from arguments), or null for non-tenant work.
   */
  async run<T>(participantId: string | null, fn: (tx: RequestTx) => Promise<T>): Promise<T> {
    const prelude = requestPrelude(this.appRole, participantId, this.statementTimeoutMs).join('; ');
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
    return withPooledClient(poolOf(this.ds), async (client) => {
      const conn = new RequestConnection(client, this.appRole);
      const out = await fn(conn);
      // A transaction left open would go back to the pool with the request role still set.
      if (conn.inTransaction)
        throw new Error('RequestDb.withConnection: the transaction was neither committed nor failed');
      return out;
    });
  }
}
