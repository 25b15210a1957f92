import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditService } from '../../src/audit/audit.service';
import { generateSigningKey, writeKeyFiles, type SigningKey } from '../../src/audit/signing';
import { verifyAuditChain, type VerifyResult } from '../../src/audit/verify';
import { RequestDb, AUDITOR } from '../../src/db/tenant';
import { FixedClock } from '../../src/shared/clock';
import { resetData, testDb } from '../support/db';
import { gql } from '../support/server';
import { asAttacker, auditEntry, auditRows, rewriteChain } from './helpers';

describe('audit chain: append-only, hash-chained, signed checkpoints', () => {
  let key: SigningKey;
  let dir: string;
  let svc: AuditService;
  let rdb: RequestDb;

  const verify = (opts: { witness?: boolean } = {}): Promise<VerifyResult> =>
    verifyAuditChain({ query: (t, p) => testDb().ds.query(t, p) }, key, {
      witnessFile:
        opts.witness === false
          ? null
          : (fs
              .readdirSync(dir)
              .map((f) => path.join(dir, f))
              .find((f) => f.endsWith('.jsonl')) ?? null),
      pageSize: 7,
    });

  const idAt = async (seq: number) => (await auditRows('seq = $1', [seq]))[0].id;

  beforeEach(async () => {
    await resetData();
    const { ds, config } = testDb();
    key = generateSigningKey();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-chain-'));
    rdb = new RequestDb(ds, config.db.appRole);
    svc = new AuditService(ds, rdb, config, new FixedClock(new Date('2025-01-01T01:00:00Z')), { key, witnessDir: dir });
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function writeRecords(n: number): Promise<void> {
    for (let i = 1; i <= n; i++) await svc.append(auditEntry(i, 'chain'));
  }

  it('refuses UPDATE, DELETE and TRUNCATE to the request role, and to the owner (triggers)', async () => {
    await writeRecords(2);
    await svc.checkpoint();
    for (const t of ['audit_records', 'audit_checkpoints']) {
      for (const stmt of [`UPDATE ${t} SET seq = seq`, `DELETE FROM ${t}`, `TRUNCATE ${t}`]) {
        const err = await rdb
          .run(AUDITOR, (sql) => sql.query(stmt))
          .then(
            () => null,
            (e: Error) => e,
          );
        expect(String(err), stmt).to.match(/permission denied/);
      }
      // TRUNCATE … CASCADE from a referencing table would reach them the same way.
      for (const stmt of [`UPDATE ${t} SET seq = seq`, `DELETE FROM ${t}`, `TRUNCATE ${t}`, `TRUNCATE ${t} CASCADE`]) {
        const err = await testDb()
          .ds.query(stmt)
          .then(
            () => null,
            (e: Error) => e,
          );
        expect(String(err), `owner: ${stmt}`).to.match(/append-only/);
      }
    }
    // The chain head too: emptied, it would be rebuilt from the newest record, hiding a deletion of it.
    const headErr = await testDb()
      .ds.query('TRUNCATE audit_chain_head')
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(String(headErr), 'owner: TRUNCATE audit_chain_head').to.match(/append-only/);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM audit_records');
    expect(n).to.equal(2);
    const [{ c }] = await testDb().ds.query('SELECT count(*)::int AS c FROM audit_checkpoints');
    expect(c).to.equal(1);
    expect((await verify()).ok).to.equal(true);
  });

  it('keeps a valid chain under 50 concurrent requests (one chain position each, every link intact)', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => gql(`query Q${i} { me { role } }`)));
    expect(results.every((r) => r.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED')).to.equal(true);
    const rows = await auditRows();
    expect(rows.map((r) => Number(r.seq))).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.operation_name)).size).to.equal(50);
    rows.forEach((r, i) => expect(r.prev_hash).to.equal(i === 0 ? '00'.repeat(32) : rows[i - 1].hash));
    const v = await verify();
    expect(v).to.include({ ok: true, records: 50 });
  });

  it('keeps one chain when two service instances write at the same time (advisory lock)', async () => {
    const { ds, config } = testDb();
    const other = new AuditService(ds, rdb, config, new FixedClock(new Date()), { key, witnessDir: null });
    const writes = Array.from({ length: 60 }, (_, i) => (i % 2 ? svc : other).append(auditEntry(i + 1, 'chain')));
    const ids = await Promise.all(writes);
    expect(new Set(ids.map((x) => x.seq)).size).to.equal(60);
    await svc.checkpoint();
    expect(await verify()).to.include({ ok: true, records: 60 });
  });

  it('never fails a write when six instances race for the chain head in waves', async () => {
    // Each wave lets every instance's cached head go stale; a writer that only retried
    // optimistically could lose every round and answer AUDIT_UNAVAILABLE.
    const { ds, config } = testDb();
    const instances = [
      svc,
      ...[1, 2, 3, 4, 5].map(
        () => new AuditService(ds, rdb, config, new FixedClock(new Date()), { key, witnessDir: null }),
      ),
    ];
    let n = 0;
    for (let wave = 0; wave < 20; wave += 1) {
      const ids = await Promise.all(
        Array.from({ length: 12 }, (_, i) => instances[i % 6].append(auditEntry(++n, 'chain'))),
      );
      expect(ids).to.have.length(12);
    }
    expect(await verify()).to.include({ ok: true, records: n });
  });

  it('verifies a sound chain with its checkpoints and witness log', async () => {
    await writeRecords(5);
    const cp = await svc.checkpoint();
    expect(cp).to.include({ seq: '5' });
    expect(await svc.checkpoint()).to.equal(null); // nothing new to sign
    await writeRecords(3);
    const v = await verify();
    expect(v).to.include({ ok: true, records: 8, checkpoints: 1, witnessEntries: 1 });
    expect(v.warnings.join()).to.match(/3 record\(s\) after the newest checkpoint/);
  });

  it('reports an edited record (content no longer matches its hash)', async () => {
    await writeRecords(10);
    await svc.checkpoint();
    await asAttacker((c) =>
      c
        .query(`UPDATE audit_records SET outcome = 'ERROR', error_codes = '{FORBIDDEN}' WHERE seq = 4`)
        .then(() => undefined),
    );
    const v = await verify();
    expect(v.ok).to.equal(false);
    expect(v.broken).to.deep.include({ recordId: await idAt(4), seq: '4' });
    expect(v.broken!.reason).to.match(/altered/);
  });

  it('reports a record removed from the middle of the chain', async () => {
    await writeRecords(6);
    const gone = await idAt(3);
    await asAttacker((c) => c.query('DELETE FROM audit_records WHERE seq = 3').then(() => undefined));
    const v = await verify();
    expect(v.broken).to.deep.include({ recordId: await idAt(4), seq: '4' });
    expect(v.broken!.reason).to.match(/positions 3\.\.3 are missing/);
    expect(gone).not.to.equal(v.broken!.recordId);
  });

  it('reports the newest records deleted, through the checkpoint table and, if that is cleared too, the witness log', async () => {
    await writeRecords(10);
    await svc.checkpoint();
    const head = await idAt(10);
    await asAttacker((c) => c.query('DELETE FROM audit_records WHERE seq >= 8').then(() => undefined));
    const v = await verify();
    expect(v.ok).to.equal(false);
    expect(v.broken).to.deep.include({ recordId: head, seq: '10' });
    expect(v.broken!.reason).to.match(/missing \(newest records deleted\); the chain now ends at seq 7/);
    // Covering the tracks in the database as well: the witness log outside it still names the head.
    await asAttacker((c) => c.query('DELETE FROM audit_checkpoints').then(() => undefined));
    const w = await verify();
    expect(w.ok).to.equal(false);
    expect(w.broken).to.deep.include({ recordId: head, seq: '10' });
    expect(w.broken!.reason).to.match(/witness/);
    // Without any checkpoint the chain head the writers advanced (never lowered) still names the gap.
    const h = await verify({ witness: false });
    expect(h.ok).to.equal(false);
    expect(h.broken).to.deep.include({ firstBadSeq: '8', seq: '10' });
    expect(h.broken!.reason).to.match(/positions 8\.\.10 are missing/);
  });

  it('reports a chain rewritten with every hash recomputed (the signed head no longer matches)', async () => {
    await writeRecords(10);
    await svc.checkpoint();
    await asAttacker((c) =>
      rewriteChain(c, 1, 3, 'outcome', (rec) => {
        rec.outcome = 'ERROR';
      }),
    );
    const v = await verify();
    expect(v.ok).to.equal(false);
    expect(v.broken).to.deep.include({ recordId: await idAt(10), seq: '10' });
    expect(v.broken!.reason).to.match(/differs from the signed root \(chain rewritten/);
    // The links themselves are consistent: without the checkpoints only the head the writers recorded
    // reveals the rewrite.
    await asAttacker((c) => c.query('DELETE FROM audit_checkpoints').then(() => undefined));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const w = await verify();
    expect(w.broken).to.deep.include({ seq: '10', firstBadSeq: '10' });
    expect(w.broken!.reason).to.match(/altered and its hash recomputed/);
  });

  it('reports a checkpoint that the service key did not sign', async () => {
    await writeRecords(3);
    const forger = new AuditService(testDb().ds, rdb, testDb().config, new FixedClock(new Date()), {
      key: generateSigningKey(),
      witnessDir: null,
    });
    await forger.checkpoint();
    const v = await verify();
    expect(v.broken).to.deep.include({ seq: '3', recordId: await idAt(3) });
    expect(v.broken!.reason).to.match(/signature invalid/);
  });

  it('npm run audit-verify exits 0 on a sound chain and non-zero naming the first broken record id', async function () {
    this.timeout(120_000);
    const keyFile = writeKeyFiles(path.join(dir, 'keys'), key);
    await writeRecords(4);
    await svc.checkpoint();
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: testDb().url,
      AUDIT_SIGNING_KEY_FILE: keyFile,
      AUDIT_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    };
    const run = () =>
      spawnSync('npm', ['run', '-s', 'audit-verify'], { cwd: testDb().config.rootDir, env, encoding: 'utf8' });
    const ok = run();
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(
      /audit chain verified: 4 record\(s\), 1 checkpoint\(s\) in the database, 1 in the witness log/,
    );
    await asAttacker((c) =>
      c.query(`UPDATE audit_records SET variables = '{"x":1}' WHERE seq = 2`).then(() => undefined),
    );
    const bad = run();
    expect(bad.status).to.equal(1);
    expect(bad.stdout).to.contain(`first broken record id: ${await idAt(2)}`);
    expect(bad.stdout).to.match(/altered/);
  });
});
