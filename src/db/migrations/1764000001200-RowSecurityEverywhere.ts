import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: row-level security on every table the request role can touch, officer access from an
 * explicit setting, and credential hashes out of the request role's reach.
 *
 * Each request transaction binds who is asking (src/db/tenant.ts, requestPrelude):
 *   app.scope          'trader' | 'officer' | 'anonymous' | 'auditor'
 *   app.participant_id a trader's participant, '' otherwise
 * A transaction that bound nothing sees no row of any table that holds someone's data: every
 * policy needs one of the scopes (before, an empty participant setting meant "officer: see all").
 *   - trader: the rows of their participant (declarations, items, rollups, participant, contract,
 *     account, sessions, blocks, complaints, audit records);
 *   - officer: what officer features need (participants, contracts, accounts, sessions, blocks,
 *     complaints, audit records); no declarations;
 *   - anonymous (logins, challenges, anonymous complaints): the counters and rate limits, the
 *     challenges and used portal assertions, and the complaint its own transaction filed;
 *   - auditor (the audit writer and checkpointer): every audit record, appending records and
 *     checkpoints (nobody else may append).
 * Checkpoints (public, signed) and the chain head stay readable without a scope; reference data
 * (countries, HS, posts, procedures, transport modes) has no RLS.
 *
 * Password and token hashes: the request role may write them (new account, re-issued password, new
 * session) but not read them: column privileges without password_hash / token_hash, and a WHERE on
 * them needs that privilege too. Reading them is for SECURITY DEFINER functions owned by
 * <role>_credentials, a NOLOGIN role created here that holds only the privileges the functions use
 * (RLS applies to it: it owns no table), with `search_path` pinned on each; the request role may
 * EXECUTE them, PUBLIC may not. None returns a hash:
 *   auth_password_params(username)        the argon2 parameters and salt (the PHC string without
 *                                         its digest) and the digest length, to hash a password with
 *   auth_password_login(username, digest) the account, only when the digest is the stored one
 *   auth_set_password(id, old, new, at)   replaces the hash when `old` is the stored digest
 *   auth_session(token_hash, now, idle)   the live session of a token (idle window slid)
 *   auth_participant_of_subject(voen, fin) the participant a certificate or portal subject names
 * No FORCE ROW LEVEL SECURITY: the owner (migrations, the importer, audit-verify, the test harness)
 * needs every row and no request runs as the owner; the functions' owner is not a table owner.
 */
export class RowSecurityEverywhere1764000001200 implements MigrationInterface {
  name = 'RowSecurityEverywhere1764000001200';

  /** `role`: the request role (DB_APP_ROLE), passed in by migrations(appRole). */
  constructor(private readonly role: string) {}

  async up(q: QueryRunner): Promise<void> {
    const role = this.role;
    const cred = `${role}_credentials`;
    const scope = `current_setting('app.scope', true)`;
    const tenant = `NULLIF(current_setting('app.participant_id', true), '')::bigint`;
    const officer = `${scope} = 'officer'`;
    const auditor = `${scope} = 'auditor'`;
    const trader = (col: string) => `(${scope} = 'trader' AND ${col} = ${tenant})`;
    const anyRequest = `${scope} IN ('anonymous', 'trader', 'officer')`;
    const rls = (t: string) => q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);

