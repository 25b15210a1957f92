/**
 * Issue 10, found item 2: a forged history got signed. As a superuser with triggers off
 * (session_replication_role = replica) a record's participant and root field were changed and its
 * hash recomputed, and the next checkpoint signed it; deleting the newest record also verified and
 * the next record reused its seq. These tests are those attacks.
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditIntegrityError, type AuditService } from '../../src/audit/audit.service';
import { noteVerifier, openCheckpointNote } from '../../src/audit/checkpoint-note';
import { leafHash, MerkleTree, verifyConsistency, verifyInclusion } from '../../src/audit/merkle';
import { recordHash, rowToRecord, type AuditRow } from '../../src/audit/record';
import { writeKeyFiles } from '../../src/audit/signing';
import { verifyAuditChain } from '../../src/audit/verify';
import { resetData, testDb } from '../support/db';
import { runCli } from '../support/cli';
import { asAttacker, auditEntry, capturedServer, officerToken, rawGql, type CapturedServer } from './helpers';

/** The attack of the probe: change a record's participant and root field, recompute its hash. */
async function forgeRecord(seq: number, participantId: string): Promise<void> {
  await asAttacker(async (c) => {
    const { rows } = await c.query<AuditRow>('SELECT * FROM audit_records WHERE seq = $1', [seq]);
    const rec = rowToRecord(rows[0]);
    rec.participantId = participantId;
    rec.rootFields = ['suspendContract'];
    const { hash: _old, ...content } = rec;
    await c.query(`UPDATE audit_records SET participant_id = $2, root_fields = $3, hash = $4 WHERE seq = $1`, [
      seq,
      participantId,
      rec.rootFields,
      recordHash(content),
    ]);
  });
}

