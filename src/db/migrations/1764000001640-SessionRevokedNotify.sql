-- Issue 9: sessions are cached in each instance's memory (src/auth/session-cache.ts). Every change
-- that makes auth_session (migration 1764000001200) refuse a session it accepted before sends
-- pg_notify('session_revoked', …) in the same transaction, so PostgreSQL delivers it to every
-- listening instance exactly when the change commits (and never when it rolls back).
--
-- auth_session refuses a session when: it is revoked, expired or idle too long (sessions), its
-- participant has an open block (participant_blocks), or its password account is disabled or under a
-- contract that is not ACTIVE (user_accounts, contracts). The payloads:
--   session:<id>      that session changed (revoked, shortened, re-keyed, deleted)
--   participant:<id>  the participant was blocked
--   account:<id>      the user account was disabled, moved to another contract or deleted, or its
--                     contract left ACTIVE
--   all               a table was truncated: forget everything
-- Unblocking, resuming a contract and re-enabling an account need none: the cache holds only
-- sessions auth_session accepted, and misses always ask it.

-- migrate:up
CREATE FUNCTION session_revoked_notify() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  a record;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('session_revoked', 'all');
  ELSIF TG_TABLE_NAME = 'sessions' THEN
    PERFORM pg_notify('session_revoked', 'session:' || OLD.id);
  ELSIF TG_TABLE_NAME = 'participant_blocks' THEN
    PERFORM pg_notify('session_revoked', 'participant:' || NEW.participant_id);
  ELSIF TG_TABLE_NAME = 'user_accounts' THEN
    PERFORM pg_notify('session_revoked', 'account:' || OLD.id);
  ELSIF TG_TABLE_NAME = 'contracts' THEN
    FOR a IN SELECT u.id FROM user_accounts u WHERE u.contract_id = OLD.id LOOP
      PERFORM pg_notify('session_revoked', 'account:' || a.id);
    END LOOP;
  ELSE
    PERFORM pg_notify('session_revoked', 'all');
  END IF;
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION session_revoked_notify() FROM PUBLIC;

CREATE TRIGGER sessions_revoked_notify AFTER UPDATE ON sessions FOR EACH ROW
  WHEN ((NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
        OR NEW.expires_at < OLD.expires_at OR NEW.idle_expires_at < OLD.idle_expires_at
        OR (NEW.id, NEW.token_hash, NEW.participant_id, NEW.user_account_id, NEW.role, NEW.auth_method, NEW.username,
            NEW.must_change_password)
           IS DISTINCT FROM (OLD.id, OLD.token_hash, OLD.participant_id, OLD.user_account_id, OLD.role,
            OLD.auth_method, OLD.username, OLD.must_change_password))
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions FOR EACH ROW
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER sessions_truncated_notify AFTER TRUNCATE ON sessions FOR EACH STATEMENT
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER participant_blocks_opened_notify AFTER INSERT ON participant_blocks FOR EACH ROW
  WHEN (NEW.unblocked_at IS NULL)
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER participant_blocks_reopened_notify AFTER UPDATE ON participant_blocks FOR EACH ROW
  WHEN (NEW.unblocked_at IS NULL AND (OLD.unblocked_at IS NOT NULL OR NEW.participant_id <> OLD.participant_id))
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER user_accounts_disabled_notify AFTER UPDATE ON user_accounts FOR EACH ROW
  WHEN ((NEW.disabled_at IS NOT NULL AND OLD.disabled_at IS NULL) OR NEW.contract_id IS DISTINCT FROM OLD.contract_id
        OR NEW.id <> OLD.id)
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER user_accounts_deleted_notify AFTER DELETE ON user_accounts FOR EACH ROW
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER user_accounts_truncated_notify AFTER TRUNCATE ON user_accounts FOR EACH STATEMENT
  EXECUTE FUNCTION session_revoked_notify();

CREATE TRIGGER contracts_left_active_notify AFTER UPDATE ON contracts FOR EACH ROW
  WHEN (OLD.status = 'ACTIVE' AND NEW.status <> 'ACTIVE')
  EXECUTE FUNCTION session_revoked_notify();

-- migrate:down
DROP TRIGGER IF EXISTS contracts_left_active_notify ON contracts;

DROP TRIGGER IF EXISTS user_accounts_truncated_notify ON user_accounts;

DROP TRIGGER IF EXISTS user_accounts_deleted_notify ON user_accounts;

DROP TRIGGER IF EXISTS user_accounts_disabled_notify ON user_accounts;

DROP TRIGGER IF EXISTS participant_blocks_reopened_notify ON participant_blocks;

DROP TRIGGER IF EXISTS participant_blocks_opened_notify ON participant_blocks;

DROP TRIGGER IF EXISTS sessions_truncated_notify ON sessions;

DROP TRIGGER IF EXISTS sessions_deleted_notify ON sessions;

DROP TRIGGER IF EXISTS sessions_revoked_notify ON sessions;

DROP FUNCTION IF EXISTS session_revoked_notify();