    // The owner of the credential functions, made like the request role in 1764000000000.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${cred}') THEN
          CREATE ROLE ${cred} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
        END IF;
      END $$`);
    await q.query(`GRANT ${cred} TO CURRENT_USER`);

    // participants: officers register and look up; a trader sees their own row.
    await rls('participants');
    await q.query(`CREATE POLICY participants_officer ON participants FOR ALL TO ${role}
                     USING (${officer}) WITH CHECK (${officer})`);
    await q.query(`CREATE POLICY participants_trader ON participants FOR SELECT TO ${role} USING ${trader('id')}`);

    await rls('rollup_participants');
    await q.query(`CREATE POLICY rollup_participants_trader ON rollup_participants FOR SELECT TO ${role}
                     USING ${trader('participant_id')}`);

    for (const t of ['contracts', 'user_accounts', 'participant_blocks']) {
      await rls(t);
      await q.query(`CREATE POLICY ${t}_officer ON ${t} FOR ALL TO ${role} USING (${officer}) WITH CHECK (${officer})`);
      await q.query(`CREATE POLICY ${t}_trader ON ${t} FOR SELECT TO ${role} USING ${trader('participant_id')}`);
    }

    // sessions: a login opens its session in the scope of who logged in; officers revoke any.
    await rls('sessions');
    await q.query(
      `CREATE POLICY sessions_officer ON sessions FOR ALL TO ${role} USING (${officer}) WITH CHECK (${officer})`,
    );
    await q.query(`CREATE POLICY sessions_trader ON sessions FOR ALL TO ${role} USING ${trader('participant_id')}
                     WITH CHECK (role = 'TRADER' AND ${trader('participant_id')})`);

    // Hashes: write-only for the request role.
    await q.query(`REVOKE SELECT, UPDATE ON sessions FROM ${role}`);
    await q.query(`GRANT SELECT (id, participant_id, user_account_id, role, auth_method, username, must_change_password,
                     authn_detail, created_at, last_seen_at, idle_expires_at, expires_at, revoked_at) ON sessions TO ${role}`);
    await q.query(`GRANT UPDATE (revoked_at) ON sessions TO ${role}`);
    await q.query(`REVOKE SELECT, UPDATE ON user_accounts FROM ${role}`);
    await q.query(`GRANT SELECT (id, username, role, participant_id, contract_id, must_change_password,
                     password_changed_at, created_at, disabled_at) ON user_accounts TO ${role}`);
    await q.query(`GRANT UPDATE (password_hash, must_change_password, password_changed_at, disabled_at)
                     ON user_accounts TO ${role}`);

    // Counters, rate limits, challenges, used assertions: any request that bound a scope.
    for (const t of [
      'login_throttle',
      'login_challenges',
      'used_portal_assertions',
      'challenge_rate_limits',
      'complaint_rate_limits',
    ]) {
      await rls(t);
      await q.query(
        `CREATE POLICY ${t}_request ON ${t} FOR ALL TO ${role} USING (${anyRequest}) WITH CHECK (${anyRequest})`,
      );
    }

    // complaints: the officer setting replaces "no participant = officer".
    for (const p of ['complaints_read', 'complaints_file', 'complaints_handle'])
      await q.query(`DROP POLICY ${p} ON complaints`);
    await q.query(`CREATE POLICY complaints_officer ON complaints FOR ALL TO ${role}
                     USING (${officer}) WITH CHECK (${officer})`);
    await q.query(
      `CREATE POLICY complaints_trader_read ON complaints FOR SELECT TO ${role} USING ${trader('participant_id')}`,
    );
    await q.query(`CREATE POLICY complaints_trader_file ON complaints FOR INSERT TO ${role}
                     WITH CHECK (channel = 'ELECTRONIC' AND ${trader('participant_id')})`);
    await q.query(`CREATE POLICY complaints_anonymous_file ON complaints FOR INSERT TO ${role}
                     WITH CHECK (${scope} = 'anonymous' AND channel = 'ELECTRONIC' AND participant_id IS NULL)`);
    // An anonymous filer reads back only what its own transaction wrote.
    await q.query(`CREATE POLICY complaints_anonymous_read ON complaints FOR SELECT TO ${role}
                     USING (${scope} = 'anonymous' AND xmin = pg_current_xact_id_if_assigned()::xid)`);

    // audit_records: officers and the auditor read all, a trader their own; only the auditor appends.
    await q.query(`DROP POLICY audit_records_read ON audit_records`);
    await q.query(`DROP POLICY audit_records_append ON audit_records`);
    await q.query(`CREATE POLICY audit_records_officer ON audit_records FOR SELECT TO ${role}
                     USING (${officer} OR ${auditor})`);
    await q.query(`CREATE POLICY audit_records_trader ON audit_records FOR SELECT TO ${role}
                     USING (${trader('participant_id')} OR ${trader('login_participant_id')})`);
    await q.query(`CREATE POLICY audit_records_append ON audit_records FOR INSERT TO ${role} WITH CHECK (${auditor})`);
    // Checkpoints are public (served as signed notes); only the auditor signs new ones.
    await rls('audit_checkpoints');
    await q.query(`CREATE POLICY audit_checkpoints_read ON audit_checkpoints FOR SELECT TO ${role} USING (true)`);
    await q.query(
      `CREATE POLICY audit_checkpoints_sign ON audit_checkpoints FOR INSERT TO ${role} WITH CHECK (${auditor})`,
    );

    // What the credential functions read and write, and nothing else.
    await q.query(`GRANT SELECT (id, username, password_hash, role, participant_id, contract_id, must_change_password,
                     password_changed_at, disabled_at) ON user_accounts TO ${cred}`);
    await q.query(
      `GRANT UPDATE (password_hash, must_change_password, password_changed_at) ON user_accounts TO ${cred}`,
    );
    await q.query(`GRANT SELECT (id, number, status) ON contracts TO ${cred}`);
    await q.query(`GRANT SELECT ON sessions TO ${cred}`);
    await q.query(`GRANT UPDATE (last_seen_at, idle_expires_at) ON sessions TO ${cred}`);
    await q.query(`GRANT SELECT (participant_id, unblocked_at) ON participant_blocks TO ${cred}`);
    await q.query(`GRANT SELECT (id, voen, fin) ON participants TO ${cred}`);
    for (const t of ['user_accounts', 'contracts', 'sessions', 'participant_blocks', 'participants']) {
      await q.query(`CREATE POLICY ${t}_credentials ON ${t} FOR ALL TO ${cred} USING (true) WITH CHECK (true)`);
    }

    const definer = `SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp`;
    // The digest of a PHC string: what follows its last '$'.
    const digest = (col: string) => `substring(${col}, '[$]([^$]*)$')`;
    await q.query(`
      CREATE FUNCTION auth_password_params(p_username text) RETURNS TABLE (params text, digest_length integer)
      LANGUAGE sql STABLE ${definer} AS $$
        SELECT left(a.password_hash, length(a.password_hash) - length(${digest('a.password_hash')}) - 1),
               length(${digest('a.password_hash')})
          FROM user_accounts a WHERE a.username = p_username
      $$`);
    await q.query(`
      CREATE FUNCTION auth_password_login(p_username text, p_digest text)
      RETURNS TABLE (id bigint, username text, role text, participant_id bigint, contract_id bigint, contract_status text,
                     contract_number text, must_change_password boolean, password_changed_at timestamptz,
                     disabled_at timestamptz)
      LANGUAGE sql STABLE ${definer} AS $$
        SELECT a.id, a.username, a.role, a.participant_id, a.contract_id, c.status, c.number, a.must_change_password,
               a.password_changed_at, a.disabled_at
          FROM user_accounts a LEFT JOIN contracts c ON c.id = a.contract_id
         WHERE a.username = p_username AND coalesce(p_digest, '') <> '' AND ${digest('a.password_hash')} = p_digest
      $$`);
    // p_changed_at null: a re-hash of the same password (new parameters); else a password change,
    // refused for a disabled account.
    await q.query(`
      CREATE FUNCTION auth_set_password(p_account_id bigint, p_old_digest text, p_new_hash text, p_changed_at timestamptz)
      RETURNS boolean LANGUAGE plpgsql VOLATILE ${definer} AS $$
      BEGIN
        UPDATE user_accounts a
           SET password_hash = p_new_hash,
               must_change_password = CASE WHEN p_changed_at IS NULL THEN a.must_change_password ELSE false END,
               password_changed_at = coalesce(p_changed_at, a.password_changed_at)
         WHERE a.id = p_account_id AND coalesce(p_old_digest, '') <> '' AND ${digest('a.password_hash')} = p_old_digest
           AND (p_changed_at IS NULL OR a.disabled_at IS NULL);
        RETURN FOUND;
      END $$`);
    // A live session: not revoked or expired, its participant not blocked, its password account not
    // disabled nor under a contract that is not ACTIVE. The idle window slides at most once a minute.
    await q.query(`
      CREATE FUNCTION auth_session(p_token_hash bytea, p_now timestamptz, p_idle_seconds integer)
      RETURNS TABLE (id bigint, participant_id bigint, user_account_id bigint, role text, auth_method text,
                     username text, must_change_password boolean, expires_at timestamptz)
      LANGUAGE plpgsql VOLATILE ${definer} AS $$
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
      END $$`);
    await q.query(`
      CREATE FUNCTION auth_participant_of_subject(p_voen text, p_fin text) RETURNS bigint
      LANGUAGE sql STABLE ${definer} AS $$
        SELECT p.id FROM participants p
         WHERE (p_voen IS NOT NULL AND p.voen = p_voen::char(10))
            OR (p_voen IS NULL AND p_fin IS NOT NULL AND p.fin = p_fin::char(7))
         ORDER BY p.id LIMIT 1
      $$`);
    const functions = [
      'auth_password_params(text)',
      'auth_password_login(text, text)',
      'auth_set_password(bigint, text, text, timestamptz)',
      'auth_session(bytea, timestamptz, integer)',
      'auth_participant_of_subject(text, text)',
    ];
    // The new owner needs CREATE on the schema for the transfer only.
    await q.query(`GRANT CREATE ON SCHEMA public TO ${cred}`);
    for (const f of functions) {
      await q.query(`ALTER FUNCTION ${f} OWNER TO ${cred}`);
      await q.query(`REVOKE ALL ON FUNCTION ${f} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${f} TO ${role}`);
    }
    await q.query(`REVOKE CREATE ON SCHEMA public FROM ${cred}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const role = this.role;
    const cred = `${role}_credentials`;
    const tenant = `NULLIF(current_setting('app.participant_id', true), '')`;
    for (const f of [
      'auth_password_params(text)',
      'auth_password_login(text, text)',
      'auth_set_password(bigint, text, text, timestamptz)',
      'auth_session(bytea, timestamptz, integer)',
      'auth_participant_of_subject(text, text)',
    ])
      await q.query(`DROP FUNCTION IF EXISTS ${f}`);
    const policies: [string, string[]][] = [
      ['participants', ['participants_officer', 'participants_trader', 'participants_credentials']],
      ['rollup_participants', ['rollup_participants_trader']],
      ['contracts', ['contracts_officer', 'contracts_trader', 'contracts_credentials']],
      ['user_accounts', ['user_accounts_officer', 'user_accounts_trader', 'user_accounts_credentials']],
      [
        'participant_blocks',
        ['participant_blocks_officer', 'participant_blocks_trader', 'participant_blocks_credentials'],
      ],
      ['sessions', ['sessions_officer', 'sessions_trader', 'sessions_credentials']],
      ['login_throttle', ['login_throttle_request']],
      ['login_challenges', ['login_challenges_request']],
      ['used_portal_assertions', ['used_portal_assertions_request']],
      ['challenge_rate_limits', ['challenge_rate_limits_request']],
      ['complaint_rate_limits', ['complaint_rate_limits_request']],
      ['audit_checkpoints', ['audit_checkpoints_read', 'audit_checkpoints_sign']],
    ];
    for (const [t, ps] of policies) {
      for (const p of ps) await q.query(`DROP POLICY IF EXISTS ${p} ON ${t}`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
    }
    for (const p of [
      'complaints_officer',
      'complaints_trader_read',
      'complaints_trader_file',
      'complaints_anonymous_file',
      'complaints_anonymous_read',
    ])
      await q.query(`DROP POLICY IF EXISTS ${p} ON complaints`);
    await q.query(`CREATE POLICY complaints_read ON complaints FOR SELECT TO ${role}
                     USING (${tenant}::bigint IS NULL OR participant_id = ${tenant}::bigint)`);
    await q.query(`CREATE POLICY complaints_file ON complaints FOR INSERT TO ${role}
                     WITH CHECK (participant_id IS NOT DISTINCT FROM ${tenant}::bigint)`);
    await q.query(`CREATE POLICY complaints_handle ON complaints FOR UPDATE TO ${role}
                     USING (${tenant}::bigint IS NULL) WITH CHECK (${tenant}::bigint IS NULL)`);
    for (const p of ['audit_records_officer', 'audit_records_trader', 'audit_records_append'])
      await q.query(`DROP POLICY IF EXISTS ${p} ON audit_records`);
    await q.query(`CREATE POLICY audit_records_read ON audit_records FOR SELECT TO ${role}
                     USING (${tenant} IS NULL OR participant_id = ${tenant}::bigint
                            OR login_participant_id = ${tenant}::bigint)`);
    await q.query(`CREATE POLICY audit_records_append ON audit_records FOR INSERT TO ${role} WITH CHECK (true)`);
    await q.query(`GRANT SELECT, UPDATE ON sessions, user_accounts TO ${role}`);
    await q.query(`REVOKE ALL ON user_accounts, contracts, sessions, participant_blocks, participants FROM ${cred}`);
  }
}