describe('audit integrity: only verified history is signed (issue 10, item 2)', function () {
  this.timeout(120_000);
  let srv: CapturedServer;
  let audit: AuditService;
  let dir: string;
  let n = 0;

  const write = async (count: number) => {
    const out = [];
    for (let i = 0; i < count; i++) out.push(await audit.append(auditEntry(++n, 'integrity')));
    return out;
  };
  const checkpoints = async (): Promise<number> =>
    (await testDb().ds.query(`SELECT count(*)::int AS c FROM audit_checkpoints`))[0].c;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );
  const metric = async (name: string): Promise<number> => {
    const text = await srv.services.metrics.registry.metrics();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  const officerSees = async () => {
    const r = await rawGql(
      `{ serviceStatistics(period: { from: "2025-01-01T00:00:00Z", to: "2025-01-02T00:00:00Z" }) {
           auditIntegrity { ok firstBadSeq reason checkedAt verifiedSize } } }`,
      undefined,
      await officerToken(),
      { url: srv.server.url },
    );
    expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
    return r.body.data.serviceStatistics.auditIntegrity;
  };
  const auditVerify = async () => {
    const keyFile = writeKeyFiles(path.join(dir, `keys-${crypto.randomBytes(3).toString('hex')}`), audit.key);
    return runCli('src/cli/audit-verify.ts', [], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: testDb().url,
        AUDIT_SIGNING_KEY_FILE: keyFile,
        LOG_LEVEL: 'silent',
      },
      timeoutMs: 90_000,
    });
  };

  beforeEach(async () => {
    await resetData();
    srv = await capturedServer();
    audit = srv.services.audit;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-integrity-'));
    n = 0;
  });
  afterEach(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs a C2SP checkpoint of the RFC 6962 tree over the records, verifying only what is new', async () => {
    await write(5);
    const first = (await audit.checkpoint())!;
    await write(4);
    const second = (await audit.checkpoint())!;
    const v = noteVerifier(srv.services.config.audit.logOrigin, audit.key.publicKey);
    const a = openCheckpointNote(first.note!, v, srv.services.config.audit.logOrigin);
    const b = openCheckpointNote(second.note!, v, srv.services.config.audit.logOrigin);
    expect([a.size, b.size]).to.deep.equal([5, 9]);
    // Leaf i is SHA-256(0x00 ‖ hash of the record at seq i + 1).
    const rows: { hash: Buffer }[] = await testDb().ds.query(`SELECT hash FROM audit_records ORDER BY seq`);
    const tree = MerkleTree.fromLeafHashes(rows.map((r) => leafHash(r.hash)));
    expect(tree.root(5).equals(a.rootHash)).to.equal(true);
    expect(tree.root(9).equals(b.rootHash)).to.equal(true);
    expect(verifyConsistency(5, 9, a.rootHash, b.rootHash, tree.consistencyProof(5, 9))).to.equal(true);
    expect(verifyInclusion(6, 9, leafHash(rows[6].hash), tree.inclusionProof(6, 9), b.rootHash)).to.equal(true);
    // The stored row carries the note and its root.
    const [row] = await testDb().ds.query(
      `SELECT tree_size::text AS tree_size, root_hash, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`,
    );
    expect(row.tree_size).to.equal('9');
    expect(row.root_hash.equals(b.rootHash)).to.equal(true);
    expect(row.note).to.equal(second.note);
    expect(audit.integrity()).to.deep.include({ ok: true, firstBadSeq: null, verifiedSize: '9' });
    expect(await metric('audit_integrity_ok')).to.equal(1);
    const r = await auditVerify();
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/audit chain verified: 9 record\(s\), 2 checkpoint\(s\)/);
  });

  it("refuses to sign when a record's participant and root field were changed and its hash recomputed", async () => {
    await write(5);
    await audit.checkpoint();
    await write(3);
    await forgeRecord(8, '424242');
    const e = await refusal(audit.checkpoint());
    expect(e).to.be.instanceOf(AuditIntegrityError);
    expect((e as AuditIntegrityError).firstBadSeq).to.equal('8');
    expect(await checkpoints()).to.equal(1);
    // The alarm: status, metrics, and the flag officers see.
    expect(audit.integrity()).to.deep.include({ ok: false, firstBadSeq: '8', verifiedSize: '5' });
    expect(await metric('audit_integrity_ok')).to.equal(0);
    expect(await metric('audit_integrity_first_bad_seq')).to.equal(8);
    expect(await metric('audit_integrity_failures_total')).to.equal(1);
    const seen = await officerSees();
    expect(seen).to.deep.include({ ok: false, firstBadSeq: '8', verifiedSize: '5' });
    expect(seen.reason).to.match(/altered and its hash recomputed/);
    expect(seen.checkedAt).to.be.a('string');
    // Later records do not wash it out: still refused, still naming seq 8.
    await write(2);
    const again = await refusal(audit.checkpoint());
    expect((again as AuditIntegrityError).firstBadSeq).to.equal('8');
    expect(await checkpoints()).to.equal(1);
    const r = await auditVerify();
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.contain('first bad seq: 8');
  });

  it('refuses to sign after a restart too: a rewritten, already signed record is caught by the signed root', async () => {
    await write(6);
    await audit.checkpoint();
    await forgeRecord(6, '424242');
    await write(1);
    // A fresh service (a restart) verifies the whole chain against the checkpoints signed by its key.
    const restarted = await capturedServer();
    try {
      Object.assign(restarted.services.audit, { key: audit.key });
      const e = await refusal(restarted.services.audit.checkpoint());
      expect(e).to.be.instanceOf(AuditIntegrityError);
      expect((e as AuditIntegrityError).firstBadSeq).to.equal('6');
      expect((e as Error).message).to.match(/differ from the checkpoint signed of them/);
    } finally {
      await restarted.close();
    }
    expect(await checkpoints()).to.equal(1);
  });

  it('never reuses the seq of a deleted newest record; the checkpointer and audit-verify name the missing seq', async () => {
    await write(5);
    await audit.checkpoint();
    await write(2);
    await asAttacker((c) => c.query('DELETE FROM audit_records WHERE seq = 7'));
    // Before any new record: the head the writers advanced still says 7.
    const e = await refusal(audit.checkpoint());
    expect((e as AuditIntegrityError).firstBadSeq).to.equal('7');
    expect((e as Error).message).to.match(/positions 7\.\.7 are missing/);
    // The next record takes seq 8, not 7 again.
    const [next] = await write(1);
    expect(next.seq).to.equal('8');
    const again = await refusal(audit.checkpoint());
    expect((again as AuditIntegrityError).firstBadSeq).to.equal('7');
    expect(await checkpoints()).to.equal(1);
    expect(await officerSees()).to.deep.include({ ok: false, firstBadSeq: '7' });
    const v = await verifyAuditChain({ query: (t, p) => testDb().ds.query(t, p) }, audit.key);
    expect(v.broken).to.deep.include({ firstBadSeq: '7' });
    const r = await auditVerify();
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.contain('first bad seq: 7');
  });

  it('refuses, in the database, an insert that does not continue the chain head (a deleted seq cannot be filled)', async () => {
    await write(3);
    const [row] = await testDb().ds.query(`SELECT * FROM audit_records WHERE seq = 3`);
    await asAttacker((c) => c.query('DELETE FROM audit_records WHERE seq = 3'));
    const cols = Object.keys(row);
    const err = await refusal(
      testDb().ds.query(
        `INSERT INTO audit_records (${cols.join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((c) => row[c]),
      ),
    );
    expect(String(err)).to.match(/do not continue the head at 3/);
  });
});
