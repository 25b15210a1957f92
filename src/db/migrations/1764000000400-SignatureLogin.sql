-- Signature login: server challenges (consumed once, by any instance), used portal assertion ids
-- (single use until they expire), and the per-address limit on creating challenges.

-- migrate:up
CREATE TABLE login_challenges (
  id uuid PRIMARY KEY,
  nonce text NOT NULL,
  to_be_signed text NOT NULL,
  client_ip text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE INDEX login_challenges_expiry_idx ON login_challenges (expires_at);

CREATE TABLE used_portal_assertions (
  jti text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 200),
  expires_at timestamptz NOT NULL,
  used_at timestamptz NOT NULL
);

CREATE INDEX used_portal_assertions_expiry_idx ON used_portal_assertions (expires_at);

CREATE TABLE challenge_rate_limits (
  client_key text PRIMARY KEY CHECK (char_length(client_key) BETWEEN 1 AND 100),
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits >= 0)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON login_challenges, used_portal_assertions, challenge_rate_limits TO {{app_role}};

-- migrate:down
DROP TABLE IF EXISTS challenge_rate_limits, used_portal_assertions, login_challenges;
