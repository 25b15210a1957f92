/**
 * The cost of receipts and proofs (issue 10): records per second appended with the checkpointer
 * running every second, without and with the stored tree (audit_tree_nodes), and proofs served from
 * the stored tree at a million records: size and time of an inclusion and a consistency proof (one
 * statement each, O(log n) rows), checked against the in-memory root.
 *
 * `runReceiptsBench()` is called by the bench runner (BENCH_ONLY=receipts); alone:
 * `node -r ./scripts/register.js bench/receipts.bench.ts`. RECEIPTS_BENCH_RECORDS (default 10000 per
 * measurement), RECEIPTS_BENCH_LEAVES (default 1000000) and DATABASE_URL apply.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditService } from '../src/audit/audit.service';
import { benchEntry } from './audit.bench';
import { CompactRange, leafHash, verifyConsistency, verifyInclusion } from '../src/audit/merkle';
import type { AuditEntryInput } from '../src/audit/record';
import { storedConsistencyProof, storedInclusionProof, storeTreeNodes, type TreeNode } from '../src/audit/tree-store';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded';
import { RequestDb } from '../src/db/tenant';
import { systemClock } from '../src/shared/clock';

const entry = (i: number): AuditEntryInput => benchEntry(i, 'receipts-bench');

export async function runReceiptsBench(opts: { log?: (m: string) => void } = {}): Promise<void> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`${m}\n`));
  const records = Number(process.env.RECEIPTS_BENCH_RECORDS ?? 10_000);
  const leaves = Number(process.env.RECEIPTS_BENCH_LEAVES ?? 1_000_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-receipts-bench-'));
  const external = process.env.DATABASE_URL;
  let embedded: EmbeddedServer | undefined;
  let db: Database | undefined;
  try {
    embedded = external
      ? undefined
      : await startEmbeddedPostgres({
          dataRoot: path.join(os.tmpdir(), `customs-receipts-bench-pg-${process.pid}`),
          port: 0,
          database: 'receiptsbench',
          ephemeral: true,
        });
    const url = external ?? embedded!.url;
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      PKI_ALLOW_TEST_PKI: 'true',
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      DB_POOL_MAX: '20',
      AUDIT_DATA_DIR: path.join(tmp, 'audit'),
      AUDIT_CHECKPOINT_SECONDS: '0',
    });
    db = await openDatabase(config);
    const rdb = new RequestDb(db.ds, config.db.appRole);
    let i = 0;
    const measure = async (treeStore: boolean) => {
      const audit = new AuditService(db!.ds, rdb, config, systemClock, { treeStore, witnessDir: null });
      for (let k = 0; k < 500; k++) await audit.append(entry(++i)); // warm-up
      await audit.checkpoint(); // the first checkpoint verifies the whole chain: not measured
      let stop = false;
      let inCheckpoints = 0;
      const ticker = (async () => {
        while (!stop) {
          await new Promise((r) => setTimeout(r, 1000));
          const s = performance.now();
          await audit.checkpoint();
          inCheckpoints += performance.now() - s;
        }
      })();
      let left = records;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (left > 0) {
            left -= 1;
            await audit.append(entry(++i));
          }
        }),
      );
      const rate = records / ((performance.now() - started) / 1000);
      stop = true;
      await ticker;
      const s = performance.now();
      await audit.checkpoint();
      inCheckpoints += performance.now() - s;
      return { rate, msPer1000: (inCheckpoints / records) * 1000 };
    };
    log(`receipts bench: ${records} records appended by 64 writers, a checkpoint every second`);
    const without = await measure(false);
    const withTree = await measure(true);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_tree_nodes`);
    log(
      `  records/s without the stored tree ${Math.round(without.rate)}, with it ${Math.round(withTree.rate)}` +
        ` (${(((without.rate - withTree.rate) / without.rate) * 100).toFixed(1)} % fewer);` +
        ` checkpointer time per 1000 records ${without.msPer1000.toFixed(0)} ms → ${withTree.msPer1000.toFixed(0)} ms;` +
        ` ${n} tree rows`,
    );

    // A million leaves in audit_tree_nodes (a synthetic tree: the table is emptied first).
    await db.ds.query(`TRUNCATE audit_tree_nodes`);
    const range = CompactRange.empty();
    const leaf = Buffer.alloc(32);
    let pending: TreeNode[] = [];
    let t = performance.now();
    for (let k = 0; k < leaves; k++) {
      leaf.writeUInt32BE(k);
      range.appendLeafHash(leafHash(leaf), (level, idx, hash) => pending.push({ level, idx, hash }));
      if (pending.length >= 100_000) {
        await storeTreeNodes(db.ds, pending);
        pending = [];
      }
    }
    await storeTreeNodes(db.ds, pending);
    const storeMs = performance.now() - t;
    const root = range.root();
    const [{ size }] = await db.ds.query(`SELECT pg_total_relation_size('audit_tree_nodes') AS size`);
    log(
      `  stored tree of ${leaves} leaves: ${(2 * leaves).toLocaleString('en')} rows written in ${(storeMs / 1000).toFixed(1)} s,` +
        ` ${Math.round(Number(size) / 2 ** 20)} MB with its index`,
    );
    const rounds = 300;
    let ms = 0;
    let bytes = 0;
    for (let k = 0; k < rounds; k++) {
      const idx = (k * 7_919 + 13) % leaves;
      t = performance.now();
      const proof = await storedInclusionProof(db.ds, idx, leaves);
      ms += performance.now() - t;
      bytes += proof.length * 32;
      leaf.writeUInt32BE(idx);
      if (!verifyInclusion(idx, leaves, leafHash(leaf), proof, root)) throw new Error('bench: stored proof failed');
    }
    let cMs = 0;
    let cBytes = 0;
    for (let k = 0; k < rounds; k++) {
      const m = ((k * 7_919 + 13) % (leaves - 1)) + 1;
      const old = CompactRange.empty();
      t = performance.now();
      const proof = await storedConsistencyProof(db.ds, m, leaves);
      cMs += performance.now() - t;
      cBytes += proof.length * 32;
      if (k < 3) {
        for (let x = 0; x < m; x++) {
          leaf.writeUInt32BE(x);
          old.appendLeafHash(leafHash(leaf));
        }
        if (!verifyConsistency(m, leaves, old.root(), root, proof)) throw new Error('bench: consistency failed');
      }
    }
    log(
      `  inclusion proof from storage at ${leaves}: ${(bytes / rounds).toFixed(0)} bytes mean, ${(ms / rounds).toFixed(2)} ms mean (one statement)`,
    );
    log(
      `  consistency proof from storage to ${leaves}: ${(cBytes / rounds).toFixed(0)} bytes mean, ${(cMs / rounds).toFixed(2)} ms mean`,
    );
  } finally {
    await db?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runReceiptsBench().catch((e) => {
    process.stderr.write(`receipts bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
