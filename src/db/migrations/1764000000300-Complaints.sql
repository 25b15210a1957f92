-- Complaints (regulation 3.5.1–3.5.3): filed electronically by anyone or recorded from paper by
-- an officer, reviewed RECEIVED → IN_REVIEW → ANSWERED within a due date; and the per-address
-- filing counters shared by every server instance. See src/complaints/.
--
-- Row-level security keeps a trader's complaints to that trader (the participant setting of the
-- request transaction); transactions without a participant (anonymous filers, officers) file only
-- unattributed complaints, and only they may change one (officers review and answer).

-- migrate:up
CREATE TABLE complaints (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('ELECTRONIC', 'PAPER')),
  status text NOT NULL DEFAULT 'RECEIVED' CHECK (status IN ('RECEIVED', 'IN_REVIEW', 'ANSWERED')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  patronymic text NOT NULL CHECK (char_length(patronymic) BETWEEN 1 AND 100),
  surname text NOT NULL CHECK (char_length(surname) BETWEEN 1 AND 100),
  address text CHECK (char_length(address) BETWEEN 1 AND 300),
  postal_address text CHECK (char_length(postal_address) BETWEEN 1 AND 300),
  workplace text CHECK (char_length(workplace) BETWEEN 1 AND 300),
  email text CHECK (char_length(email) BETWEEN 3 AND 254),
  declaration_number text CHECK (char_length(declaration_number) BETWEEN 1 AND 100),
  audit_record_id bigint,
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
  -- The filer's participant when a trader filed it logged in (taken from the session).
  participant_id bigint REFERENCES participants(id),
  -- The officer (session username) who typed in a paper complaint.
  recorded_by text,
  filed_at timestamptz NOT NULL,
  due_date date NOT NULL,
  review_started_at timestamptz,
  review_started_by text,
  answer text CHECK (char_length(answer) BETWEEN 1 AND 5000),
  answered_at timestamptz,
  answered_by text,
  CHECK (address IS NOT NULL OR postal_address IS NOT NULL OR workplace IS NOT NULL),
  CHECK ((channel = 'PAPER') = (recorded_by IS NOT NULL)),
  CHECK (channel = 'ELECTRONIC' OR participant_id IS NULL),
  -- Only a logged-in trader may reference their declaration or audit record.
  CHECK (participant_id IS NOT NULL OR (declaration_number IS NULL AND audit_record_id IS NULL)),
  CHECK ((status = 'ANSWERED') = (answer IS NOT NULL AND answered_at IS NOT NULL AND answered_by IS NOT NULL)),
  CHECK (status <> 'IN_REVIEW' OR review_started_at IS NOT NULL)
);

-- Officers page newest first; traders page their own newest first; the overdue list reads open ones by due date.
CREATE INDEX complaints_page_idx ON complaints (filed_at DESC, id DESC);

CREATE INDEX complaints_participant_idx ON complaints (participant_id, filed_at DESC, id DESC)
WHERE participant_id IS NOT NULL;

CREATE INDEX complaints_open_due_idx ON complaints (due_date) WHERE status <> 'ANSWERED';

ALTER TABLE complaints ENABLE ROW LEVEL SECURITY;

CREATE POLICY complaints_read ON complaints FOR SELECT TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL OR participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY complaints_file ON complaints FOR INSERT TO {{app_role}}
WITH CHECK (participant_id IS NOT DISTINCT FROM NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY complaints_handle ON complaints FOR UPDATE TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL) WITH CHECK (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL);

GRANT SELECT, INSERT ON complaints TO {{app_role}};

GRANT UPDATE (status, review_started_at, review_started_by, answer, answered_at, answered_by)
ON complaints TO {{app_role}};

GRANT USAGE ON SEQUENCE complaints_id_seq TO {{app_role}};

-- Accepted electronic filings per client address and fixed window (one row per address).
CREATE TABLE complaint_rate_limits (
  client_key text PRIMARY KEY CHECK (char_length(client_key) BETWEEN 1 AND 100),
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits >= 0)
);

CREATE INDEX complaint_rate_limits_age_idx ON complaint_rate_limits (window_start);

GRANT SELECT, INSERT, UPDATE, DELETE ON complaint_rate_limits TO {{app_role}};

-- A complaint may reference the filer's own audit record. The audit table belongs to the audit
-- work; when it already exists, the request role may read just the two columns the check needs.
DO $$ BEGIN
  IF to_regclass('audit_records') IS NOT NULL THEN
    GRANT SELECT (id, participant_id) ON audit_records TO {{app_role}};
  END IF;
END $$;

-- migrate:down
DROP TABLE IF EXISTS complaint_rate_limits;

DROP TABLE IF EXISTS complaints;
