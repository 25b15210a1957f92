-- Issue 10: row-level security on every table the request role can touch, officer access from an
-- explicit setting, and credential hashes out of the request role's reach.
--
-- Each request transaction binds who is asking (src/db/tenant.ts, requestPrelude):
--   app.scope          'trader' | 'officer' | 'anonymous' | 'auditor'
--   app.participant_id a trader's participant, '' otherwise
-- A transaction that bound nothing sees no row of any table that holds someone's data: every
-- policy needs one of the scopes (before, an empty participant setting meant "officer: see all").
--   - trader: the rows of their participant (declarations, items, rollups, participant, contract,
--     account, sessions, blocks, complaints, audit records);
--   - officer: what officer features need (participants, contracts, accounts, sessions, blocks,
--     complaints, audit records); no declarations;
--   - anonymous (logins, challenges, anonymous complaints): the counters and rate limits, the
--     challenges and used portal assertions, and the complaint its own transaction filed;
--   - auditor (the audit writer and checkpointer): every audit record, appending records and
--     checkpoints (nobody else may append).
-- Checkpoints (public, signed) and the chain head stay readable without a scope; reference data
-- (countries, HS, posts, procedures, transport modes) has no RLS.
--
-- Password and token hashes: the request role may write them (new account, re-issued password, new
-- session) but not read them: column privileges without password_hash / token_hash, and a WHERE on
-- them needs that privilege too. Reading them is for SECURITY DEFINER functions owned by
-- <role>_credentials, a NOLOGIN role created here that holds only the privileges the functions use
-- (RLS applies to it: it owns no table), with `search_path` pinned on each; the request role may
-- EXECUTE them, PUBLIC may not. None returns a hash:
--   auth_password_params(username)        the argon2 parameters and salt (the PHC string without
--                                         its digest) and the digest length, to hash a password with
--   auth_password_login(username, digest) the account, only when the digest is the stored one
--   auth_set_password(id, old, new, at)   replaces the hash when `old` is the stored digest
--   auth_session(token_hash, now, idle)   the live session of a token (idle window slid)
--   auth_participant_of_subject(voen, fin) the participant a certificate or portal subject names
-- No FORCE ROW LEVEL SECURITY: the owner (migrations, the importer, audit-verify, the test harness)
-- needs every row and no request runs as the owner; the functions' owner is not a table owner.

-- migrate:up
-- The owner of the credential functions, made like the request role in 1764000000000.
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{app_role}}_credentials') THEN
    CREATE ROLE {{app_role}}_credentials NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END $$;

GRANT {{app_role}}_credentials TO CURRENT_USER;

ALTER TABLE participants ENABLE ROW LEVEL SECURITY;

CREATE POLICY participants_officer ON participants FOR ALL TO {{app_role}}
USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY participants_trader ON participants FOR SELECT TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

ALTER TABLE rollup_participants ENABLE ROW LEVEL SECURITY;

CREATE POLICY rollup_participants_trader ON rollup_participants FOR SELECT TO {{app_role}}
USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;

CREATE POLICY contracts_officer ON contracts FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY contracts_trader ON contracts FOR SELECT TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

ALTER TABLE user_accounts ENABLE ROW LEVEL SECURITY;

CREATE POLICY user_accounts_officer ON user_accounts FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY user_accounts_trader ON user_accounts FOR SELECT TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

ALTER TABLE participant_blocks ENABLE ROW LEVEL SECURITY;

CREATE POLICY participant_blocks_officer ON participant_blocks FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY participant_blocks_trader ON participant_blocks FOR SELECT TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY sessions_officer ON sessions FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY sessions_trader ON sessions FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint)
WITH CHECK (role = 'TRADER' AND (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint));

REVOKE SELECT, UPDATE ON sessions FROM {{app_role}};

GRANT SELECT (id, participant_id, user_account_id, role, auth_method, username, must_change_password,
authn_detail, created_at, last_seen_at, idle_expires_at, expires_at, revoked_at) ON sessions TO {{app_role}};

GRANT UPDATE (revoked_at) ON sessions TO {{app_role}};

REVOKE SELECT, UPDATE ON user_accounts FROM {{app_role}};

GRANT SELECT (id, username, role, participant_id, contract_id, must_change_password,
password_changed_at, created_at, disabled_at) ON user_accounts TO {{app_role}};

GRANT UPDATE (password_hash, must_change_password, password_changed_at, disabled_at)
ON user_accounts TO {{app_role}};

ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;

CREATE POLICY login_throttle_request ON login_throttle FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer')) WITH CHECK (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer'));

