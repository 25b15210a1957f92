/**
 * The importer's one way to its PostgreSQL connection. COPY FROM STDIN (pg-copy-streams) needs
 * a plain pg client, which TypeORM does not hand out: today it is the connection behind a query
 * runner, cast to PoolClient. When the database module offers such a connection publicly, this
 * function is the only place to change.
 */
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

export interface ImportConnection {
  client: PoolClient;
  /** Gives the connection back to the pool. */
  release(): Promise<void>;
}

export async function connectImportClient(ds: DataSource): Promise<ImportConnection> {
  const qr = ds.createQueryRunner();
  const client = (await qr.connect()) as PoolClient;
  return { client, release: () => qr.release() };
}
