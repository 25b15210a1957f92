import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipts and proofs of the audit transparency log (src/audit/tree-store.ts, src/audit/proofs.ts).
 *
 *  - audit_tree_nodes: the hash of every complete subtree of the RFC 6962 tree over the audit records
 *    (`level` h: subtrees of 2^h leaves; `idx`: their position at that level, left to right), written
 *    by the checkpointer as it extends the tree it verified, before it signs a checkpoint covering
 *    them. An inclusion or consistency proof is then a fold of O(log n) rows. The rows are derived
 *    data (a wrong one makes proofs fail at the client, never verify): the request role reads and
 *    inserts them; UPDATE and DELETE are refused (audit_append_only).
 *  - complaints.receipt_seq / receipt_leaf_hash: the receipt a complaint cites, checked on filing
 *    (the record exists, is the filer's, and its leaf hash is the one cited).
 */
export class AuditReceipts1764000001100 implements MigrationInterface {
  name = 'AuditReceipts1764000001100';

  constructor(private readonly role: string) {}

  async up(q: QueryRunner): Promise<void> {
    const role = this.role;
    await q.query(`
      CREATE TABLE audit_tree_nodes (
        level smallint NOT NULL CHECK (level >= 0 AND level < 64),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
      FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
    await q.query(`REVOKE ALL ON audit_tree_nodes FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_tree_nodes TO ${role}`);
    await q.query(`ALTER TABLE complaints ADD COLUMN receipt_seq bigint, ADD COLUMN receipt_leaf_hash bytea`);
    await q.query(`
      ALTER TABLE complaints ADD CONSTRAINT complaints_receipt_check
      CHECK ((receipt_seq IS NULL) = (receipt_leaf_hash IS NULL) AND (receipt_seq IS NULL OR participant_id IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE complaints DROP CONSTRAINT complaints_receipt_check`);
    await q.query(`ALTER TABLE complaints DROP COLUMN receipt_seq, DROP COLUMN receipt_leaf_hash`);
    await q.query(`DROP TABLE IF EXISTS audit_tree_nodes`);
  }
}
