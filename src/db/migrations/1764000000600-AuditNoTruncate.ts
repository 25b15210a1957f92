import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TRUNCATE skips row triggers, so the append-only triggers of 1764000000200 did not stop the
 * owner from emptying the audit tables in one statement (checkpoints would only detect it
 * afterwards). A statement trigger refuses it too; removing audit data now takes a deliberate
 * `ALTER TABLE … DISABLE TRIGGER`, which only the owner can do.
 */
export class AuditNoTruncate1764000000600 implements MigrationInterface {
  name = 'AuditNoTruncate1764000000600';

  async up(q: QueryRunner): Promise<void> {
    for (const t of ['audit_records', 'audit_checkpoints']) {
      await q.query(`
        CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_records', 'audit_checkpoints'])
      await q.query(`DROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t}`);
  }
}
