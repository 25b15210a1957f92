/**
 * `npm run bench`: measures the service against raw baselines taken in the same run, on this
 * machine, and prints the ratios. Targets live here, never in unit tests.
 *
 *  (a) tradeStatistics end-to-end over HTTP vs the same SQL through pg directly;
 *  (b) the importer's rows/s vs a raw COPY of the same file into a plain table, and vs the floor
 *      of any importer: COPY of its own output rows back into the same indexed tables;
 *  (c) requests/s with and without the audit plugin (bench/audit.bench.ts);
 *  (d) signature verifications/s vs node's X509Certificate + crypto.verify (bench/pki.bench.ts);
 *  (e) receipts: records/s with and without the stored Merkle tree, proofs from it at 1 M records
 *      (bench/receipts.bench.ts).
 *  (f) exports of the large trader: rows/s and peak RSS for CSV and XLSX (bench/export.bench.ts).
 *  (g) HTTP load (autocannon, 32 connections, 10 s per case) against the real service vs an in-memory floor of
 *      the same Apollo stack, and (h) PostGraphile 4 on the same tables when installed (bench/http.bench.ts).
 *      With the import part it runs on the same database, so the 1 M-item trader is one of its traders.
 *
 * BENCH_ITEMS (default 1,000,000) sets the large trader's item count.
 * BENCH_ONLY=stats,audit,pki,receipts,export,http picks parts.
 * The HTTP part reads BENCH_HTTP_SECONDS, BENCH_HTTP_CONNECTIONS, BENCH_HTTP_CASES, BENCH_HTTP_LOGINS and
 * BENCH_HTTP_PROFILE (see bench/http.bench.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { startHttpServer } from '../src/http/server';
import { generateDeclarationsCsv } from '../src/ingest/generate';
import { importDeclarations } from '../src/ingest/importer';
import { createServices } from '../src/services';
import { createLogger } from '../src/shared/logger';
import { runAuditBench } from './audit.bench';
import { runHttpBench, type HttpBenchOptions } from './http.bench';
import { runPkiBench } from './pki.bench';
import { runReceiptsBench } from './receipts.bench';
import { runExportBench } from './export.bench';
import { buildStatisticsQuery, type TradeDimension } from '../src/statistics/statistics.service';
import type { TradeFilter } from '../src/statistics/trade-filter';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

function httpOptions(): HttpBenchOptions {
  return {
    seconds: Number(process.env.BENCH_HTTP_SECONDS ?? 10),
    connections: Number(process.env.BENCH_HTTP_CONNECTIONS ?? 32),
    cases: process.env.BENCH_HTTP_CASES?.split(','),
    logins: process.env.BENCH_HTTP_LOGINS ? Number(process.env.BENCH_HTTP_LOGINS) : undefined,
    profileDir: process.env.BENCH_HTTP_PROFILE,
  };
}

/** The import and statistics parts; `http`: then the HTTP load part on the same database (its 1 M-item trader). */
async function main(http: boolean): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-bench-'));
  const external = process.env.DATABASE_URL;
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        // Not inside `tmp`: mkdtemp makes a 0700 folder the postgres OS user cannot enter when we are root.
        dataRoot: path.join(os.tmpdir(), `customs-bench-pg-${process.pid}`),
        port: 0,
        database: 'bench',
        ephemeral: true,
      });
  const url = external ?? embedded!.url;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    PKI_ALLOW_TEST_PKI: 'true',
    AUDIT_DATA_DIR: path.join(tmp, 'audit'),
  });
  const db = await openDatabase(config);
  const log = (m: string) => process.stdout.write(`${m}\n`);
  try {
    log(
      `bench: ${os.cpus().length} cores, node ${process.version}, ${ITEMS.toLocaleString('en')} items for the large trader`,
    );

    // ---- (b) import vs raw COPY of the same file
    const bigFile = path.join(tmp, 'large.csv');
    const otherFile = path.join(tmp, 'others.csv');
    await pipeline(
      generateDeclarationsCsv({
        items: ITEMS,
        participants: 1,
        seed: 7,
        participantsList: [{ voen: '1999999991', name: 'Large Trader MMC' }],
      }),
      fs.createWriteStream(bigFile),
    );
    await pipeline(
      generateDeclarationsCsv({ items: Math.round(ITEMS / 10), participants: 20, seed: 8 }),
      fs.createWriteStream(otherFile),
    );
    const bytes = fs.statSync(bigFile).size;
    log(`generated ${bigFile} (${(bytes / 1e6).toFixed(0)} MB)`);

    const raw = new Client({ connectionString: url });
    await raw.connect();
    await raw.query('CREATE UNLOGGED TABLE IF NOT EXISTS bench_raw_copy (line text)');
    const header = fs.readFileSync(bigFile, 'utf8').slice(0, 2000).split('\n')[0].split(',');
    await raw.query(
      `DROP TABLE IF EXISTS bench_raw_copy; CREATE UNLOGGED TABLE bench_raw_copy (${header.map((h) => `"${h}" text`).join(', ')})`,
    );
    const [copyMs] = await time(() =>
      pipeline(
        fs.createReadStream(bigFile),
        raw.query(copyFrom('COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)')),
      ),
    );
    await raw.query('DROP TABLE bench_raw_copy');
    const steps = new Map<string, number>();
    const [importMs, summary] = await time(() =>
      importDeclarations(db.ds, fs.createReadStream(bigFile), {
        skipInvalid: false,
        onStep: (step, ms) => steps.set(step, (steps.get(step) ?? 0) + ms),
      }),
    );
    const floor = await finalRowsCopyFloor(raw, tmp);
    await importDeclarations(db.ds, fs.createReadStream(otherFile), { skipInvalid: false });
    const copyRate = ITEMS / (copyMs / 1000);
    const importRate = ITEMS / (importMs / 1000);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    log('\n(b) import');
    log(`  raw COPY:  ${s(copyMs)}  ${Math.round(copyRate).toLocaleString('en')} rows/s`);
    log(
      `  importer:  ${s(importMs)}  ${Math.round(importRate).toLocaleString('en')} rows/s  ${JSON.stringify(summary)}`,
    );
    log(
      `  importer steps (database steps overlap parsing): ${[...steps]
        .filter(([, ms]) => ms >= 50)
        .map(([k, ms]) => `${k} ${s(ms)}`)
        .join(', ')}`,
    );
    log(`  ratio importer/COPY: ${(importRate / copyRate).toFixed(2)}  (target >= 0.50, and < 60 s for 1 M rows)`);
    log(
      `  floor: COPY of the importer's own output rows back into the same tables: ${s(floor.total)}` +
        ` (declarations ${s(floor.declarations)}, items ${s(floor.items)}, rollups ${s(floor.rollups)});` +
        ` items into an unindexed typed table ${s(floor.itemsUnindexed)}`,
    );
    log(
      `  ratio floor/COPY: ${(copyMs / floor.total).toFixed(2)} (no importer writing these tables can do better);` +
        ` ratio importer/floor: ${(floor.total / importMs).toFixed(2)}`,
    );
    await raw.query('VACUUM ANALYZE');

    // ---- (a) statistics over HTTP vs the same SQL through pg
    const services = createServices(config, db.ds);
    const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), {
      host: '127.0.0.1',
      port: 0,
    });
    const [{ id: pid }] = await db.ds.query(`SELECT id::text AS id FROM participants WHERE voen = '1999999991'`);
    const session = await services.sessions.create({
      role: 'TRADER',
      authMethod: 'PASSWORD',
      participantId: pid,
      userAccountId: null,
      username: null,
      mustChangePassword: false,
      detail: {},
    });
    // The trader's busiest chapter, so the prefix filter selects real rows.
    const [{ hs2: topHs2 }] = await db.ds.query(
      `SELECT left(hs_code, 2) AS hs2 FROM declaration_items WHERE participant_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      [pid],
    );
    const cases: { name: string; groupBy: TradeDimension[]; filter: TradeFilter; gqlFilter: Record<string, string> }[] =
      [
        { name: 'HS2 x COUNTRY x YEAR', groupBy: ['HS2', 'COUNTRY', 'YEAR'], filter: {}, gqlFilter: {} },
        {
          name: `DIRECTION x MONTH, hsCodePrefix ${topHs2}`,
          groupBy: ['DIRECTION', 'MONTH'],
          filter: { hsCodePrefix: topHs2 },
          gqlFilter: { hsCodePrefix: topHs2 },
        },
      ];
    log('\n(a) tradeStatistics, p50 of ' + RUNS + ' runs after one warm-up');
    for (const c of cases) {
      // The baseline is the statistics SQL on the raw items; the service may answer from the rollups.
      const q = buildStatisticsQuery(pid, c.filter, c.groupBy, 10_000, { rollups: false });
      const served = buildStatisticsQuery(pid, c.filter, c.groupBy, 10_000, { rollups: true }).source;
      const rawTimes: number[] = [];
      const httpTimes: number[] = [];
      const body = JSON.stringify({
        query: `query($f: TradeFilter, $g: [TradeDimension!]!) { tradeStatistics(filter: $f, groupBy: $g, first: 10000) {
          rows { key { direction year month hsCode country { code } } measures { declarationCount itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg } }
          totals { declarationCount itemCount customsValueAzn } truncated } }`,
        variables: { f: c.gqlFilter, g: c.groupBy },
      });
      for (let i = 0; i <= RUNS; i += 1) {
        const [rawMs] = await time(() => raw.query(q.text, q.values));
        const [httpMs, res] = await time(async () => {
          const r = await fetch(`${server.url}/graphql`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          });
          return r.json() as Promise<{ errors?: unknown }>;
        });
        if (res.errors) throw new Error(`bench query failed: ${JSON.stringify(res.errors)}`);
        if (i > 0) {
          rawTimes.push(rawMs);
          httpTimes.push(httpMs);
        }
      }
      const r50 = pct(rawTimes, 50);
      const h50 = pct(httpTimes, 50);
      log(
        `  ${c.name.padEnd(36)} [service reads ${served}] raw SQL p50 ${r50.toFixed(1)} ms   HTTP p50 ${h50.toFixed(1)} ms   p95 ${pct(httpTimes, 95).toFixed(1)} ms   ratio ${(h50 / r50).toFixed(2)}  (targets: ratio <= 1.5, p50 < 50 ms)`,
      );
    }
    await server.close();
    await raw.end();
    if (http) await runHttpBench({ ...httpOptions(), log, database: { url, largeVoen: '1999999991' } });
  } finally {
    await db.close();
    await embedded?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The lower bound for any importer that ends with these rows in these tables: the rows the
 * importer just wrote (declarations, items, rollups) dumped with COPY TO and loaded back with
 * COPY FROM into the emptied tables, with their indexes, checks and foreign keys; rolled back.
 * No parsing, validation, lookups or aggregation: only the writes every import must make.
 */
async function finalRowsCopyFloor(raw: Client, dir: string) {
  const tables = ['declarations', 'declaration_items', 'trade_rollups'] as const;
  for (const t of tables) {
    await pipeline(raw.query(copyTo(`COPY ${t} TO STDOUT`)), fs.createWriteStream(path.join(dir, `${t}.copy`)));
  }
  const load = (table: string, file: string) =>
    time(() =>
      pipeline(fs.createReadStream(path.join(dir, `${file}.copy`)), raw.query(copyFrom(`COPY ${table} FROM STDIN`))),
    );
  await raw.query('BEGIN');
  try {
    await raw.query(`TRUNCATE ${tables.join(', ')} CASCADE`);
    const [declarations] = await load('declarations', 'declarations');
    const [items] = await load('declaration_items', 'declaration_items');
    const [rollups] = await load('trade_rollups', 'trade_rollups');
    await raw.query('CREATE TEMP TABLE bench_items_unindexed (LIKE declaration_items)');
    const [itemsUnindexed] = await load('bench_items_unindexed', 'declaration_items');
    return { declarations, items, rollups, itemsUnindexed, total: declarations + items + rollups };
  } finally {
    await raw.query('ROLLBACK');
    for (const t of tables) fs.rmSync(path.join(dir, `${t}.copy`), { force: true });
  }
}

async function all(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const log = (m: string) => process.stdout.write(`${m}\n`);
  const http = !only || only.includes('http');
  if (!only || only.includes('stats')) await main(http);
  else if (http) await runHttpBench({ ...httpOptions(), log });
  if (!only || only.includes('audit')) {
    log('\n(c) audit overhead');
    await runAuditBench({ log });
  }
  if (!only || only.includes('pki')) {
    log('\n(d) signature verification');
    await runPkiBench(log);
  }
  if (!only || only.includes('receipts')) {
    log('\n(e) receipts and proofs');
    await runReceiptsBench({ log });
  }
  if (!only || only.includes('export')) {
    log('\n(f) exports');
    await runExportBench({ log });
  }
}

all().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
