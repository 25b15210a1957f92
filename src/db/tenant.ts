/**
 * Request-scoped database access under row-level security.
 *
 * Every query a request makes runs in a transaction that first switches to the request role
 * (owns nothing, no BYPASSRLS) and sets `app.participant_id` for that transaction only. The
 * RLS policies on tenant tables compare rows to that setting, so a query that forgot its
 * participant filter still returns nothing of another participant.
 */
import type { DataSource, QueryRunner } from 'typeorm';

export interface Sql {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export class RequestDb {
  /** `statementTimeoutMs`: each statement of a request transaction is cancelled after this long (0: never). */
  constructor(
    private readonly ds: DataSource,
    private readonly appRole: string,
    private readonly statementTimeoutMs = 0,
  ) {}

  /**
   * Runs `fn` in one transaction as the request role. `participantId` is the viewer's
   * participant (from the session, never from arguments), or null for non-tenant work.
   */
  async run<T>(participantId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (participantId !== null && !/^[0-9]{1,19}$/.test(participantId)) {
      throw new Error('participant id must be a decimal bigint');
    }
    const qr: QueryRunner = this.ds.createQueryRunner();
    await qr.connect();
    try {
      // One round trip: begin, drop privileges, bind the tenant (inlined: validated digits only).
      const timeout =
        this.statementTimeoutMs > 0 ? ` SET LOCAL statement_timeout = ${Math.floor(this.statementTimeoutMs)};` : '';
      await qr.query(
        `BEGIN; SET LOCAL ROLE ${this.appRole};${timeout} SELECT set_config('app.participant_id', '${participantId ?? ''}', true)`,
      );
      // Structured results: TypeORM's plain query() returns [rows, count] for UPDATE/DELETE, rows otherwise.
      const sql: Sql = { query: async (text, params) => (await qr.query(text, params, true)).records };
      const result = await fn(sql);
      await qr.query('COMMIT');
      return result;
    } catch (e) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }
}
