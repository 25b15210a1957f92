-- Receipts and proofs of the audit transparency log (src/audit/tree-store.ts, src/audit/proofs.ts).
--
--  - audit_tree_nodes: the hash of every complete subtree of the RFC 6962 tree over the audit records
--    (`level` h: subtrees of 2^h leaves; `idx`: their position at that level, left to right), written
--    by the checkpointer as it extends the tree it verified, before it signs a checkpoint covering
--    them. An inclusion or consistency proof is then a fold of O(log n) rows. The rows are derived
--    data (a wrong one makes proofs fail at the client, never verify): the request role reads them in
--    any scope and inserts them only as the auditor (the checkpointer; `app.scope`, made explicit by
--    1764000001200); UPDATE and DELETE are refused (audit_append_only).
--  - complaints.receipt_seq / receipt_leaf_hash: the receipt a complaint cites, checked on filing
--    (the record exists, is the filer's, and its leaf hash is the one cited).

-- migrate:up
CREATE TABLE audit_tree_nodes (
  level smallint NOT NULL CHECK (level >= 0 AND level < 64),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
FOR EACH ROW EXECUTE FUNCTION audit_append_only();

REVOKE ALL ON audit_tree_nodes FROM PUBLIC;

GRANT SELECT, INSERT ON audit_tree_nodes TO {{app_role}};

ALTER TABLE audit_tree_nodes ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_tree_nodes_read ON audit_tree_nodes FOR SELECT TO {{app_role}} USING (true);

CREATE POLICY audit_tree_nodes_append ON audit_tree_nodes FOR INSERT TO {{app_role}}
WITH CHECK (current_setting('app.scope', true) = 'auditor');

ALTER TABLE complaints ADD COLUMN receipt_seq bigint, ADD COLUMN receipt_leaf_hash bytea;

ALTER TABLE complaints ADD CONSTRAINT complaints_receipt_check
  CHECK ((receipt_seq IS NULL) = (receipt_leaf_hash IS NULL) AND (receipt_seq IS NULL OR participant_id IS NOT NULL));

-- migrate:down
ALTER TABLE complaints DROP CONSTRAINT complaints_receipt_check;

ALTER TABLE complaints DROP COLUMN receipt_seq, DROP COLUMN receipt_leaf_hash;

DROP TABLE IF EXISTS audit_tree_nodes;
