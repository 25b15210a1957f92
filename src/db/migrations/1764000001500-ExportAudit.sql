-- Issue 11: exports over HTTP are accounted with two records under one request id. The first,
-- outcome STARTED, is durable before the file's first byte leaves; the completion record (SUCCESS or
-- ERROR) carries the SHA-256 of the bytes sent and the rows. Existing rows are unchanged.

-- migrate:up
ALTER TABLE audit_records DROP CONSTRAINT audit_records_outcome_check;

ALTER TABLE audit_records ADD CONSTRAINT audit_records_outcome_check
  CHECK (outcome IN ('SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED', 'STARTED'));

-- migrate:down
ALTER TABLE audit_records DROP CONSTRAINT audit_records_outcome_check;

ALTER TABLE audit_records ADD CONSTRAINT audit_records_outcome_check
  CHECK (outcome IN ('SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED'));
