/**
 * Exports of the large trader (BENCH_ITEMS, default 1,000,000 items): rows/s and peak RSS of the
 * service process while it streams GET /export/declarations.csv|.xlsx (one row per item) and
 * GET /export/statistics.csv|.xlsx (HS10 × COUNTRY × MONTH), over HTTP with the audit on. The
 * client only hashes the bytes, so the memory measured is the exporter's; constant memory shows as
 * a peak that does not grow with the rows.
 *
 * `runExportBench()` is called by the bench runner (BENCH_ONLY=export); DATABASE_URL applies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { startHttpServer } from '../src/http/server';
import { generateDeclarationsCsv } from '../src/ingest/generate';
import { importDeclarations } from '../src/ingest/importer';
import { createServices } from '../src/services';
import { createLogger } from '../src/shared/logger';

/** Streams one export, hashing it; returns bytes, the trailer's row count and the peak RSS seen meanwhile. */
function fetchExport(
  url: string,
  token: string,
): Promise<{ ms: number; bytes: number; rows: number; peakRss: number; peakHeap: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let peakRss = process.memoryUsage.rss();
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 10);
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    http
      .get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          clearInterval(sampler);
          reject(new Error(`export ${url}: HTTP ${res.statusCode}`));
          return;
        }
        res.on('data', (c: Buffer) => {
          hash.update(c);
          bytes += c.length;
        });
        res.on('end', () => {
          clearInterval(sampler);
          const digest = `sha-256=:${hash.digest('base64')}:`;
          if (res.trailers['content-digest'] !== digest) reject(new Error(`export ${url}: Content-Digest differs`));
          resolve({
            ms: performance.now() - started,
            bytes,
            rows: Number(res.trailers['x-export-rows']),
            peakRss,
            peakHeap,
          });
        });
      })
      .on('error', (e) => {
        clearInterval(sampler);
        reject(e);
      });
  });
}

export async function runExportBench(opts: { log: (m: string) => void; items?: number }): Promise<void> {
  const { log } = opts;
  const items = opts.items ?? Number(process.env.BENCH_ITEMS ?? 1_000_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-export-bench-'));
  const external = process.env.DATABASE_URL;
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        dataRoot: path.join(os.tmpdir(), `customs-export-bench-pg-${process.pid}`),
        port: 0,
        database: 'bench',
        ephemeral: true,
      });
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: external ?? embedded!.url,
    LOG_LEVEL: 'silent',
    PKI_ALLOW_TEST_PKI: 'true',
    AUDIT_DATA_DIR: path.join(tmp, 'audit'),
    // A million rows take longer than one statement: each FETCH is a statement, the stream is not.
    DB_STATEMENT_TIMEOUT_MS: '60000',
  });
  const db = await openDatabase(config);
  try {
    const file = path.join(tmp, 'large.csv');
    await new Promise<void>((resolve, reject) =>
      generateDeclarationsCsv({
        items,
        participants: 1,
        seed: 7,
        participantsList: [{ voen: '1999999991', name: 'Large Trader MMC' }],
      })
        .pipe(fs.createWriteStream(file))
        .on('finish', resolve)
        .on('error', reject),
    );
    await importDeclarations(db.ds, fs.createReadStream(file), { skipInvalid: false });
    fs.rmSync(file, { force: true });
    await db.ds.query('VACUUM ANALYZE');
    const services = createServices(config, db.ds);
    const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), {
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const [{ id: pid }] = await db.ds.query(`SELECT id::text AS id FROM participants WHERE voen = '1999999991'`);
      const { token } = await services.sessions.create({
        role: 'TRADER',
        authMethod: 'PASSWORD',
        participantId: pid,
        userAccountId: null,
        username: null,
        mustChangePassword: false,
        detail: {},
      });
      global.gc?.();
      const baseline = process.memoryUsage.rss();
      log(`  ${items.toLocaleString('en')} items; RSS before the exports ${(baseline / 1e6).toFixed(0)} MB`);
      for (const p of [
        '/export/declarations.csv',
        '/export/declarations.xlsx',
        '/export/statistics.csv?groupBy=HS10,COUNTRY,MONTH',
        '/export/statistics.xlsx?groupBy=HS10,COUNTRY,MONTH',
      ]) {
        const r = await fetchExport(`${server.url}${p}`, token).catch((e: Error) => e);
        if (r instanceof Error) {
          log(`  ${p.padEnd(52)} ${r.message}`);
          continue;
        }
        log(
          `  ${p.padEnd(52)} ${r.rows.toLocaleString('en').padStart(9)} rows  ${(r.bytes / 1e6).toFixed(1).padStart(6)} MB` +
            `  ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${Math.round(r.rows / (r.ms / 1000))
              .toLocaleString('en')
              .padStart(
                8,
              )} rows/s  peak RSS ${(r.peakRss / 1e6).toFixed(0)} MB (+${((r.peakRss - baseline) / 1e6).toFixed(0)} MB)` +
            `  peak heap ${(r.peakHeap / 1e6).toFixed(0)} MB`,
        );
      }
    } finally {
      await server.close();
    }
  } finally {
    await db.close();
    await embedded?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runExportBench({ log: (m) => process.stdout.write(`${m}\n`) }).catch((e: unknown) => {
    process.stderr.write(`export bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
