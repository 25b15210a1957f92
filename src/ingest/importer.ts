/**
 * The declaration importer (docs/import-format.md): CSV in, participants / declarations / declaration_items
 * out, in one transaction per file.
 *
 * 1. BEGIN; take a transaction-scoped advisory lock (imports run one at a time).
 * 2. Stream the file through csv-parse; every record is validated synchronously (RowSink, no
 *    per-row promise). The in-file rules (declaration-level fields identical on every item, no
 *    repeated item number) are checked against one compact entry per declaration. Valid rows
 *    are kept as COPY text in a per-batch buffer.
 * 3. Every ~100k valid rows form a batch, loaded while the parser reads the next one (the
 *    database and the parser each keep a core busy): the batch's declaration numbers and
 *    declarants go to TEMP tables with COPY; set-based SQL resolves declarants (VÖEN, else FIN,
 *    else GÖÖEN), probes each number once (rejecting numbers registered to another
 *    participant, finding the declarant's existing declarations) and creates participants; new
 *    declarations get ids from the identity's sequence and are written with COPY, and so are
 *    the items of new declarations, rendered with their keys in primary-key order (sorted
 *    input halves index maintenance). Items of declarations that already existed go through a
 *    staging table and `INSERT … ON CONFLICT … DO UPDATE … WHERE (…) IS DISTINCT FROM (…)`, so
 *    an identical row is left untouched and counted unchanged.
 * 4. Refresh the statistics rollups of the (participant, month) pairs touched
 *    (src/statistics/rollups.ts), call `afterLoad` with them; COMMIT.
 *
 * Any invalid row rejects the whole file (ROLLBACK, ImportRejectedError; later rows are still
 * checked so that every problem is reported) unless `skipInvalid`, which imports the valid rows
 * and writes the others to a rejects CSV with an `error` column.
 *
 * Items of a declaration that are not in the file are kept (a file may carry only some items
 * of a declaration); when a declaration's header (date, direction, post, procedure, declarant
 * name) changes, its other items are updated to the new header values, since items repeat them.
 * The importer is the only writer of declarations: other writers would have to take the same
 * advisory lock.
 *
 * This file only runs the steps; each concern has its module (src/ingest/README.md): the source
 * and csv-parse (parse-stream.ts), per-record checks (row-sink.ts, validate.ts), the rejects file
 * (rejects-file.ts), the batch queue (batch-queue.ts) and loader (batch-loader.ts, keys.ts,
 * conflicts.ts, item-lines.ts), staging and COPY (staging.ts, load-sql.ts, copy-in.ts), the
 * transaction (transaction.ts), the connection (withOwnerClient, src/db/pool.ts), timings and progress.
 */
