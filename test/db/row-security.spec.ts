/**
 * Row-level security everywhere the request role reads (issue 10, migration 1764000001200): the
 * database itself refuses what the code forgets. Every table is enumerated from pg_catalog, so a
 * table added later without RLS fails here until it gets policies (or is named non-tenant below).
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import type { PoolClient } from 'pg';
import { hashToken } from '../../src/auth/session.service';
import { hashPassword, passwordDigest, storedPasswordOf } from '../../src/auth/password';
import { withOwnerClient } from '../../src/db/pool';
import { ANONYMOUS, AUDITOR, RequestDb, requestPrelude, scopeOf, traderScope, type DbScope } from '../../src/db/tenant';
import { resetData, testDb } from '../support/db';
import { insertDeclarations } from '../support/fixtures';
import { gql, openSession, testServer, traderToken } from '../support/server';
import { clearThrottle, traderCredentials, legalEntity, login, loginToken, officerSession } from '../auth/helpers';
import { complaintInput, FILE } from '../complaints/helpers';

/** Tables without anyone's data: reference data, and the public audit checkpoints and chain head. */
const NON_TENANT = [
  'countries',
  'hs_chapters',
  'hs_headings',
  'hs_subheadings',
  'hs_sections',
  'customs_posts',
  'customs_procedures',
  'transport_modes',
  'audit_checkpoints',
  'audit_chain_head',
  'audit_tree_nodes',
];

/** The column naming a tenant table's participant (traders see only their own). */
const PARTICIPANT_COLUMN: Record<string, string> = {
  participants: 'id',
  declarations: 'participant_id',
  declaration_items: 'participant_id',
  trade_rollups: 'participant_id',
  rollup_participants: 'participant_id',
  contracts: 'participant_id',
  user_accounts: 'participant_id',
  sessions: 'participant_id',
  participant_blocks: 'participant_id',
  complaints: 'participant_id',
  audit_records: 'coalesce(participant_id, login_participant_id)',
};

/** Counters and one-time values of logins and filings: any request with a scope, never without one. */
const REQUEST_COUNTERS = [
  'login_throttle',
  'login_challenges',
  'used_portal_assertions',
  'challenge_rate_limits',
  'complaint_rate_limits',
];

const CREDENTIAL_FUNCTIONS = [
  'auth_participant_of_subject',
  'auth_password_login',
  'auth_password_params',
  'auth_session',
  'auth_set_password',
];

const appRole = () => testDb().config.db.appRole;

const ITEM = { hs: '8471300000', country: 'DE', net: '1.000', gross: '2.000', azn: '10.00', usd: '6.00' };

/**
 * Runs `fn` as the request role on an owner connection with exactly the settings given (none:
 * nothing bound, as code that forgot the prelude would), then rolls back.
 */
