/**
 * npm run import -- FILE.csv [--skip-invalid] [--rejects FILE]
 *
 * Imports a declaration CSV (docs/import-format.md) in one transaction. Without --skip-invalid any invalid
 * row rejects the whole file: nothing changes, every problem is printed (up to 100 lines) and
 * the exit code is 1. With --skip-invalid the valid rows are imported and the others written to
 * the rejects file (default FILE.rejects.csv) with an `error` column.
 */
import fs from 'node:fs';
import { SingleBar } from 'cli-progress';
import { UsageError, runCli } from './bootstrap';
import { ImportInterruptedError, ImportRejectedError, importDeclarations, type ImportProgress } from '../ingest';
import { systemClock } from '../shared/clock';

const USAGE = 'usage: npm run import -- FILE.csv [--skip-invalid] [--rejects FILE]';
const MAX_PRINTED = 100;

function parseArgs(argv: string[]): { file: string; skipInvalid: boolean; rejects?: string } {
  let file: string | undefined;
  let skipInvalid = false;
  let rejects: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-invalid') skipInvalid = true;
    else if (a === '--rejects') {
      rejects = argv[++i];
      if (!rejects) throw new UsageError(`--rejects needs a file name\n${USAGE}`);
    } else if (a.startsWith('--rejects=')) rejects = a.slice('--rejects='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}\n${USAGE}`);
  }
  if (file === undefined) throw new UsageError(USAGE);
  if (rejects !== undefined && !skipInvalid) throw new UsageError(`--rejects needs --skip-invalid\n${USAGE}`);
  return { file, skipInvalid, rejects };
}

function printErrors(log: (m: string) => void, errors: string[], total: number): void {
  for (const e of errors.slice(0, MAX_PRINTED)) log(e);
  const shown = Math.min(errors.length, MAX_PRINTED);
  if (total > shown) log(`… and ${total - shown} more`);
}

function progressReporter(log: (m: string) => void): { onProgress: (p: ImportProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'import [{bar}] {percentage}% | {mb}/{totalMb} MB | {rows} rows | {phase}',
      stream: process.stderr,
      hideCursor: true,
    });
    let started = false;
    return {
      onProgress(p) {
        const total = p.totalBytes ?? 0;
        const payload = {
          rows: p.rows.toLocaleString('en'),
          mb: (p.bytesRead / 1e6).toFixed(0),
          totalMb: (total / 1e6).toFixed(0),
          phase: p.phase === 'parse' ? 'reading' : p.phase === 'load' ? 'loading…' : 'done',
        };
        if (!started) {
          bar.start(total || 1, 0, payload);
          started = true;
        }
        bar.update(total ? p.bytesRead : 0, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let nextMark = 100_000;
  let loading = false;
  return {
    onProgress(p) {
      if (p.phase === 'parse' && p.rows >= nextMark) {
        log(`${p.rows.toLocaleString('en')} rows read`);
        nextMark = (Math.floor(p.rows / 100_000) + 1) * 100_000;
      } else if (p.phase === 'load' && !loading) {
        loading = true;
        log(`${p.rows.toLocaleString('en')} rows read; loading`);
      }
    },
    stop() {},
  };
}

void runCli('import', async ({ config, db, log }) => {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(args.file)) throw new UsageError(`no such file: ${args.file}`);
  const progress = progressReporter(log);
  // Ctrl-C (or SIGTERM) rolls the import back and stops the embedded database if this started it;
  // a second one quits at once (PostgreSQL still rolls back the dropped transaction).
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    progress.stop();
    log(`${signal}: stopping; rolling back (again to quit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const s = await importDeclarations(db.ds, args.file, {
      signal: interrupt.signal,
      skipInvalid: args.skipInvalid,
      rejectsPath: args.rejects,
      now: systemClock.now(),
      onProgress: progress.onProgress,
      rollupMinItems: config.statsRollupMinItems,
    });
    progress.stop();
    if (s.errorCount > 0) printErrors(log, s.errors, s.errorCount);
    const secs = s.elapsedMs / 1000;
    log(
      `inserted ${s.inserted}, replaced ${s.replaced}, rejected ${s.rejected}, participants created ${s.participantsCreated}`,
    );
    log(
      `unchanged ${s.unchanged}, declarations created ${s.declarationsCreated}, updated ${s.declarationsUpdated}; ` +
        `${s.rows} rows in ${secs.toFixed(1)} s (${Math.round(s.rows / Math.max(secs, 0.001)).toLocaleString('en')} rows/s)`,
    );
    if (s.rejectsPath) log(`rejected rows written to ${s.rejectsPath}`);
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof ImportInterruptedError) {
      log('interrupted: nothing was imported');
      return 130;
    }
    if (e instanceof ImportRejectedError) {
      printErrors(log, e.errors, e.errorCount);
      log(
        `rejected: ${e.errorCount} error${e.errorCount === 1 ? '' : 's'} in ${e.rejectedRows} row${e.rejectedRows === 1 ? '' : 's'}; nothing was imported`,
      );
      return 1;
    }
    throw e;
  }
});