import type { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { withOwnerClient } from '../db/pool';
import { systemClock } from '../shared/clock';
import { refreshRollups } from '../statistics/rollups';
import { BatchLoader } from './batch-loader';
import { BatchQueue } from './batch-queue';
import { ImportInterruptedError, ImportRejectedError } from './errors';
import {
  ANALYZE_MIN_ROWS,
  BATCH_ROWS,
  MAX_ERRORS,
  type AffectedMonth,
  type ImportOptions,
  type ImportSummary,
} from './options';
import { openSource, parseSource, type ImportSource } from './parse-stream';
import { ProgressReporter } from './progress';
import { loadReferenceSets } from './reference-sets';
import { RejectsFile, rejectsPathFor } from './rejects-file';
import { RowSink, type RowError } from './row-sink';
import { createStagingTables } from './staging';
import { Timings } from './timings';
import { analyzeAfterLoad, beginImport, commitImport, rollbackImport } from './transaction';

export { IMPORT_LOCK_KEY } from './transaction';
export { loadReferenceSets } from './reference-sets';
export type { AffectedMonth, ImportOptions, ImportProgress, ImportSummary } from './options';

/** The parts of one running import. */
interface ImportRun {
  client: PoolClient;
  opts: ImportOptions;
  sink: RowSink;
  loader: BatchLoader;
  queue: BatchQueue;
  rejects?: RejectsFile;
  progress: ProgressReporter;
  timings: Timings;
}

/**
 * Imports one declaration CSV (path or stream). Resolves with the counts; rejects with
 * ImportRejectedError (nothing changed) when the file is invalid and `skipInvalid` is off.
 */
export async function importDeclarations(
  ds: DataSource,
  input: Readable | string,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const now = opts.now ?? systemClock.now();
  const rejectsPath = rejectsPathFor(input, opts);
  const source = await openSource(input);
  // The connection user (owner), not the request role: COPY, the advisory lock and ANALYZE need it.
  return withOwnerClient(ds, async (client) => {
    let run: ImportRun | undefined;
    let failed = false;
    try {
      await beginImport(client);
      run = await prepare(client, source, opts, now, rejectsPath);
      await readAndLoad(run, source);
      const affected = await commit(run);
      const summary = summarise(run, affected, started);
      run.progress.report('done');
      return summary;
    } catch (e) {
      failed = true;
      // A batch may still be running on the connection: let it finish before rolling back.
      await run?.queue.settle();
      await rollbackImport(client);
      throw e;
    } finally {
      source.close();
      // Nothing was imported: a rejects file would describe an import that did not happen.
      await run?.rejects?.close(failed);
    }
  });
}

/** Reference sets, staging tables, the per-record sink, the loader and its queue, the rejects file. */
async function prepare(
  client: PoolClient,
  source: ImportSource,
  opts: ImportOptions,
  now: Date,
  rejectsPath: string | undefined,
): Promise<ImportRun> {
  const ref = await loadReferenceSets(client);
  await createStagingTables(client);
  const sink = new RowSink(ref, { collectRejects: rejectsPath !== undefined, maxErrors: opts.maxErrors ?? MAX_ERRORS });
  const timings = new Timings(opts.onStep);
  const loader = new BatchLoader(client, sink, { now, skipInvalid: opts.skipInvalid ?? false, timings });
  return {
    client,
    opts,
    sink,
    loader,
    queue: new BatchQueue((batch) => loader.load(batch)),
    rejects: rejectsPath === undefined ? undefined : RejectsFile.open(rejectsPath),
    progress: new ProgressReporter(sink, source.totalBytes, opts.onProgress),
    timings,
  };
}

/** Parses the file; every `batchRows` valid rows go to the database while parsing goes on. */
async function readAndLoad(run: ImportRun, source: ImportSource): Promise<void> {
  const { sink, opts, queue, timings, progress } = run;
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const t0 = timings.start();
  await parseSource(source, sink, async (bytesRead) => {
    progress.bytesRead = bytesRead;
    if (opts.signal?.aborted) throw new ImportInterruptedError();
    await run.rejects?.flushSome(sink);
    if (sink.batchRows >= batchRows) await queue.submit(sink.cutBatch());
    progress.report('parse');
  });
  await queue.submit(sink.cutBatch());
  timings.end('parse', t0);
  progress.report('load');
  const tl = timings.start();
  await queue.settle();
  timings.end('wait_for_database', tl);
  await queue.drain();
  await run.rejects?.flush(sink);
}

/**
 * Rejects the file if a row was invalid (unless skip-invalid); refreshes the statistics rollups
 * of the months touched, calls afterLoad, commits and, after a large load, analyses.
 */
async function commit(run: ImportRun): Promise<AffectedMonth[]> {
  const { client, sink, opts, timings } = run;
  if (sink.errorCount > 0 && !opts.skipInvalid) {
    sink.errors.sort(byLine);
    throw new ImportRejectedError(
      sink.errors.map((e) => e.text),
      sink.errorCount,
      sink.rejectedRows,
    );
  }
  if (opts.signal?.aborted) throw new ImportInterruptedError();
  const affected = run.loader.affectedMonths();
  // Statistics rollups follow the items in the same transaction (src/statistics/rollups.ts).
  const query = (text: string, params?: unknown[]) => client.query(text, params).then((r) => r.rows);
  await timings.time('refresh_rollups', () => refreshRollups(query, affected, { minItems: opts.rollupMinItems }));
  if (opts.afterLoad) await opts.afterLoad(client, affected);
  if (opts.signal?.aborted) throw new ImportInterruptedError();
  await commitImport(client, timings);
  const c = run.loader.counts;
  if (c.inserted + c.replaced >= (opts.analyzeMinRows ?? ANALYZE_MIN_ROWS)) await analyzeAfterLoad(client, timings);
  return affected;
}

function summarise(run: ImportRun, affected: AffectedMonth[], started: number): ImportSummary {
  const { sink } = run;
  const c = run.loader.counts;
  sink.errors.sort(byLine);
  return {
    rows: sink.dataRows,
    inserted: c.inserted,
    replaced: c.replaced,
    unchanged: sink.validRows - c.conflictRows - c.inserted - c.replaced,
    rejected: sink.rejectedRows,
    participantsCreated: c.participantsCreated,
    declarationsCreated: c.declarationsCreated,
    declarationsUpdated: c.declarationsUpdated,
    errors: sink.errors.map((e) => e.text),
    errorCount: sink.errorCount,
    rejectsPath: run.rejects?.path,
    affectedMonths: affected.length,
    elapsedMs: performance.now() - started,
  };
}

function byLine(a: RowError, b: RowError): number {
  return a.line - b.line;
}
