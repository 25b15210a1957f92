-- Every officer action that changes state names the officer in its row, and officers may block a
-- participant.
--
--  - contracts: who first issued the credentials (beside credentials_issued_at, the time the
--    one-month term is about) and when and by whom they were last issued (a re-issue replaces the
--    password). Rows issued before this migration keep null: who did it is not known.
--  - participant_blocks: one row per block, kept after the unblock (who blocked, why, when; who
--    unblocked, when). At most one open block per participant. While one is open, every login of
--    the participant is refused and its sessions are refused by the session look-up.

-- migrate:up
ALTER TABLE contracts
ADD COLUMN credentials_issued_by bigint REFERENCES user_accounts(id),
ADD COLUMN credentials_last_issued_at timestamptz,
ADD COLUMN credentials_last_issued_by bigint REFERENCES user_accounts(id);

CREATE TABLE participant_blocks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  participant_id bigint NOT NULL REFERENCES participants(id),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
  blocked_at timestamptz NOT NULL,
  blocked_by bigint NOT NULL REFERENCES user_accounts(id),
  unblocked_at timestamptz,
  unblocked_by bigint REFERENCES user_accounts(id),
  CHECK ((unblocked_at IS NULL) = (unblocked_by IS NULL))
);

-- The open block of a participant (at most one): what the login and the session look-up check.
CREATE UNIQUE INDEX participant_blocks_open_key ON participant_blocks (participant_id) WHERE unblocked_at IS NULL;

GRANT SELECT, INSERT ON participant_blocks TO {{app_role}};

GRANT UPDATE (unblocked_at, unblocked_by) ON participant_blocks TO {{app_role}};

GRANT USAGE ON SEQUENCE participant_blocks_id_seq TO {{app_role}};

-- migrate:down
DROP TABLE IF EXISTS participant_blocks;

ALTER TABLE contracts
DROP COLUMN IF EXISTS credentials_last_issued_by,
DROP COLUMN IF EXISTS credentials_last_issued_at,
DROP COLUMN IF EXISTS credentials_issued_by;