async function asRequestRole<T>(settings: Record<string, string>, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return withOwnerClient(testDb().ds, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(`SET LOCAL ROLE ${appRole()}`);
      for (const [k, v] of Object.entries(settings)) await c.query('SELECT set_config($1, $2, true)', [k, v]);
      return await fn(c);
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

/** The SQLSTATE of a statement as the request role (with `settings`), or 'OK'. */
async function stateOf(settings: Record<string, string>, sql: string, params: unknown[] = []): Promise<string> {
  return asRequestRole(settings, (c) =>
    c.query(sql, params).then(
      () => 'OK',
      (e: { code?: string }) => e.code ?? 'ERROR',
    ),
  );
}

/** Rows of `t` visible in `scope` through RequestDb, or null when the request role may not read it at all. */
async function visible(rdb: RequestDb, scope: DbScope, t: string, where = 'true'): Promise<number | null> {
  return rdb
    .run(scope, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t} WHERE ${where}`))
    .then(
      ([r]) => r.n,
      (e: { code?: string }) => {
        if (e.code === '42501') return null;
        throw e;
      },
    );
}

/** Every relation of the schema the request role holds any privilege on (table or column level). */
async function requestRoleTables(): Promise<{ name: string; rls: boolean; force: boolean }[]> {
  return testDb().ds.query(
    `SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS force
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND (has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
             OR has_any_column_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
      ORDER BY 1`,
    [appRole()],
  );
}

describe('row-level security everywhere the request role reads (issue 10)', function () {
  this.timeout(120000);
  let rdb: RequestDb;
  let a: string;
  let b: string;
  let tokenA: string;
  let officer: string;
  const OFFICER = scopeOf({ role: 'OFFICER', participantId: null });

  before(async () => {
    await resetData();
    await clearThrottle();
    const { services } = await testServer();
    rdb = services.db;
    officer = await officerSession('rls.officer');
    const contractA = await gql(
      `mutation($i: ContractInput!) { registerContract(input: $i) { id participantId: participant { id } } }`,
      { i: legalEntity({ contractNumber: 'RLS-A', voen: '1000000101', name: 'Alpha RLS' }) },
      officer,
    );
    const contractB = await gql(
      `mutation($i: ContractInput!) { registerContract(input: $i) { id participantId: participant { id } } }`,
      { i: legalEntity({ contractNumber: 'RLS-B', voen: '1000000102', name: 'Beta RLS' }) },
      officer,
    );
    expect(contractA.errors, JSON.stringify(contractA.errors)).to.equal(undefined);
    a = contractA.data.registerContract.participantId.id;
    b = contractB.data.registerContract.participantId.id;
    // Password accounts and sessions of both traders (first login, then the chosen password).
    for (const id of [contractA.data.registerContract.id, contractB.data.registerContract.id]) {
      const cred = await traderCredentials(officer, id, 'trader-chosen-password-1');
      await loginToken(cred.username, cred.password);
    }
    await insertDeclarations(a, [{ number: 'RLS-A-1', date: '2024-01-02', direction: 'IM', items: [ITEM] }]);
    await insertDeclarations(b, [{ number: 'RLS-B-1', date: '2024-01-02', direction: 'IM', items: [ITEM] }]);
    tokenA = await traderToken(a);
    const tokenB = await traderToken(b);
    for (const t of [tokenA, tokenB, undefined]) {
      const r = await gql(FILE, { input: complaintInput() }, t);
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    }
    expect((await login('rls.nobody', 'wrong password 123')).errors).to.have.length(1);
    await gql('mutation { createLoginChallenge { id } }');
    await withOwnerClient(testDb().ds, async (c) => {
      await c.query(`INSERT INTO used_portal_assertions (jti, expires_at, used_at) VALUES ('rls-jti', now(), now())`);
      for (const p of [a, b]) {
        await c.query(`INSERT INTO rollup_participants (participant_id) VALUES ($1) ON CONFLICT DO NOTHING`, [p]);
        await c.query(
          `INSERT INTO trade_rollups (participant_id, grain, registration_date, direction, customs_post_code,
             procedure_code, declaration_count, item_count, customs_value_azn, statistical_value_usd, net_weight_kg,
             gross_weight_kg) VALUES ($1, 0, '2024-01-01', 'IM', 'P1', '40', 1, 1, 1, 1, 1, 1)`,
          [p],
        );
      }
    });
    const blocked = await gql(
      `mutation($id: ID!) { blockParticipant(id: $id, reason: "rls test") { id } }`,
      { id: b },
      officer,
    );
    expect(blocked.errors, JSON.stringify(blocked.errors)).to.equal(undefined);
    await testServer().then((s) => s.services.audit.checkpoint({ force: true }));
  });

  it('covers every table the request role can touch: RLS on each, or named non-tenant here', async () => {
    const tables = await requestRoleTables();
    const names = tables.map((t) => t.name);
    for (const t of [...Object.keys(PARTICIPANT_COLUMN), ...REQUEST_COUNTERS]) expect(names).to.include(t);
    for (const t of tables.filter((x) => !NON_TENANT.includes(x.name))) {
      expect(t.rls, `${t.name} has row-level security`).to.equal(true);
      expect(
        Object.keys(PARTICIPANT_COLUMN).includes(t.name) || REQUEST_COUNTERS.includes(t.name),
        `${t.name} is a tenant table or a request counter this spec checks`,
      ).to.equal(true);
    }
  });

  it('as the request role with no setting, every tenant table has rows and shows 0 of them', async () => {
    const tables = (await requestRoleTables()).filter((t) => !NON_TENANT.includes(t.name));
    for (const { name } of tables) {
      const [{ n }] = await testDb().ds.query(`SELECT count(*)::int AS n FROM ${name}`);
      expect(n, `${name} was seeded`).to.be.greaterThan(0);
      for (const settings of [
        {},
        { 'app.participant_id': '' },
        { 'app.scope': '', 'app.participant_id': '' },
      ] as Record<string, string>[]) {
        const seen = await asRequestRole(settings, (c) =>
          c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`).then(
            (r) => r.rows[0].n,
            (e: Error & { code?: string }) => {
              if (e.code === '42501') return 0;
              throw e;
            },
          ),
        );
        expect(seen, `${name} with ${JSON.stringify(settings)}`).to.equal(0);
      }
    }
  });

  it('an empty participant setting is no officer: audit records and complaints stay hidden', async () => {
    for (const t of ['audit_records', 'complaints']) {
      const seen = await asRequestRole({ 'app.participant_id': '' }, (c) =>
        c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`),
      );
      expect(seen.rows[0].n, t).to.equal(0);
      expect(await visible(rdb, OFFICER, t), `${t} as an officer`).to.be.greaterThan(0);
    }
  });

  it("a trader scope sees its own rows and none of another participant's, in every tenant table", async () => {
    for (const [t, col] of Object.entries(PARTICIPANT_COLUMN)) {
      const others = await visible(rdb, traderScope(a), t, `${col} IS DISTINCT FROM ${a}`);
      expect(others ?? 0, `${t}: rows not of participant ${a}`).to.equal(0);
      const [{ n: ownerSeesB }] = await testDb().ds.query(`SELECT count(*)::int AS n FROM ${t} WHERE ${col} = $1`, [b]);
      if (t !== 'participant_blocks') expect(ownerSeesB, `${t} has rows of ${b}`).to.be.greaterThan(0);
    }
    for (const t of ['participants', 'declarations', 'contracts', 'user_accounts', 'sessions', 'complaints']) {
      expect(await visible(rdb, traderScope(a), t), `${t}: own rows`).to.be.greaterThan(0);
    }
    expect(await visible(rdb, traderScope(a), 'audit_records')).to.be.greaterThan(0);
  });

  it('officers see what officer features need, and no declarations', async () => {
    for (const t of ['participants', 'contracts', 'user_accounts', 'sessions', 'participant_blocks', 'complaints']) {
      const [{ n: all }] = await testDb().ds.query(`SELECT count(*)::int AS n FROM ${t}`);
      expect(await visible(rdb, OFFICER, t), t).to.equal(all);
    }
    for (const t of ['declarations', 'declaration_items', 'trade_rollups', 'rollup_participants']) {
      expect(await visible(rdb, OFFICER, t), t).to.equal(0);
    }
  });

  it('the anonymous scope reads counters only, and the complaint its own transaction filed', async () => {
    for (const t of Object.keys(PARTICIPANT_COLUMN)) expect(await visible(rdb, ANONYMOUS, t), t).to.equal(0);
    for (const t of REQUEST_COUNTERS) expect(await visible(rdb, ANONYMOUS, t), t).to.be.greaterThan(0);
    const r = await gql(FILE, { input: complaintInput({ text: 'anonymous, read back' }) });
    expect(r.data?.fileComplaint?.text).to.equal('anonymous, read back');
    expect(await visible(rdb, ANONYMOUS, 'complaints')).to.equal(0);
  });

  it('only the auditor appends audit records, checkpoints and tree nodes; it reads the whole log', async () => {
    const [{ n: all }] = await testDb().ds.query(`SELECT count(*)::int AS n FROM audit_records`);
    expect(await visible(rdb, AUDITOR, 'audit_records')).to.equal(all);
    for (const scope of [OFFICER, traderScope(a), ANONYMOUS]) {
      for (const sql of [
        `INSERT INTO audit_records (seq, occurred_at, request_id, outcome, rows_returned, response_hash, duration_us,
           prev_hash, hash) VALUES (999999, now(), 'forged', 'SUCCESS', 0, '\\x00', 0, '\\x00', '\\x00')`,
        `INSERT INTO audit_checkpoints (seq, record_id, head_hash, created_at, key_id, signature)
           VALUES (1, 1, '\\x00', now(), 'forged', '\\x00')`,
        `INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (40, 0, decode(repeat('ab', 32), 'hex'))`,
      ]) {
        const err = await rdb
          .run(scope, (tx) => tx.query(sql))
          .then(
            () => null,
            (e: Error) => e,
          );
        expect(err?.message, `${scope.kind}: ${sql.slice(0, 30)}`).to.match(/row-level security/);
      }
    }
  });

  it('the officer scope comes only from an officer: traders and forged kinds cannot reach it', () => {
    expect(scopeOf({ role: 'TRADER', participantId: a })).to.deep.equal({ kind: 'trader', participantId: a });
    expect(() => scopeOf({ role: 'TRADER', participantId: null })).to.throw(/no database scope/);
    expect(scopeOf(null)).to.equal(ANONYMOUS);
    const trader = requestPrelude(appRole(), traderScope(a)).join(';');
    expect(trader).to.include("'app.scope', 'trader'").and.not.to.include('officer');
    for (const forged of ['officer', `${a}', true), set_config('app.scope', 'officer`]) {
      expect(() => requestPrelude(appRole(), traderScope(forged))).to.throw(/decimal bigint/);
    }
    expect(() => requestPrelude(appRole(), { kind: 'root' } as never)).to.throw(/not a database scope/);
  });

  it('a trader request path is refused officer data through the API too', async () => {
    for (const q of [
      '{ auditLog(first: 5) { edges { cursor } } }',
      '{ complaints(first: 5) { edges { cursor } } }',
      '{ contracts(first: 5) { edges { cursor } } }',
    ]) {
      const r = await gql(q, {}, tokenA);
      expect(r.errors?.[0]?.extensions?.code, q).to.equal('FORBIDDEN');
    }
  });

  it('password and token hashes cannot be selected by the request role, in any scope or way', async () => {
    const scopes: Record<string, string>[] = [
      {},
      { 'app.scope': 'officer' },
      { 'app.scope': 'auditor' },
      { 'app.scope': 'anonymous' },
      { 'app.scope': 'trader', 'app.participant_id': a },
    ];
    for (const s of scopes) {
      for (const sql of [
        'SELECT password_hash FROM user_accounts',
        'SELECT * FROM user_accounts',
        'SELECT 1 FROM user_accounts WHERE password_hash IS NOT NULL',
        'SELECT u FROM user_accounts u',
        'SELECT token_hash FROM sessions',
        'SELECT * FROM sessions',
        "SELECT 1 FROM sessions WHERE token_hash = '\\x00'",
        'SELECT s FROM sessions s',
        "UPDATE user_accounts SET disabled_at = NULL WHERE password_hash LIKE '$argon2id$%' RETURNING id",
        'CREATE VIEW rls_leak AS SELECT password_hash FROM user_accounts',
        'CREATE FUNCTION rls_leak() RETURNS SETOF text LANGUAGE sql AS $$ SELECT token_hash::text FROM sessions $$',
      ]) {
        expect(await stateOf(s, sql), `${JSON.stringify(s)}: ${sql}`).to.equal('42501');
      }
      // A temporary view is the role's own: reading through it is checked as the role.
      expect(
        await asRequestRole(s, async (c) => {
          await c.query('CREATE TEMP VIEW rls_leak AS SELECT password_hash, 1 AS x FROM user_accounts');
          return c.query('SELECT password_hash FROM rls_leak').then(
            () => 'OK',
            (e: { code?: string }) => e.code,
          );
        }),
      ).to.equal('42501');
    }
    // No view anywhere exposes a hash column, and no function the request role may call returns one.
    const views: unknown[] = await testDb().ds.query(
      `SELECT view_schema, view_name FROM information_schema.view_column_usage
        WHERE column_name IN ('password_hash', 'token_hash')`,
    );
    expect(views).to.deep.equal([]);
    const callable: { name: string; definer: boolean; result: string }[] = await testDb().ds.query(
      `SELECT p.proname AS name, p.prosecdef AS definer, pg_get_function_result(p.oid) AS result
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND has_function_privilege($1, p.oid, 'EXECUTE')
          AND p.prorettype <> 'trigger'::regtype ORDER BY 1`,
      [appRole()],
    );
    expect(callable.filter((f) => f.definer).map((f) => f.name)).to.deep.equal(CREDENTIAL_FUNCTIONS);
    for (const f of callable) expect(f.result, f.name).not.to.match(/hash|bytea/);
  });

  it('the credential functions are owned by a NOLOGIN role the request role is not, with search_path pinned', async () => {
    const rows: { name: string; owner: string; config: string[]; public_exec: boolean }[] = await testDb().ds.query(
      `SELECT p.proname AS name, pg_get_userbyid(p.proowner) AS owner, p.proconfig AS config,
                has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
           FROM pg_proc p WHERE p.proname = ANY($1) ORDER BY 1`,
      [CREDENTIAL_FUNCTIONS],
    );
    expect(rows.map((r) => r.name)).to.deep.equal(CREDENTIAL_FUNCTIONS);
    const cred = `${appRole()}_credentials`;
    for (const r of rows) {
      expect(r.owner, r.name).to.equal(cred);
      expect(r.config, r.name).to.deep.equal(['search_path=pg_catalog, public, pg_temp']);
      expect(r.public_exec, r.name).to.equal(false);
    }
    const [role] = await testDb().ds.query(
      `SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
              pg_has_role($1, oid, 'MEMBER') AS request_role_member,
              (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned,
              has_schema_privilege(oid, 'public', 'CREATE') AS can_create
         FROM pg_roles r WHERE rolname = $2`,
      [appRole(), cred],
    );
    expect(role).to.deep.equal({
      rolcanlogin: false,
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
      request_role_member: false,
      owned: 0,
      can_create: false,
    });
  });

  it('the session function: the right token gives its session, anything else nothing', async () => {
    const { services } = await testServer();
    const issued = await openSession({ role: 'TRADER', authMethod: 'SIGNATURE', participantId: a }, services);
    const resolved = await services.sessions.resolve(issued.token);
    expect(resolved?.sessionId).to.equal(issued.viewer.sessionId);
    expect(resolved?.participantId).to.equal(a);
    const now = new Date();
    const call = (hash: unknown) =>
      rdb.run(ANONYMOUS, (sql) => sql.query(`SELECT * FROM auth_session($1, $2, 60)`, [hash, now]));
    const [row] = await call(hashToken(issued.token));
    expect(Object.keys(row!).sort()).to.deep.equal(
      [
        'auth_method',
        'expires_at',
        'id',
        'must_change_password',
        'participant_id',
        'role',
        'user_account_id',
        'username',
      ].sort(),
    );
    for (const wrong of [
      hashToken(`${issued.token}x`),
      crypto.randomBytes(32),
      Buffer.alloc(0),
      null,
      hashToken(issued.token).subarray(0, 16),
    ]) {
      expect(await call(wrong)).to.deep.equal([]);
    }
    const last = issued.token.endsWith('A') ? 'B' : 'A'; // a last character that differs from the real one
    expect(await services.sessions.resolve(`${issued.token.slice(0, -1)}${last}`)).to.equal(null);
  });

  it('the password functions answer only the right digest, never the hash, and take no SQL from a username', async () => {
    const { services } = await testServer();
    const [{ password_hash: stored }] = await testDb().ds.query(
      `SELECT password_hash FROM user_accounts WHERE username = 'rls.officer'`,
    );
    const params = (u: string) =>
      rdb.run(ANONYMOUS, (sql) =>
        sql.query<{ params: string; digest_length: number }>('SELECT * FROM auth_password_params($1)', [u]),
      );
    const [p] = await params('rls.officer');
    expect(p.params).to.equal(storedPasswordOf(stored).params);
    expect(stored.startsWith(`${p.params}$`)).to.equal(true);
    expect(p.params).not.to.include(stored.slice(stored.lastIndexOf('$') + 1));
    const loginRows = (u: string, digest: string | null) =>
      rdb.run(ANONYMOUS, (sql) => sql.query('SELECT * FROM auth_password_login($1, $2)', [u, digest]));
    const right = await passwordDigest(
      { params: p.params, digestLength: p.digest_length },
      'officer-chosen-password-1',
    );
    const [ok] = await loginRows('rls.officer', right);
    expect(ok).to.include({ username: 'rls.officer', role: 'OFFICER' });
    expect(Object.keys(ok!).join(' ')).not.to.match(/hash/);
    for (const [u, d] of [
      ['rls.officer', await passwordDigest({ params: p.params, digestLength: p.digest_length }, 'wrong')],
      ['rls.officer', ''],
      ['rls.officer', null],
      ['rls.officer', stored],
      ["rls.officer' OR '1'='1", right],
      ["x' OR 1=1 --", right],
      ['%', right],
    ] as const) {
      expect(await loginRows(u, d), `${u} / ${d}`).to.deep.equal([]);
    }
    for (const u of ["' OR '1'='1", "x'; SELECT password_hash FROM user_accounts; --", '%', '']) {
      expect(await params(u), u).to.deep.equal([]);
    }
    // A temporary table named like the real one does not shadow it (search_path pinned, pg_temp last).
    const shadowed = await asRequestRole({ 'app.scope': 'anonymous' }, async (c) => {
      await c.query('CREATE TEMP TABLE user_accounts (id bigint, username text, password_hash text)');
      await c.query(
        `INSERT INTO pg_temp.user_accounts VALUES (1, 'rls.evil', '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$abc')`,
      );
      return (await c.query(`SELECT * FROM auth_password_params('rls.evil')`)).rows;
    });
    expect(shadowed).to.deep.equal([]);
    // auth_set_password replaces a hash only for the digest of the current password.
    const fresh = await hashPassword('rls-new-password-1');
    const set = (digest: string) =>
      rdb.run(ANONYMOUS, (sql) =>
        sql.query<{ done: boolean }>('SELECT auth_set_password($1, $2, $3, NULL) AS done', [ok!.id, digest, fresh]),
      );
    expect((await set('not-the-digest'))[0].done).to.equal(false);
    expect((await set(''))[0].done).to.equal(false);
    const [{ password_hash: still }] = await testDb().ds.query(
      `SELECT password_hash FROM user_accounts WHERE id = $1`,
      [ok!.id],
    );
    expect(still).to.equal(stored);
    expect(services).to.not.equal(undefined);
  });
});
