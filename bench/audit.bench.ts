/**
 * The cost of query accounting: requests/s and latency of the same GraphQL query over HTTP with
 * and without the audit plugin (group commit into the hash chain), measured in the same run on
 * the same database, at several concurrencies and group-commit windows.
 *
 * `runAuditBench()` is called by the bench runner; `node -r ./scripts/register.js bench/audit.bench.ts`
 * runs it alone. AUDIT_BENCH_REQUESTS (default 2000 per measurement), AUDIT_BENCH_WINDOWS (group-commit
 * windows in ms to compare, default "0", e.g. "0,2") and DATABASE_URL apply.
 *
 * Then the transparency log: records per second appended into the chain by 64 concurrent writers
 * with the checkpointer off and with it checkpointing every second (verifying the new records,
 * extending the RFC 6962 tree and signing a note), the checkpointer's own rate, and the in-memory
 * tree at a million leaves: build rate, inclusion and consistency proof size and time
 * (AUDIT_BENCH_RECORDS, default 20000; AUDIT_BENCH_LEAVES, default 1000000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AuditService } from '../src/audit/audit.service';
import { leafHash, MerkleTree, verifyConsistency, verifyInclusion } from '../src/audit/merkle';
import type { AuditEntryInput } from '../src/audit/record';
import { loadConfig, type AppConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded';
import { startHttpServer, type RunningServer } from '../src/http/server';
import { createServices } from '../src/services';
import { createLogger } from '../src/shared/logger';

export interface AuditBenchRow {
  concurrency: number;
  windowMs: number;
  withoutRps: number;
  withRps: number;
  withoutP50Ms: number;
  withP50Ms: number;
  withP95Ms: number;
  meanBatch: number;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

/** `total` requests from `concurrency` clients; returns requests/s and per-request latencies. */
async function load(
  url: string,
  body: string,
  token: string,
  total: number,
  concurrency: number,
): Promise<{ rps: number; lat: number[] }> {
  let next = 0;
  const lat: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      const t = performance.now();
      const r = await fetch(`${url}/graphql`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      const j = (await r.json()) as { errors?: unknown };
      if (j.errors) throw new Error(`bench query failed: ${JSON.stringify(j.errors)}`);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: total / ((performance.now() - started) / 1000), lat };
}