ALTER TABLE login_challenges ENABLE ROW LEVEL SECURITY;

CREATE POLICY login_challenges_request ON login_challenges FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer')) WITH CHECK (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer'));

ALTER TABLE used_portal_assertions ENABLE ROW LEVEL SECURITY;

CREATE POLICY used_portal_assertions_request ON used_portal_assertions FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer')) WITH CHECK (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer'));

ALTER TABLE challenge_rate_limits ENABLE ROW LEVEL SECURITY;

CREATE POLICY challenge_rate_limits_request ON challenge_rate_limits FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer')) WITH CHECK (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer'));

ALTER TABLE complaint_rate_limits ENABLE ROW LEVEL SECURITY;

CREATE POLICY complaint_rate_limits_request ON complaint_rate_limits FOR ALL TO {{app_role}} USING (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer')) WITH CHECK (current_setting('app.scope', true) IN ('anonymous', 'trader', 'officer'));

DROP POLICY complaints_read ON complaints;

DROP POLICY complaints_file ON complaints;

DROP POLICY complaints_handle ON complaints;

CREATE POLICY complaints_officer ON complaints FOR ALL TO {{app_role}}
USING (current_setting('app.scope', true) = 'officer') WITH CHECK (current_setting('app.scope', true) = 'officer');

CREATE POLICY complaints_trader_read ON complaints FOR SELECT TO {{app_role}} USING (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY complaints_trader_file ON complaints FOR INSERT TO {{app_role}}
WITH CHECK (channel = 'ELECTRONIC' AND (current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint));

CREATE POLICY complaints_anonymous_file ON complaints FOR INSERT TO {{app_role}}
WITH CHECK (current_setting('app.scope', true) = 'anonymous' AND channel = 'ELECTRONIC' AND participant_id IS NULL);

-- An anonymous filer reads back only what its own transaction wrote.
CREATE POLICY complaints_anonymous_read ON complaints FOR SELECT TO {{app_role}}
USING (current_setting('app.scope', true) = 'anonymous' AND xmin = pg_current_xact_id_if_assigned()::xid);

-- audit_records: officers and the auditor read all, a trader their own; only the auditor appends.
DROP POLICY audit_records_read ON audit_records;

DROP POLICY audit_records_append ON audit_records;

CREATE POLICY audit_records_officer ON audit_records FOR SELECT TO {{app_role}}
USING (current_setting('app.scope', true) = 'officer' OR current_setting('app.scope', true) = 'auditor');

CREATE POLICY audit_records_trader ON audit_records FOR SELECT TO {{app_role}}
USING ((current_setting('app.scope', true) = 'trader' AND participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint) OR (current_setting('app.scope', true) = 'trader' AND login_participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint));

CREATE POLICY audit_records_append ON audit_records FOR INSERT TO {{app_role}} WITH CHECK (current_setting('app.scope', true) = 'auditor');

ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_checkpoints_read ON audit_checkpoints FOR SELECT TO {{app_role}} USING (true);

CREATE POLICY audit_checkpoints_sign ON audit_checkpoints FOR INSERT TO {{app_role}} WITH CHECK (current_setting('app.scope', true) = 'auditor');

-- What the credential functions read and write, and nothing else.
GRANT SELECT (id, username, password_hash, role, participant_id, contract_id, must_change_password,
password_changed_at, disabled_at) ON user_accounts TO {{app_role}}_credentials;

GRANT UPDATE (password_hash, must_change_password, password_changed_at) ON user_accounts TO {{app_role}}_credentials;

GRANT SELECT (id, number, status) ON contracts TO {{app_role}}_credentials;

GRANT SELECT ON sessions TO {{app_role}}_credentials;

GRANT UPDATE (last_seen_at, idle_expires_at) ON sessions TO {{app_role}}_credentials;

GRANT SELECT (participant_id, unblocked_at) ON participant_blocks TO {{app_role}}_credentials;

GRANT SELECT (id, voen, fin) ON participants TO {{app_role}}_credentials;

CREATE POLICY user_accounts_credentials ON user_accounts FOR ALL TO {{app_role}}_credentials USING (true) WITH CHECK (true);

CREATE POLICY contracts_credentials ON contracts FOR ALL TO {{app_role}}_credentials USING (true) WITH CHECK (true);

CREATE POLICY sessions_credentials ON sessions FOR ALL TO {{app_role}}_credentials USING (true) WITH CHECK (true);

CREATE POLICY participant_blocks_credentials ON participant_blocks FOR ALL TO {{app_role}}_credentials USING (true) WITH CHECK (true);

CREATE POLICY participants_credentials ON participants FOR ALL TO {{app_role}}_credentials USING (true) WITH CHECK (true);

CREATE FUNCTION auth_password_params(p_username text) RETURNS TABLE (params text, digest_length integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT left(a.password_hash, length(a.password_hash) - length(substring(a.password_hash, '[$]([^$]*)$')) - 1),
         length(substring(a.password_hash, '[$]([^$]*)$'))
    FROM user_accounts a WHERE a.username = p_username
$$;

CREATE FUNCTION auth_password_login(p_username text, p_digest text)
RETURNS TABLE (id bigint, username text, role text, participant_id bigint, contract_id bigint, contract_status text,
               contract_number text, must_change_password boolean, password_changed_at timestamptz,
               disabled_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT a.id, a.username, a.role, a.participant_id, a.contract_id, c.status, c.number, a.must_change_password,
         a.password_changed_at, a.disabled_at
    FROM user_accounts a LEFT JOIN contracts c ON c.id = a.contract_id
   WHERE a.username = p_username AND coalesce(p_digest, '') <> '' AND substring(a.password_hash, '[$]([^$]*)$') = p_digest
$$;

-- p_changed_at null: a re-hash of the same password (new parameters); else a password change,
-- refused for a disabled account.
CREATE FUNCTION auth_set_password(p_account_id bigint, p_old_digest text, p_new_hash text, p_changed_at timestamptz)
RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE user_accounts a
     SET password_hash = p_new_hash,
         must_change_password = CASE WHEN p_changed_at IS NULL THEN a.must_change_password ELSE false END,
         password_changed_at = coalesce(p_changed_at, a.password_changed_at)
   WHERE a.id = p_account_id AND coalesce(p_old_digest, '') <> '' AND substring(a.password_hash, '[$]([^$]*)$') = p_old_digest
     AND (p_changed_at IS NULL OR a.disabled_at IS NULL);
  RETURN FOUND;
END $$;

-- A live session: not revoked or expired, its participant not blocked, its password account not
-- disabled nor under a contract that is not ACTIVE. The idle window slides at most once a minute.
CREATE FUNCTION auth_session(p_token_hash bytea, p_now timestamptz, p_idle_seconds integer)
RETURNS TABLE (id bigint, participant_id bigint, user_account_id bigint, role text, auth_method text,
               username text, must_change_password boolean, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  s record;
BEGIN
  SELECT x.id, x.participant_id, x.user_account_id, x.role, x.auth_method, x.username, x.must_change_password,
         x.last_seen_at, x.expires_at
    INTO s
    FROM sessions x
   WHERE x.token_hash = p_token_hash AND x.revoked_at IS NULL AND x.expires_at > p_now AND x.idle_expires_at > p_now
     AND NOT EXISTS (SELECT 1 FROM participant_blocks b
                      WHERE b.participant_id = x.participant_id AND b.unblocked_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM user_accounts a LEFT JOIN contracts c ON c.id = a.contract_id
                      WHERE a.id = x.user_account_id
                        AND (a.disabled_at IS NOT NULL OR (a.contract_id IS NOT NULL AND c.status <> 'ACTIVE')));
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF p_now - s.last_seen_at > interval '60 seconds' THEN
    UPDATE sessions x SET last_seen_at = p_now,
           idle_expires_at = least(p_now + make_interval(secs => p_idle_seconds), s.expires_at)
     WHERE x.id = s.id;
  END IF;
  RETURN QUERY SELECT s.id, s.participant_id, s.user_account_id, s.role, s.auth_method, s.username,
                      s.must_change_password, s.expires_at;
END $$;

CREATE FUNCTION auth_participant_of_subject(p_voen text, p_fin text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT p.id FROM participants p
   WHERE (p_voen IS NOT NULL AND p.voen = p_voen::char(10))
      OR (p_voen IS NULL AND p_fin IS NOT NULL AND p.fin = p_fin::char(7))
   ORDER BY p.id LIMIT 1
$$;

GRANT CREATE ON SCHEMA public TO {{app_role}}_credentials;

ALTER FUNCTION auth_password_params(text) OWNER TO {{app_role}}_credentials;

REVOKE ALL ON FUNCTION auth_password_params(text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_password_params(text) TO {{app_role}};

ALTER FUNCTION auth_password_login(text, text) OWNER TO {{app_role}}_credentials;

REVOKE ALL ON FUNCTION auth_password_login(text, text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_password_login(text, text) TO {{app_role}};

ALTER FUNCTION auth_set_password(bigint, text, text, timestamptz) OWNER TO {{app_role}}_credentials;

REVOKE ALL ON FUNCTION auth_set_password(bigint, text, text, timestamptz) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_set_password(bigint, text, text, timestamptz) TO {{app_role}};

ALTER FUNCTION auth_session(bytea, timestamptz, integer) OWNER TO {{app_role}}_credentials;

REVOKE ALL ON FUNCTION auth_session(bytea, timestamptz, integer) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_session(bytea, timestamptz, integer) TO {{app_role}};

ALTER FUNCTION auth_participant_of_subject(text, text) OWNER TO {{app_role}}_credentials;

REVOKE ALL ON FUNCTION auth_participant_of_subject(text, text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth_participant_of_subject(text, text) TO {{app_role}};

REVOKE CREATE ON SCHEMA public FROM {{app_role}}_credentials;

-- migrate:down
DROP FUNCTION IF EXISTS auth_password_params(text);

DROP FUNCTION IF EXISTS auth_password_login(text, text);

DROP FUNCTION IF EXISTS auth_set_password(bigint, text, text, timestamptz);

DROP FUNCTION IF EXISTS auth_session(bytea, timestamptz, integer);

DROP FUNCTION IF EXISTS auth_participant_of_subject(text, text);

DROP POLICY IF EXISTS participants_officer ON participants;

DROP POLICY IF EXISTS participants_trader ON participants;

DROP POLICY IF EXISTS participants_credentials ON participants;

ALTER TABLE participants DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS rollup_participants_trader ON rollup_participants;

ALTER TABLE rollup_participants DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS contracts_officer ON contracts;

DROP POLICY IF EXISTS contracts_trader ON contracts;

DROP POLICY IF EXISTS contracts_credentials ON contracts;

ALTER TABLE contracts DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS user_accounts_officer ON user_accounts;

DROP POLICY IF EXISTS user_accounts_trader ON user_accounts;

DROP POLICY IF EXISTS user_accounts_credentials ON user_accounts;

ALTER TABLE user_accounts DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS participant_blocks_officer ON participant_blocks;

DROP POLICY IF EXISTS participant_blocks_trader ON participant_blocks;

DROP POLICY IF EXISTS participant_blocks_credentials ON participant_blocks;

ALTER TABLE participant_blocks DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS sessions_officer ON sessions;

DROP POLICY IF EXISTS sessions_trader ON sessions;

DROP POLICY IF EXISTS sessions_credentials ON sessions;

ALTER TABLE sessions DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS login_throttle_request ON login_throttle;

ALTER TABLE login_throttle DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS login_challenges_request ON login_challenges;

ALTER TABLE login_challenges DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS used_portal_assertions_request ON used_portal_assertions;

ALTER TABLE used_portal_assertions DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS challenge_rate_limits_request ON challenge_rate_limits;

ALTER TABLE challenge_rate_limits DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS complaint_rate_limits_request ON complaint_rate_limits;

ALTER TABLE complaint_rate_limits DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS audit_checkpoints_read ON audit_checkpoints;

DROP POLICY IF EXISTS audit_checkpoints_sign ON audit_checkpoints;

ALTER TABLE audit_checkpoints DISABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS complaints_officer ON complaints;

DROP POLICY IF EXISTS complaints_trader_read ON complaints;

DROP POLICY IF EXISTS complaints_trader_file ON complaints;

DROP POLICY IF EXISTS complaints_anonymous_file ON complaints;

DROP POLICY IF EXISTS complaints_anonymous_read ON complaints;

CREATE POLICY complaints_read ON complaints FOR SELECT TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL OR participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY complaints_file ON complaints FOR INSERT TO {{app_role}}
WITH CHECK (participant_id IS NOT DISTINCT FROM NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY complaints_handle ON complaints FOR UPDATE TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL) WITH CHECK (NULLIF(current_setting('app.participant_id', true), '')::bigint IS NULL);

DROP POLICY IF EXISTS audit_records_officer ON audit_records;

DROP POLICY IF EXISTS audit_records_trader ON audit_records;

DROP POLICY IF EXISTS audit_records_append ON audit_records;

CREATE POLICY audit_records_read ON audit_records FOR SELECT TO {{app_role}}
USING (NULLIF(current_setting('app.participant_id', true), '') IS NULL OR participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint
       OR login_participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

CREATE POLICY audit_records_append ON audit_records FOR INSERT TO {{app_role}} WITH CHECK (true);

GRANT SELECT, UPDATE ON sessions, user_accounts TO {{app_role}};

REVOKE ALL ON user_accounts, contracts, sessions, participant_blocks, participants FROM {{app_role}}_credentials;
