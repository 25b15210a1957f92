import fs from 'node:fs';
import path from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A migration class TypeORM can instantiate (it calls `new` without arguments). */
export type MigrationClass = new () => MigrationInterface;

/**
 * Every migration in order: `<timestamp>-<Name>.sql` files in this folder. Add new ones at the end.
 *
 * Migrations are frozen plain SQL: a shipped file is never edited (test/db/access.spec.ts holds the
 * SHA-256 of each), so a migration keeps doing what it did the day it shipped. Each file has a
 * `-- migrate:up` and a `-- migrate:down` section (the dbmate convention); `{{app_role}}` stands
 * for the request role (DB_APP_ROLE), the only thing passed in. TypeORM records a migration by its
 * name, `<Name><timestamp>`, as the TypeScript classes that preceded these files were recorded,
 * so databases migrated before keep working.
 */
export const MIGRATION_FILES: readonly string[] = [
  '1764000000000-Initial',
  '1764000000100-PasswordAccess',
  '1764000000200-Audit',
  '1764000000300-Complaints',
  '1764000000400-SignatureLogin',
  '1764000000500-TradeRollups',
  '1764000000600-AuditNoTruncate',
  '1764000000700-GeneratedColumnMetadata',
  '1764000000800-AuditActorAndRefusals',
  '1764000000900-OfficerActionsAndBlocks',
  '1764000001000-AuditTransparencyLog',
  '1764000001100-AuditReceipts',
  '1764000001200-RowSecurityEverywhere',
  '1764000001300-RateLimits',
  '1764000001400-HsNomenclature',
  '1764000001500-ExportAudit',
  '1764000001600-RollupsForEveryTrader',
  '1764000001640-SessionRevokedNotify',
  '1764000001700-RateSlotCounters',
];

/** Where the files are: beside this module, or (compiled to dist/) in the source tree. */
function migrationDir(): string {
  const here = __dirname;
  if (fs.existsSync(path.join(here, `${MIGRATION_FILES[0]}.sql`))) return here;
  return path.resolve(here, '..', '..', '..', 'src', 'db', 'migrations');
}

/** The `up` and `down` SQL of one file, with the request role put in. */
export function migrationSql(file: string, appRole: string): { up: string; down: string } {
  if (!/^[a-z_][a-z0-9_]*$/.test(appRole)) throw new Error(`not a role name: ${appRole}`);
  const text = fs.readFileSync(path.join(migrationDir(), `${file}.sql`), 'utf8');
  const m = /^-- migrate:up\n([\s\S]*)^-- migrate:down\n([\s\S]*)$/m.exec(text);
  if (!m) throw new Error(`${file}.sql: needs a "-- migrate:up" line, then a "-- migrate:down" line`);
  const put = (sql: string): string => sql.replaceAll('{{app_role}}', appRole);
  return { up: put(m[1]), down: put(m[2]) };
}

/** The migration classes for TypeORM, bound to the request role `appRole`. */
export function migrations(appRole: string): MigrationClass[] {
  return MIGRATION_FILES.map((file) => {
    const [timestamp, name] = file.split('-');
    const sql = migrationSql(file, appRole);
    return class implements MigrationInterface {
      name = `${name}${timestamp}`;

      async up(q: QueryRunner): Promise<void> {
        await q.query(sql.up);
      }

      async down(q: QueryRunner): Promise<void> {
        await q.query(sql.down);
      }
    };
  });
}