async function batchStats(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const v = (n: string) => Number(new RegExp(`^${n} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: v('audit_batch_records_sum'), count: v('audit_batch_records_count') };
}

export async function runAuditBench(
  opts: {
    requests?: number;
    concurrencies?: number[];
    windows?: number[];
    log?: (m: string) => void;
  } = {},
): Promise<AuditBenchRow[]> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`${m}\n`));
  const total = opts.requests ?? Number(process.env.AUDIT_BENCH_REQUESTS ?? 2000);
  const concurrencies = opts.concurrencies ?? [1, 16, 64];
  const windows = opts.windows ?? (process.env.AUDIT_BENCH_WINDOWS ?? '0').split(',').map(Number);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-audit-bench-'));
  const external = process.env.DATABASE_URL;
  let embedded: EmbeddedServer | undefined;
  let db: Database | undefined;
  const servers: RunningServer[] = [];
  const rows: AuditBenchRow[] = [];
  try {
    embedded = external
      ? undefined
      : await startEmbeddedPostgres({
          // Not under the 0700 temporary folder: the postgres OS user must reach it.
          dataRoot: path.join(os.tmpdir(), `customs-audit-bench-pg-${process.pid}-${Date.now()}`),
          port: 0,
          database: 'auditbench',
          ephemeral: true,
        });
    const url = external ?? embedded!.url;
    const configFor = (windowMs: number): AppConfig =>
      loadConfig({
        ...process.env,
        NODE_ENV: 'production',
        PKI_ALLOW_TEST_PKI: 'true',
        DATABASE_URL: url,
        LOG_LEVEL: 'silent',
        DB_POOL_MAX: '20',
        AUDIT_DATA_DIR: path.join(tmp, 'audit'),
        AUDIT_GROUP_COMMIT_MS: String(windowMs),
        AUDIT_CHECKPOINT_SECONDS: '0',
      });
    db = await openDatabase(configFor(0));
    const [{ id: pid }] = await db.ds.query(
      `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', 'Bench MMC', '1999999992', now())
       ON CONFLICT DO NOTHING RETURNING id::text AS id`,
    );
    for (let i = 0; i < 20; i++) {
      const [d] = await db.ds.query(
        `INSERT INTO declarations (participant_id, number, registration_date, direction, customs_post_code, procedure_code,
           declarant_name, imported_at) VALUES ($1, $2, '2024-01-10'::date + $3::int, 'IM', '10100', '40', 'x', now()) RETURNING id`,
        [pid, `BENCH-${i}`, i],
      );
      await db.ds.query(
        `INSERT INTO declaration_items (participant_id, declaration_id, item_number, registration_date, direction,
           customs_post_code, procedure_code, hs_code, partner_country, net_weight_kg, gross_weight_kg, customs_value_azn,
           statistical_value_usd) VALUES ($1, $2, 1, '2024-01-10'::date + $3::int, 'IM', '10100', '40', '8471300000', 'CN', 1, 2, 10, 5)`,
        [pid, d.id, i],
      );
    }
    const body = JSON.stringify({
      query: '{ declarations(first: 10) { edges { node { number registrationDate } } } }',
    });
    log(
      `audit bench: ${os.cpus().length} cores, node ${process.version}, ${total} requests per measurement, ` +
        'query declarations(first: 10) as a trader over HTTP',
    );
    log('  window  clients   without audit          with audit                    overhead   records/batch');
    for (const windowMs of windows) {
      const config = configFor(windowMs);
      const services = createServices(config, db.ds);
      const session = await services.sessions.create({
        role: 'TRADER',
        authMethod: 'PASSWORD',
        participantId: pid,
        userAccountId: null,
        username: null,
        mustChangePassword: false,
        detail: {},
      });
      const logger = createLogger({ logLevel: 'silent' });
      const plain = await startHttpServer(services, logger, { host: '127.0.0.1', port: 0, audit: false });
      const audited = await startHttpServer(services, logger, { host: '127.0.0.1', port: 0 });
      servers.push(plain, audited);
      await load(plain.url, body, session.token, 300, 8);
      await load(audited.url, body, session.token, 300, 8);
      for (const c of concurrencies) {
        const b0 = await batchStats(audited.url);
        // Interleaved twice; the better of the two runs of each side counts (less noise from the machine).
        const w1 = await load(plain.url, body, session.token, total, c);
        const a1 = await load(audited.url, body, session.token, total, c);
        const w2 = await load(plain.url, body, session.token, total, c);
        const a2 = await load(audited.url, body, session.token, total, c);
        const b1 = await batchStats(audited.url);
        const w = w1.rps >= w2.rps ? w1 : w2;
        const a = a1.rps >= a2.rps ? a1 : a2;
        const row: AuditBenchRow = {
          concurrency: c,
          windowMs,
          withoutRps: w.rps,
          withRps: a.rps,
          withoutP50Ms: pct(w.lat, 0.5),
          withP50Ms: pct(a.lat, 0.5),
          withP95Ms: pct(a.lat, 0.95),
          meanBatch: (b1.sum - b0.sum) / Math.max(1, b1.count - b0.count),
        };
        rows.push(row);
        log(
          `  ${`${windowMs} ms`.padEnd(7)} ${String(c).padStart(7)}   ${Math.round(row.withoutRps).toString().padStart(6)} req/s p50 ${row.withoutP50Ms.toFixed(2)} ms` +
            `   ${Math.round(row.withRps).toString().padStart(6)} req/s p50 ${row.withP50Ms.toFixed(2)} ms p95 ${row.withP95Ms.toFixed(2)} ms` +
            `   ${(((row.withoutRps - row.withRps) / row.withoutRps) * 100).toFixed(1).padStart(6)} %   ${row.meanBatch.toFixed(1)}`,
        );
      }
      await plain.close();
      await audited.close();
    }
    const [{ n }] = await db.ds.query('SELECT count(*)::int AS n FROM audit_records');
    log(`  ${n} audit records written in the run`);
    await transparencyLogBench(createServices(configFor(0), db.ds).audit, db.ds, log);
  } finally {
    for (const s of servers) await s.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

/** A typical record of a trader's `declarations` query; `source` names the bench in request id and user agent. */
export function benchEntry(i: number, source = 'audit-bench'): AuditEntryInput {
  return {
    occurredAt: new Date(),
    requestId: source === 'audit-bench' ? `bench-${i}` : `${source}-${i}`,
    sessionId: '1',
    userAccountId: null,
    participantId: '1',
    role: 'TRADER',
    username: null,
    authMethod: 'PASSWORD',
    login: false,
    clientIp: '127.0.0.1',
    userAgent: source,
    operationType: 'query',
    operationName: null,
    rootFields: ['declarations'],
    documentHash: crypto.createHash('sha256').update('doc').digest(),
    variables: '{}',
    outcome: 'SUCCESS',
    errorCodes: [],
    rowsReturned: 10,
    responseHash: crypto.createHash('sha256').update(String(i)).digest(),
    httpStatus: 200,
    durationUs: 1500,
    complaintId: null,
  };
}

/** Records/s into the chain without and with the checkpointer; proof size and time at a million leaves. */
export async function transparencyLogBench(
  audit: AuditService,
  ds: Database['ds'],
  log: (m: string) => void,
): Promise<void> {
  const records = Number(process.env.AUDIT_BENCH_RECORDS ?? 20_000);
  const leaves = Number(process.env.AUDIT_BENCH_LEAVES ?? 1_000_000);
  let i = 0;
  const burst = async (count: number): Promise<number> => {
    let left = count;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (left > 0) {
          left -= 1;
          await audit.append(benchEntry(++i));
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  log(`\ntransparency log: ${records} records appended by 64 concurrent writers (group commit 0 ms)`);
  // The first checkpoint verifies every record written so far (a service's first start).
  let t = performance.now();
  await audit.checkpoint();
  const [{ n: before }] = await ds.query('SELECT count(*)::int AS n FROM audit_records');
  log(
    `  first checkpoint (whole chain verified, tree built, note signed): ${before} records in ${(performance.now() - t).toFixed(0)} ms`,
  );
  await burst(2000); // warm-up
  await audit.checkpoint();
  const best = async (fn: () => Promise<number>) => Math.max(await fn(), await fn());
  const without = await best(() => burst(records));
  await audit.checkpoint();
  let stop = false;
  let signed = 0;
  let verifyMs = 0;
  const ticker = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, 1000));
      const s = performance.now();
      if (await audit.checkpoint()) signed += 1;
      verifyMs += performance.now() - s;
    }
  })();
  const withTree = await best(() => burst(records));
  stop = true;
  await ticker;
  const before2 = Number(audit.integrity().verifiedSize);
  await audit.checkpoint();
  const verified = Number(audit.integrity().verifiedSize) - before2;
  log(
    `  records/s without the checkpointer ${Math.round(without)}, with a checkpoint every second ${Math.round(withTree)}` +
      ` (${(((without - withTree) / without) * 100).toFixed(1)} % fewer)`,
  );
  log(
    `  checkpointer meanwhile: ${signed} checkpoints, ${verifyMs.toFixed(0)} ms in them for ~${2 * records - verified} records` +
      ` (${Math.round((2 * records - verified) / (verifyMs / 1000))} records/s verified, hashed into the tree and signed)`,
  );
  // In memory, a million leaves.
  const tree = new MerkleTree();
  const leaf = Buffer.alloc(32);
  t = performance.now();
  for (let k = 0; k < leaves; k++) {
    leaf.writeUInt32BE(k);
    tree.appendLeafHash(leafHash(leaf));
  }
  const buildMs = performance.now() - t;
  const root = tree.root();
  const rnd = (k: number) => (k * 7_919 + 13) % leaves;
  const rounds = 2000;
  let genMs = 0;
  let verMs = 0;
  let bytes = 0;
  for (let k = 0; k < rounds; k++) {
    const idx = rnd(k);
    let s = performance.now();
    const proof = tree.inclusionProof(idx);
    genMs += performance.now() - s;
    bytes += proof.length * 32;
    s = performance.now();
    leaf.writeUInt32BE(idx);
    if (!verifyInclusion(idx, leaves, leafHash(leaf), proof, root)) throw new Error('bench: inclusion proof failed');
    verMs += performance.now() - s;
  }
  let cGenMs = 0;
  let cVerMs = 0;
  let cBytes = 0;
  for (let k = 0; k < rounds; k++) {
    const m = rnd(k) + 1;
    const old = tree.root(m);
    let s = performance.now();
    const proof = tree.consistencyProof(m);
    cGenMs += performance.now() - s;
    cBytes += proof.length * 32;
    s = performance.now();
    if (!verifyConsistency(m, leaves, old, root, proof)) throw new Error('bench: consistency proof failed');
    cVerMs += performance.now() - s;
  }
  log(
    `  tree of ${leaves} leaves in memory: built in ${buildMs.toFixed(0)} ms (${Math.round(leaves / (buildMs / 1000))} leaves/s), ` +
      `${Math.round(process.memoryUsage().rss / 2 ** 20)} MB RSS`,
  );
  log(
    `  inclusion proof at ${leaves}: ${(bytes / rounds).toFixed(0)} bytes mean, generate ${((genMs / rounds) * 1000).toFixed(1)} µs, verify ${((verMs / rounds) * 1000).toFixed(1)} µs`,
  );
  log(
    `  consistency proof to ${leaves}: ${(cBytes / rounds).toFixed(0)} bytes mean, generate ${((cGenMs / rounds) * 1000).toFixed(1)} µs, verify ${((cVerMs / rounds) * 1000).toFixed(1)} µs`,
  );
}

if (require.main === module) {
  runAuditBench().catch((e) => {
    process.stderr.write(`audit bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
