-- The audit records become the leaves of an RFC 6962 Merkle tree whose signed checkpoints are C2SP
-- signed notes (src/audit/checkpoint-note.ts), and a chain position is never handed out twice.
--
--  - audit_checkpoints gains `tree_size`, `root_hash` and `note` (the signed note as served). Rows
--    signed before (no note) keep their old signature over the chain head and stay verifiable.
--  - audit_chain_head holds the newest chain position and its hash, advanced by a statement trigger
--    on every insert into audit_records and never lowered: before, the next record took the largest
--    seq in the table plus one, so deleting the newest record made its seq (and its place in the
--    chain) available again and the deletion invisible. Now the trigger refuses an insert that does
--    not continue the head (seq and previous hash), and the writer reads the head from here, so a
--    deleted record leaves a gap that the checkpointer and audit-verify report.
--    Only the trigger function (SECURITY DEFINER, owned by the migrating role) may update it; the
--    request role reads it. TRUNCATE is not refused (the test harness empties every table); an
--    emptied head is taken again from the newest record.

-- migrate:up
ALTER TABLE audit_checkpoints ADD COLUMN tree_size bigint, ADD COLUMN root_hash bytea,
ADD COLUMN note text;

CREATE TABLE audit_chain_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint NOT NULL CHECK (seq >= 0),
  hash bytea NOT NULL
);

INSERT INTO audit_chain_head (seq, hash)
SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1;

REVOKE ALL ON audit_chain_head FROM PUBLIC;

GRANT SELECT ON audit_chain_head TO {{app_role}};

CREATE FUNCTION audit_advance_head() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
  lo bigint; hi bigint; n bigint; first_prev bytea; cur_seq bigint; cur_hash bytea;
BEGIN
  SELECT min(seq), max(seq), count(*) INTO lo, hi, n FROM new_rows;
  IF n = 0 THEN RETURN NULL; END IF;
  SELECT h.seq, h.hash INTO cur_seq, cur_hash FROM audit_chain_head h FOR UPDATE;
  IF NOT FOUND THEN
    SELECT r.seq, r.hash INTO cur_seq, cur_hash FROM audit_records r WHERE r.seq < lo ORDER BY r.seq DESC LIMIT 1;
    IF NOT FOUND THEN cur_seq := 0; cur_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea; END IF;
    INSERT INTO audit_chain_head (seq, hash) VALUES (cur_seq, cur_hash);
  END IF;
  SELECT r.prev_hash INTO first_prev FROM new_rows r WHERE r.seq = lo;
  IF lo <> cur_seq + 1 OR hi - lo + 1 <> n OR first_prev IS DISTINCT FROM cur_hash THEN
    RAISE EXCEPTION 'audit chain: records % to % do not continue the head at %', lo, hi, cur_seq
      USING ERRCODE = 'serialization_failure';
  END IF;
  UPDATE audit_chain_head SET seq = hi, hash = (SELECT r.hash FROM new_rows r WHERE r.seq = hi);
  RETURN NULL;
END $$;

CREATE TRIGGER audit_records_advance_head AFTER INSERT ON audit_records
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_advance_head();

-- The head moves only through that trigger (depth 2: the insert's trigger, then this one).
CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit_chain_head moves only with inserts into audit_records: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head
FOR EACH ROW EXECUTE FUNCTION audit_head_guard();

-- TRUNCATE skips row triggers: without this, an emptied head is rebuilt from the newest record, so
-- truncating it and then deleting the newest record would let the next insert reuse that seq.
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- migrate:down
DROP TRIGGER IF EXISTS audit_records_advance_head ON audit_records;

DROP TABLE IF EXISTS audit_chain_head;

DROP FUNCTION IF EXISTS audit_advance_head();

DROP FUNCTION IF EXISTS audit_head_guard();

ALTER TABLE audit_checkpoints DROP COLUMN tree_size, DROP COLUMN root_hash, DROP COLUMN note;
