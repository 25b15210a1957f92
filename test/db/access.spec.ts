import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { ComplaintEntity, DeclarationEntity } from '../../src/db/entities';
import { MIGRATION_FILES, migrations, migrationSql } from '../../src/db/migrations';
import { findPool, ownerTransaction, poolOf, withOwnerClient } from '../../src/db/pool';
import { ANONYMOUS, AUDITOR, RequestDb, requestPrelude, scopeOf, statement, traderScope } from '../../src/db/tenant';
import { beforeFreshData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';

const who = statement<{ role: string; tenant: string }>(
  `SELECT current_user AS role, current_setting('app.participant_id', true) AS tenant`,
);

describe('the database module (src/db)', () => {
  let rdb: RequestDb;
  let a: string;
  let b: string;
  beforeFreshData(async () => {
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

  it('writes the RLS set-up once: begin, request role, statement timeout, scope and tenant', () => {
    expect(requestPrelude('customs_app', traderScope('42'), 1500)).to.deep.equal([
      'BEGIN',
      'SET LOCAL ROLE customs_app',
      'SET LOCAL statement_timeout = 1500',
      "SELECT set_config('app.scope', 'trader', true), set_config('app.participant_id', '42', true)",
    ]);
    expect(requestPrelude('customs_app', scopeOf({ role: 'OFFICER', participantId: null }))[2]).to.equal(
      "SELECT set_config('app.scope', 'officer', true), set_config('app.participant_id', '', true)",
    );
    expect(requestPrelude('customs_app', AUDITOR)[2]).to.match(/'app\.scope', 'auditor'.*'app\.participant_id', ''/);
    expect(() => requestPrelude('customs_app', traderScope("1'; DROP TABLE x; --"))).to.throw(/decimal bigint/);
    expect(() => requestPrelude('customs_app', { kind: "officer', true); --" } as never)).to.throw(/scope/);
    expect(() => requestPrelude('x; DROP', ANONYMOUS)).to.throw(/not a role name/);
  });

  it('repositories run inside the request transaction: request role, tenant filter applied', async () => {
    const numbers = await rdb.run(traderScope(a), (tx) =>
      tx.repo(DeclarationEntity).find({ select: { number: true } }),
    );
    expect(numbers.map((d) => d.number)).to.deep.equal(['A-1']);
    // Without a tenant, the tenant policy hides every declaration.
    expect(await rdb.run(ANONYMOUS, (tx) => tx.repo(DeclarationEntity).count())).to.equal(0);
    const [me] = await rdb.run(traderScope(a), (tx) => tx.query<{ role: string }>('SELECT current_user AS role'));
    expect(me.role).to.equal(testDb().config.db.appRole);
  });

  it("a repository write that breaks a row-level policy is refused (another participant's complaint)", async () => {
    const err = await rdb
      .run(traderScope(a), (tx) =>
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
        traderScope(a),
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
        await conn.batch(ANONYMOUS, { who }, { commit: false });
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
  const read = (file: string): string => fs.readFileSync(path.join(dir, `${file}.sql`), 'utf8').replace(/\r\n/g, '\n');

  /**
   * The SHA-256 of every shipped migration. A new migration adds its line; editing a shipped file
   * fails here: a migration must keep doing what it did the day it shipped (write a new one).
   */
  const SHIPPED: Record<string, string> = {
    '1764000000000-Initial': 'ca057dba0340ada00fdcd0714f51080a0e71a623b575467d69944df200d81aa9',
    '1764000000100-PasswordAccess': 'dc765c0c1e02807124b049fc60230f35f63c3f4a7adbb551788f183cb678aba1',
    '1764000000200-Audit': 'aa46521bdf52a5749b16055ef2e44bdfd1b0e9a4735e5e629ef3ed8afb588352',
    '1764000000300-Complaints': '5710960da1bf1de07d2f30c5ea5f7b09ca75f791a933f29a88f12d955c06436e',
    '1764000000400-SignatureLogin': '11cf916e60c7a8cad581d824a7caa400623a4ae432cd782c39163add29df65f0',
    '1764000000500-TradeRollups': '6c4cf69dc7fb7249c683029922fccd2d6e74567caacaec6443572b02a3a94614',
    '1764000000600-AuditNoTruncate': '4dbf3e60442ba939985e091abcaa3484e8ec956b2084f0bec780c17f49e507eb',
    '1764000000700-GeneratedColumnMetadata': '38ac2a80611077ceb2b1fa59875b8caaebc3a0f253483e72dc8140cfe1771993',
    '1764000000800-AuditActorAndRefusals': 'ca688839142f04fcaaa9c9877ab11cf94cab7e60725e1da02623e43092cacab7',
    '1764000000900-OfficerActionsAndBlocks': 'ce29cb9b3453fea80b17fb87cdcd5e683ddc8be08b4ec7f344e6f1c1098ee6ef',
    '1764000001000-AuditTransparencyLog': '89c99307388b3ec88cc30cef5b1b300fea043aa9be57e894de309f9720d4ec5a',
    '1764000001100-AuditReceipts': '50e10da41042a74f83cf1517df4fd6e659b5cb4d5d4020cfc383fff91b0237d5',
    '1764000001200-RowSecurityEverywhere': 'a2e6276147e76633d6aaabede7c1957415e20cd2d1f9a1188ecf5606b00b5739',
    '1764000001300-RateLimits': '6086f46aacff7f6ee52c1b1dc3f8daee4baf9cc369dec6a5adb41666baa8e9f4',
    '1764000001400-HsNomenclature': '5db558a001e723faf43af96e570622916b30bd64a54a2edabe213048b9fe7f5d',
    '1764000001500-ExportAudit': '1de744571fc219618e94f7c432efa4d1c1c95b3b3fa77222c112b44f72add51a',
    '1764000001600-RollupsForEveryTrader': 'd526822b7551058e3b2dd72a430b0aa142e8d0c962fd79ddb8ef85d1e5449bdd',
    '1764000001640-SessionRevokedNotify': '6f406ecb480dde864bbbf8528a07e3745505da86e396a77ad740ec8875d531e8',
    '1764000001700-RateSlotCounters': 'd7d43ea0900dd1a1e4e7d33168bed800919da7a9bde9ce2992768180d01a7307',
  };

  it('are the SQL files listed in index.ts, in order, each unchanged since it shipped', () => {
    const onDisk = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.slice(0, -4))
      .sort();
    expect([...MIGRATION_FILES].sort()).to.deep.equal(onDisk);
    expect([...MIGRATION_FILES]).to.deep.equal(Object.keys(SHIPPED));
    for (const f of MIGRATION_FILES) {
      expect(
        crypto.createHash('sha256').update(read(f)).digest('hex'),
        `${f}.sql was edited after it shipped`,
      ).to.equal(SHIPPED[f]);
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))).to.deep.equal(['index.ts']);
  });

  it('take the request role as their only input, and refuse a role that is not a plain name', () => {
    for (const f of MIGRATION_FILES) {
      const tokens = [...read(f).matchAll(/\{\{([^}]*)\}\}/g)].map((m) => m[1]);
      expect(new Set(tokens), f).to.satisfy((s: Set<string>) => [...s].every((t) => t === 'app_role'));
      const { up, down } = migrationSql(f, 'some_role');
      expect(up + down, f).not.to.include('{{');
      expect(up.trim(), f).not.to.equal('');
    }
    for (const bad of ['Some_Role', 'x; DROP TABLE participants', 'a-b', '', '1abc']) {
      expect(() => migrationSql(MIGRATION_FILES[0], bad), bad).to.throw(/not a role name/);
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
      'AuditReceipts1764000001100',
      'RowSecurityEverywhere1764000001200',
      'RateLimits1764000001300',
      'HsNomenclature1764000001400',
      'ExportAudit1764000001500',
      'RollupsForEveryTrader1764000001600',
      'SessionRevokedNotify1764000001640',
      'RateSlotCounters1764000001700',
    ]);
    const applied: { name: string }[] = await testDb().ds.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).to.deep.equal(list.map((m) => m.name));
  });
});
