-- TRUNCATE skips row triggers, so the append-only triggers of 1764000000200 did not stop the
-- owner from emptying the audit tables in one statement (checkpoints would only detect it
-- afterwards). A statement trigger refuses it too; removing audit data now takes a deliberate
-- `ALTER TABLE … DISABLE TRIGGER`, which only the owner can do.

-- migrate:up
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- migrate:down
DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records;

DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints;
