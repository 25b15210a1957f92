/**
 * The test database: a throw-away embedded PostgreSQL (or, with DATABASE_URL, a fresh database
 * created on that server and dropped afterwards). Migrations run once; tests never mock it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';

process.env.NODE_ENV = 'test';

export interface TestDb {
  config: AppConfig;
  db: Database;
  ds: DataSource;
  /** Superuser/owner connection URL of the test database. */
  url: string;
}

let current: TestDb | undefined;
let cleanup: (() => Promise<void>) | undefined;

export async function setupTestDb(): Promise<TestDb> {
  if (current) return current;
  let url: string;
  let embedded: EmbeddedServer | undefined;
  const external = process.env.DATABASE_URL;
  const dbName = `customs_test_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  if (external) {
    const admin = new Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(external);
    u.pathname = `/${dbName}`;
    url = u.toString();
  } else {
    embedded = await startEmbeddedPostgres({
      dataRoot: path.join(os.tmpdir(), `customs-test-pg-${process.pid}-${crypto.randomBytes(3).toString('hex')}`),
      port: 0,
      database: dbName,
      ephemeral: true,
    });
    url = embedded.url;
  }
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: url });
  const db = await openDatabase(config);
  current = { config, db, ds: db.ds, url };
  cleanup = async () => {
    await db.close();
    if (embedded) await embedded.stop();
    if (external) {
      const admin = new Client({ connectionString: external });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  };
  return current;
}

export function testDb(): TestDb {
  if (!current) throw new Error('test database not set up (test/support/hooks.ts)');
  return current;
}

export async function teardownTestDb(): Promise<void> {
  await cleanup?.();
  current = undefined;
  cleanup = undefined;
}

const resetHooks: (() => void)[] = [];

/**
 * `fn` runs after every resetData: what a long-lived test server caches of the data (the list maxima of
 * the cost estimate) must not outlive the data it was read from.
 */
export function onResetData(fn: () => void): void {
  resetHooks.push(fn);
}

/** Empties the tenant and session tables (reference data stays). */
export async function resetData(): Promise<void> {
  const { ds } = testDb();
  const tables: { tablename: string }[] = await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
       AND tablename NOT IN ('migrations', 'typeorm_metadata', 'countries', 'hs_chapters', 'hs_headings', 'customs_posts',
                             'customs_procedures', 'transport_modes', 'hs_sections', 'hs_subheadings')`,
  );
  if (tables.length === 0) return;
  // The audit tables refuse TRUNCATE (migration 1764000000600); the owner lifts that deliberately.
  const audit = ['audit_records', 'audit_checkpoints', 'audit_chain_head'].filter((t) =>
    tables.some((x) => x.tablename === t),
  );
  await ds.transaction(async (m) => {
    for (const t of audit) await m.query(`ALTER TABLE ${t} DISABLE TRIGGER ${t}_no_truncate`);
    await m.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
    for (const t of audit) await m.query(`ALTER TABLE ${t} ENABLE TRIGGER ${t}_no_truncate`);
  });
  for (const fn of resetHooks) fn();
}

/** Mocha hook: before the tests of the enclosing describe, the data reset, then `fn` (their own set-up). */
export function beforeFreshData(fn: () => Promise<void> = async () => {}): void {
  before(async () => {
    await resetData();
    await fn();
  });
}
