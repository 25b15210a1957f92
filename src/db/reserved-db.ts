/**
 * RequestDb over the reserved pool (src/db/pool.ts, reservedPoolOf): the same request role, tenant
 * setting and statement timeout (requestPrelude), on connections no trader's queries can take. The
 * session look-ups and the audit writer use it, so a trader holding every connection of the main
 * pool cannot starve them. Hand-written SQL only: it has no TypeORM query runner, so `repo()` is
 * refused (the services on it use `query`).
 */
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { withPooledClient } from './pool';
import { RequestDb, requestPrelude, type DbScope, type RequestTx } from './tenant';

export class ReservedRequestDb extends RequestDb {
  constructor(
    ds: DataSource,
    /** The reserved pool, looked up on first use (reservedPoolOf). */
    private readonly reservedPool: () => Pool,
    private readonly role: string,
    private readonly timeoutMs = 0,
  ) {
    super(ds, role, timeoutMs);
  }

  protected override pool(): Pool {
    return this.reservedPool();
  }

  protected override runTransaction<T>(scope: DbScope, fn: (tx: RequestTx) => Promise<T>): Promise<T> {
    const prelude = requestPrelude(this.role, scope, this.timeoutMs).join('; ');
    return withPooledClient(this.pool(), async (client) => {
      await client.query(prelude);
      const tx: RequestTx = {
        query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
        repo: () => {
          throw new Error('ReservedRequestDb: repositories need the main pool (RequestDb)');
        },
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    });
  }
}
