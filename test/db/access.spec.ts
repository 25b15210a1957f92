import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { ComplaintEntity, DeclarationEntity } from '../../src/db/entities';
import { migrations } from '../../src/db/migrations';
import { findPool, ownerTransaction, poolOf, withOwnerClient } from '../../src/db/pool';
import { RequestDb, requestPrelude, statement } from '../../src/db/tenant';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';

const who = statement<{ role: string; tenant: string }>(
  `SELECT current_user AS role, current_setting('app.participant_id', true) AS tenant`,
);

describe('the database module (src/db)', () => {
  let rdb: RequestDb;
  let a: string;
  let b: string;
  before(async () => {
    await resetData();
    const { ds, config } = testDb();
    rdb = new RequestDb(ds, config.db.appRole);
    a = await insertParticipant('1000000001');
    b = await insertParticipant('1000000002');
    await insertDeclarations(a, [{ number: 'A-1', date: '2024-01-02', direction: 'IM', items: [] }]);
    await insertDeclarations(b, [{ number: 'B-1', date: '2024-01-02', direction: 'IM', items: [] }]);
  });

  it('knows the pool of the DataSource it built, and refuses to guess one it did not build', async () => {
    const { ds } = testDb();
    expect(poolOf(ds).totalCount).to.be.greaterThan(0);
    const foreign = new DataSource({ ...ds.options, logging: false } as never);
    await foreign.initialize();
    try {
      expect(findPool(foreign)).to.equal(undefined);
      expect(() => poolOf(foreign)).to.throw(/not built by db\/database/);
      // Its own pool is another one: destroying it leaves the module's pool working.
    } finally {
      await foreign.destroy();
    }
    const [{ one }] = await ds.query('SELECT 1 AS one');
    expect(one).to.equal(1);
  });

  it('writes the RLS set-up once: begin, request role, statement timeout, tenant', () => {
    expect(requestPrelude('customs_app', '42', 1500)).to.deep.equal([
      'BEGIN',
      'SET LOCAL ROLE customs_app',
      'SET LOCAL statement_timeout = 1500',
      "SELECT set_config('app.participant_id', '42', true)",
    ]);
    expect(() => requestPrelude('customs_app', "1'; DROP TABLE x; --")).to.throw(/decimal bigint/);
    expect(() => requestPrelude('x; DROP', null)).to.throw(/not a role name/);
  });

  it('repositories run inside the request transaction: request role, tenant filter applied', async () => {
    const numbers = await rdb.run(a, (tx) => tx.repo(DeclarationEntity).find({ select: { number: true } }));
    expect(numbers.map((d) => d.number)).to.deep.equal(['A-1']);
    // Without a tenant, the tenant policy hides every declaration.
    expect(await rdb.run(null, (tx) => tx.repo(DeclarationEntity).count())).to.equal(0);
    const [me] = await rdb.run(a, (tx) => tx.query<{ role: string }>('SELECT current_user AS role'));
    expect(me.role).to.equal(testDb().config.db.appRole);
  });

  it("a repository write that breaks a row-level policy is refused (another participant's complaint)", async () => {
    const err = await rdb
      .run(a, (tx) =>
        tx.repo(ComplaintEntity).insert({
          channel: 'ELECTRONIC',
          name: 'A',
          patronymic: 'B',
          surname: 'C',
          address: 'Baku',
          body: 'text',
          participantId: b,
          filedAt: new Date(),
          dueDate: '2024-02-01',
        }),
      )
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).to.match(/row-level security/);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM complaints');
    expect(n).to.equal(0);
  });

  it('batches return each statement by name, as the request role with the tenant set', async () => {
    const r = await rdb.withConnection((conn) =>
      conn.batch(
        a,
        { who, declarations: statement<{ number: string }>('SELECT number FROM declarations') },
        {
          commit: true,
        },
      ),
    );
    expect(r.who.rows[0]).to.deep.equal({ role: testDb().config.db.appRole, tenant: a });
    expect(r.declarations.rows.map((x) => x.number)).to.deep.equal(['A-1']);
    expect(r.declarations.rowCount).to.equal(1);
  });

  it('refuses to put a connection back with its request transaction still open, and rolls it back', async () => {
    const err = await rdb
      .withConnection(async (conn) => {
        await conn.batch(null, { who }, { commit: false });
        await conn.query(`INSERT INTO login_throttle (scope, key, failures, window_started_at, last_failure_at)
                          VALUES ('ADDRESS', 'left-open', 1, now(), now())`);
      })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).to.match(/neither committed nor failed/);
    const rows = await testDb().ds.query(`SELECT 1 FROM login_throttle WHERE key = 'left-open'`);
    expect(rows).to.have.length(0);
    // The pool's connections are back to the owner without a tenant.
    const owner = await withOwnerClient(testDb().ds, (c) => c.query(who.text));
    expect(owner.rows[0].role).not.to.equal(testDb().config.db.appRole);
    expect(owner.rows[0].tenant ?? '').to.equal('');
  });

  it('owner transactions commit, and roll back when their function throws', async () => {
    const ds = testDb().ds;
    await ownerTransaction(ds, (c) => c.query(`UPDATE participants SET name = 'Renamed' WHERE id = $1`, [a]));
    await ownerTransaction(ds, async (c) => {
      await c.query(`UPDATE participants SET name = 'Lost' WHERE id = $1`, [a]);
      throw new Error('stop');
    }).catch(() => undefined);
    const [{ name }] = await ds.query('SELECT name FROM participants WHERE id = $1', [a]);
    expect(name).to.equal('Renamed');
  });
});

describe('migrations are frozen', () => {
  const dir = path.join(__dirname, '../../src/db/migrations');

  it('import nothing but TypeORM and each other, and read no configuration', () => {
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const from = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const m of from) expect(m === 'typeorm' || m.startsWith('./'), `${f} imports ${m}`).to.equal(true);
      expect(text, f).not.to.match(/getConfig|process\.env/);
    }
  });

  it('keep their recorded names, with the request role passed in', async () => {
    const list = migrations('some_role').map((M) => new M());
    expect(list.map((m) => m.name)).to.deep.equal([
      'Initial1764000000000',
      'PasswordAccess1764000000100',
      'Audit1764000000200',
      'Complaints1764000000300',
      'SignatureLogin1764000000400',
      'TradeRollups1764000000500',
      'AuditNoTruncate1764000000600',
      'GeneratedColumnMetadata1764000000700',
      'AuditActorAndRefusals1764000000800',
      'OfficerActionsAndBlocks1764000000900',
      'AuditTransparencyLog1764000001000',
      'RateLimits1764000001300',
    ]);
    const applied: { name: string }[] = await testDb().ds.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).to.deep.equal(list.map((m) => m.name));
  });
});
