-- The first way in (regulation 2.6 (1)): contracts registered by officers, user accounts with
-- argon2id password hashes (officers and traders), and login throttling counters shared by every
-- server instance. See docs/password-access.md.

-- migrate:up
-- Usernames are stored normalised (NFKC, trimmed, lower case), so uniqueness is case-insensitive.
CREATE TABLE user_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  role text NOT NULL CHECK (role IN ('TRADER', 'OFFICER')),
  participant_id bigint REFERENCES participants(id),
  contract_id bigint UNIQUE,
  must_change_password boolean NOT NULL DEFAULT true,
  password_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz,
  CHECK ((role = 'TRADER') = (participant_id IS NOT NULL AND contract_id IS NOT NULL))
);

CREATE TABLE contracts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number text NOT NULL,
  number_key text NOT NULL UNIQUE CHECK (number_key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  signed_date date NOT NULL,
  -- Regulation 2.6 (1): credentials within one month of signing (2025-01-31 → 2025-02-28).
  credentials_due_date date GENERATED ALWAYS AS ((signed_date + interval '1 month')::date) STORED,
  participant_id bigint NOT NULL REFERENCES participants(id),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  status_reason text,
  status_changed_at timestamptz,
  status_changed_by bigint REFERENCES user_accounts(id),
  non_commercial boolean NOT NULL DEFAULT false,
  documents text[] NOT NULL,
  credentials_issued_at timestamptz,
  registered_by bigint REFERENCES user_accounts(id),
  registered_at timestamptz NOT NULL
);

-- A participant has at most one contract that is not terminated.
CREATE UNIQUE INDEX contracts_open_participant_key ON contracts (participant_id) WHERE status <> 'TERMINATED';

-- The overdue list: active contracts still waiting for credentials, by signing date.
CREATE INDEX contracts_awaiting_credentials_idx ON contracts (credentials_due_date) WHERE credentials_issued_at IS NULL;

ALTER TABLE user_accounts ADD FOREIGN KEY (contract_id) REFERENCES contracts(id);

-- Failed-login counters. USERNAME keys are the hex SHA-256 of the normalised username string
-- (a mistyped password in the username field is not kept in clear); ADDRESS keys are client addresses.
CREATE TABLE login_throttle (
  scope text NOT NULL CHECK (scope IN ('USERNAME', 'ADDRESS')),
  key text NOT NULL,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  window_started_at timestamptz NOT NULL,
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz,
  PRIMARY KEY (scope, key)
);

CREATE INDEX login_throttle_age_idx ON login_throttle (last_failure_at);

GRANT SELECT, INSERT, UPDATE ON user_accounts, contracts TO {{app_role}};

GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO {{app_role}};

GRANT INSERT ON participants TO {{app_role}};

GRANT UPDATE (voen, fin, gooen) ON participants TO {{app_role}};

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {{app_role}};

-- migrate:down
REVOKE INSERT, UPDATE ON participants FROM {{app_role}};

DROP TABLE IF EXISTS login_throttle;

ALTER TABLE IF EXISTS user_accounts DROP CONSTRAINT IF EXISTS user_accounts_contract_id_fkey;

DROP TABLE IF EXISTS contracts;

DROP TABLE IF EXISTS user_accounts;
