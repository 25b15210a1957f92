-- Issue 10: one true actor per audit record, and refusals recorded.
--  - The actor columns (session_id, user_account_id, participant_id, role, username) name the session
--    the request carried before anything executed. What a login opened gets its own columns
--    (login_session_id, login_user_account_id, login_participant_id, login_role) and the username a
--    password login attempted login_username.
--  - outcome REJECTED: refused before execution (HTTP layer, parse, validation, pre-execution checks).
--  - refused_count: a summary record standing for that many refusals of one client address in one
--    minute that were not recorded one by one (over AUDIT_REFUSALS_PER_MINUTE).
-- Existing rows keep null in the new columns, and their hashes (src/audit/record.ts hashes the new
-- columns only when one of them is set).

-- migrate:up
ALTER TABLE audit_records
ADD COLUMN login_session_id bigint,
ADD COLUMN login_user_account_id bigint,
ADD COLUMN login_participant_id bigint,
ADD COLUMN login_role text CHECK (login_role IN ('TRADER', 'OFFICER')),
ADD COLUMN login_username text,
ADD COLUMN refused_count integer CHECK (refused_count >= 1);

ALTER TABLE audit_records DROP CONSTRAINT audit_records_outcome_check;

ALTER TABLE audit_records ADD CONSTRAINT audit_records_outcome_check
CHECK (outcome IN ('SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED'));

CREATE INDEX audit_records_login_participant_idx ON audit_records (login_participant_id, seq DESC)
WHERE login_participant_id IS NOT NULL;

-- A trader's own history includes the logins that opened their sessions (no actor: the request had none).
DROP POLICY audit_records_read ON audit_records;

CREATE POLICY audit_records_read ON audit_records FOR SELECT TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '') IS NULL
       OR participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint
       OR login_participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

-- migrate:down
-- A trader's own history includes the logins that opened their sessions (no actor: the request had none).
DROP POLICY audit_records_read ON audit_records;

CREATE POLICY audit_records_read ON audit_records FOR SELECT TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '') IS NULL
       OR participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

DROP INDEX IF EXISTS audit_records_login_participant_idx;

ALTER TABLE audit_records DROP CONSTRAINT audit_records_outcome_check;

ALTER TABLE audit_records ADD CONSTRAINT audit_records_outcome_check
CHECK (outcome IN ('SUCCESS', 'PARTIAL', 'ERROR'));

ALTER TABLE audit_records
DROP COLUMN login_session_id, DROP COLUMN login_user_account_id, DROP COLUMN login_participant_id,
DROP COLUMN login_role, DROP COLUMN login_username, DROP COLUMN refused_count;
