/**
 * The connection pool of a DataSource, created by this module rather than found inside TypeORM.
 *
 * TypeORM loads the pg library from its public `driver` option; dataSourceFor() hands it the pg
 * module with a Pool class of ours that reports the pool it creates. So TypeORM (query runners,
 * repositories, migrations) and the SQL that needs pg itself (the audit's one-round-trip batches,
 * COPY in the importer) share one pool, and its counters feed the metrics, without anyone reading
 * a library's private fields.
 */
import pg, { type Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** Where the pool of a DataSource this module creates is recorded once TypeORM has built it. */
export interface PoolSlot {
  pool?: Pool;
  /** The settings TypeORM built `pool` with (the reserved pool copies them). */
  config?: pg.PoolConfig;
  /** The small reserved pool beside `pool` (reservedPoolOf), ended with it. */
  reserved?: Pool;
}

const slots = new WeakMap<DataSource, PoolSlot>();

/**
 * The pg module for TypeORM's `driver` option: pg itself (types, defaults…) with a Pool class that
 * puts the first pool built into `slot`. A DataSource built from a copy of the same options shares
 * the driver object but not the slot's pool: its own pool is not recorded.
 */
export function pgDriverFor(slot: PoolSlot): typeof pg {
  class ReportedPool extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      if (slot.pool) return;
      slot.pool = this;
      slot.config = config;
      // TypeORM ends its pool with a callback (driver disconnect): the reserved pool ends first.
      const end = this.end.bind(this) as (cb: (err?: Error) => void) => void;
      this.end = ((cb?: (err?: Error) => void) => {
        const done = new Promise<void>((resolve, reject) => {
          const reserved = slot.reserved;
          slot.reserved = undefined;
          void (reserved ? reserved.end() : Promise.resolve())
            .catch(() => undefined)
            .then(() => end((err) => (err ? reject(err) : resolve())));
        });
        if (!cb) return done;
        done.then(() => cb(), cb);
        return undefined;
      }) as pg.Pool['end'];
    }
  }
  return Object.create(pg, { Pool: { value: ReportedPool, enumerable: true } }) as typeof pg;
}

/** Links a DataSource to the slot its driver fills (dataSourceFor). */
export function registerPoolSlot(ds: DataSource, slot: PoolSlot): void {
  slots.set(ds, slot);
}

/** The pool of `ds` when this module created it and it is initialised; undefined otherwise. */
export function findPool(ds: DataSource): Pool | undefined {
  return ds.isInitialized ? slots.get(ds)?.pool : undefined;
}

/** The pool of `ds`; throws when `ds` was not built by dataSourceFor or is not initialised. */
export function poolOf(ds: DataSource): Pool {
  const pool = findPool(ds);
  if (!pool) {
    throw new Error(
      ds.isInitialized
        ? 'this DataSource was not built by db/database (dataSourceFor): its pool is unknown'
        : 'the database is not open (DataSource not initialised)',
    );
  }
  return pool;
}

/**
 * The reserved pool of `ds`: `max` connections of their own, as the connection user, for what no
 * trader may starve (session look-ups, the audit writer, the rate budget and request slots,
 * src/limits). Built on first use with the settings of the main pool; ended when `ds` is destroyed.
 */
export function reservedPoolOf(ds: DataSource, max: number): Pool {
  poolOf(ds);
  const slot = slots.get(ds)!;
  if (!slot.reserved) {
    slot.reserved = new pg.Pool({ ...slot.config, max, application_name: 'customs-stats-reserved' });
    // An idle connection the server dropped: pg drops it from the pool; the next checkout reports the outage.
    slot.reserved.on('error', () => undefined);
  }
  return slot.reserved;
}

/** Connections of a pool, for the metrics. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export function poolStats(ds: DataSource): PoolStats | undefined {
  const p = findPool(ds);
  return p && { total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount, max: p.options.max };
}

/**
 * A pooled connection for `fn`. When `fn` throws, an open transaction is rolled back; a connection
 * that cannot even roll back is discarded rather than reused.
 */
export async function withPooledClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (e) {
    await client.query('ROLLBACK').catch((re: Error) => {
      broken = re;
    });
    throw e;
  } finally {
    client.release(broken);
  }
}

/**
 * A pooled connection as the connection user (the schema owner, not the request role, no tenant
 * setting): for the importer, which runs its own BEGIN … COMMIT (COPY, advisory lock, ANALYZE
 * after the commit). On failure the transaction is rolled back (see withPooledClient).
 */
export function withOwnerClient<T>(ds: DataSource, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withPooledClient(poolOf(ds), fn);
}

/** `fn` in one transaction as the connection user: BEGIN, `fn`, COMMIT (ROLLBACK when it throws). */
export function ownerTransaction<T>(ds: DataSource, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withOwnerClient(ds, async (client) => {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  });
}
