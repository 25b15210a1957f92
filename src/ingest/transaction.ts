/**
 * The import's transaction: one per file, serialised with every other import by a
 * transaction-scoped advisory lock; after the commit, an ANALYZE for a large load.
 */
import type { PoolClient } from 'pg';
import type { Timings } from './timings';

/** pg_advisory_xact_lock key shared by every import ("CUSIMP"). */
export const IMPORT_LOCK_KEY = '74181863705936';

/** BEGIN, then wait for any other import to finish. */
export async function beginImport(client: PoolClient): Promise<void> {
  // Staging batches fit in memory with a larger temp_buffers; it can only be set before the
  // session first uses a temporary table (a reused pooled connection keeps its setting).
  await client.query(`SET temp_buffers = '128MB'`).catch(() => undefined);
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
  await client.query(`SET LOCAL work_mem = '256MB'`);
}

export async function commitImport(client: PoolClient, timings: Timings): Promise<void> {
  await timings.time('commit', () => client.query('COMMIT'));
}

/** Rolls back; a failure here (a broken connection) changes nothing: PostgreSQL rolls back anyway. */
export async function rollbackImport(client: PoolClient): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
}

/**
 * Analyses the tables after a large load, so the planner does not keep planning for the empty
 * tables until autovacuum runs. Only a planner hint, after the commit: failing here must not
 * report a committed import as failed.
 */
export async function analyzeAfterLoad(client: PoolClient, timings: Timings): Promise<void> {
  await timings.time('analyze', () =>
    client.query('ANALYZE declarations, declaration_items, trade_rollups').catch(() => undefined),
  );
}
