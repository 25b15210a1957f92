/**
 * Opens the database the one way every entry point uses: DATABASE_URL when set, else the
 * embedded PostgreSQL (started if it is not running). Runs migrations and syncs reference data.
 */
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { defaultDataRoot, startEmbeddedPostgres, type EmbeddedServer } from './embedded';
import { entities } from './entities';
import { migrations } from './migrations';
import { pgDriverFor, registerPoolSlot, type PoolSlot } from './pool';
import { syncReferenceData } from './reference/sync';
import { SqlLogger } from './sql-log';

export interface Database {
  readonly ds: DataSource;
  readonly url: string;
  /** Set when the embedded server is used. */
  readonly embedded?: EmbeddedServer;
  close(): Promise<void>;
}

export interface OpenOptions {
  log?: (msg: string) => void;
  /** Run pending migrations (default true). */
  migrate?: boolean;
}

/**
 * A DataSource over `url` with the entities and migrations. Its pg pool is built through the
 * driver of src/db/pool.ts, so the pool is known here (poolOf) without reading TypeORM's internals.
 */
export function dataSourceFor(url: string, config: AppConfig, logger = new SqlLogger()): DataSource {
  const slot: PoolSlot = {};
  const ds = new DataSource({
    type: 'postgres',
    driver: pgDriverFor(slot),
    url,
    entities,
    migrations: migrations(config.db.appRole),
    synchronize: false,
    migrationsRun: false,
    logging: true,
    logger,
    maxQueryExecutionTime: 1000,
    extra: {
      max: config.db.poolMax,
      application_name: 'customs-stats',
      connectionTimeoutMillis: config.db.connectTimeoutMs,
    },
  });
  registerPoolSlot(ds, slot);
  return ds;
}

export async function openDatabase(config: AppConfig, opts: OpenOptions = {}): Promise<Database> {
  const log = opts.log ?? (() => undefined);
  let embedded: EmbeddedServer | undefined;
  let url = config.db.url;
  if (url === undefined) {
    embedded = await startEmbeddedPostgres({
      dataRoot: config.db.embedded.dataRoot ?? defaultDataRoot(config.rootDir),
      port: config.db.embedded.port,
      database: 'customs',
      log,
    });
    url = embedded.url;
  }
  const ds = dataSourceFor(url, config);
  try {
    await ds.initialize();
    if (opts.migrate !== false) {
      const ran = await ds.runMigrations({ transaction: 'each' });
      for (const m of ran) log(`migration applied: ${m.name}`);
      await syncReferenceData(ds);
    }
  } catch (e) {
    if (ds.isInitialized) await ds.destroy();
    await embedded?.stop();
    throw e;
  }
  return {
    ds,
    url,
    embedded,
    async close() {
      if (ds.isInitialized) await ds.destroy();
      await embedded?.stop();
    },
  };
}
