/**
 * The declaration importer (IMPORT.md): CSV in, participants / declarations / declaration_items
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
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Parser } from 'csv-parse';
import type { PoolClient, QueryResultRow } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { systemClock } from '../shared/clock';
import { DECLARATION_COLUMNS, csvLine } from './columns';
import { ImportInterruptedError, ImportRejectedError } from './errors';
import { refreshRollups } from '../statistics/rollups';
import { LineWriter, uncopyValue } from './batch';
import {
  DECL_FIELDS,
  ITEM_LEVEL_COLUMNS,
  RowSink,
  copyValue,
  type DeclRow,
  type RowError,
  type SinkBatch,
} from './row-sink';
import type { ReferenceSets } from './validate';

/** pg_advisory_xact_lock key shared by every import ("CUSIMP"). */
export const IMPORT_LOCK_KEY = '74181863705936';

export interface AffectedMonth {
  participantId: string;
  /** First day of the month, YYYY-MM-01. */
  month: string;
}

export interface ImportProgress {
  phase: 'parse' | 'load' | 'done';
  bytesRead: number;
  /** File size when the input is a path. */
  totalBytes?: number;
  /** Data rows parsed so far. */
  rows: number;
  rejected: number;
}

export interface ImportOptions {
  /** Import the valid rows and write the invalid ones to the rejects file (default false). */
  skipInvalid?: boolean;
  /**
   * Rejects CSV (skip-invalid only): the same header plus an `error` column. Default
   * `<input>.rejects.csv` for a path input; none for a stream input unless given.
   */
  rejectsPath?: string;
  /** The application clock: declarations.imported_at and participants.created_at (default: now). */
  now?: Date;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Called inside the import transaction after the items are written, with the (participant,
   * month) pairs whose items were inserted, changed or moved. Throwing rolls the import back.
   */
  afterLoad?: (client: PoolClient, affected: AffectedMonth[]) => Promise<void>;
  /** Items a participant needs before statistics rollups are kept (default DEFAULT_ROLLUP_MIN_ITEMS). */
  rollupMinItems?: number;
  /** Valid rows per database batch (default 100,000). */
  batchRows?: number;
  /** Duration of each step in milliseconds (benchmarks, diagnostics). */
  onStep?: (step: string, ms: number) => void;
  /** Errors kept in memory and returned (default 10,000); the rest are counted. */
  maxErrors?: number;
  /**
   * Rows inserted or replaced from which the tables are analysed right after the commit
   * (default 10,000): until autovacuum gets to it, the planner would read a large first load with
   * the statistics of the empty tables (a declarations page then sorted all of a trader's rows).
   */
  analyzeMinRows?: number;
  /**
   * Aborting it stops the import at the next batch or step and rolls it back
   * (ImportInterruptedError); once COMMIT has begun the import completes.
   */
  signal?: AbortSignal;
}

export interface ImportSummary {
  /** Data rows in the file. */
  rows: number;
  /** Item rows that did not exist before. */
  inserted: number;
  /** Item rows that existed with different values and were replaced. */
  replaced: number;
  /** Item rows that existed with identical values. */
  unchanged: number;
  /** Rows rejected (skip-invalid mode). */
  rejected: number;
  participantsCreated: number;
  declarationsCreated: number;
  /** Existing declarations whose header (date, direction, post, procedure, name) changed. */
  declarationsUpdated: number;
  /** Problems of the rejected rows (skip-invalid mode), `line N: column: reason`, line order. */
  errors: string[];
  errorCount: number;
  rejectsPath?: string;
  /** (participant, month) pairs touched (also passed to afterLoad). */
  affectedMonths: number;
  elapsedMs: number;
}

const FLUSH_CHARS = 1 << 20;
/** Default of ImportOptions.analyzeMinRows. */
const ANALYZE_MIN_ROWS = 10_000;
/** Valid rows per database batch. */
const BATCH_ROWS = 100_000;
/** Batches parsed ahead of the database at most. */
const MAX_QUEUED_BATCHES = 2;

/** csv-parse's stream parser, with each record handed synchronously to a callback. */
class RecordParser extends Parser {
  constructor(private readonly onRecord: (rec: string[], endLine: number) => void) {
    super({ bom: true, relax_column_count: true, skip_empty_lines: true });
  }

  // Records arrive here from csv-parse's transform while `info.lines` is the line the record
  // ended on; handling them in place avoids an object-mode stream hop per record.
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    this.onRecord(chunk as string[], this.info.lines);
    return true;
  }
}

export async function loadReferenceSets(client: PoolClient): Promise<ReferenceSets> {
  const codes = async (table: string) =>
    new Set((await client.query<{ code: string }>(`SELECT code FROM ${table}`)).rows.map((r) => r.code));
  return {
    countries: await codes('countries'),
    hsHeadings: await codes('hs_headings'),
    customsPosts: await codes('customs_posts'),
    procedures: await codes('customs_procedures'),
    transportModes: await codes('transport_modes'),
  };
}

async function write(stream: Writable, text: string | Buffer): Promise<void> {
  if (text.length === 0) return;
  if (stream.write(text)) return;
  await Promise.race([
    once(stream, 'drain'),
    once(stream, 'error').then(([e]) => {
      throw e;
    }),
  ]);
}

/** Writes to a COPY FROM STDIN stream and waits for PostgreSQL to confirm. */
async function copyIn(
  client: PoolClient,
  sql: string,
  produce: (w: (text: string | Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const stream = client.query(copyFrom(sql));
  const done = finished(stream);
  done.catch(() => undefined);
  try {
    await produce((text) => write(stream, text));
    stream.end();
  } catch (e) {
    stream.destroy(e as Error);
    await done.catch(() => undefined);
    throw e;
  }
  await done;
}

function byLine(a: RowError, b: RowError): number {
  return a.line - b.line;
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
  const skipInvalid = opts.skipInvalid ?? false;
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const rejectsPath = skipInvalid
    ? (opts.rejectsPath ?? (typeof input === 'string' ? `${input}.rejects.csv` : undefined))
    : undefined;
  const totalBytes = typeof input === 'string' ? (await fs.promises.stat(input)).size : undefined;
  const source = typeof input === 'string' ? fs.createReadStream(input, { highWaterMark: 1 << 20 }) : input;

  const qr = ds.createQueryRunner();
  const client = (await qr.connect()) as PoolClient;
  let rejectsFile: fs.WriteStream | undefined;
  let loading: Promise<void> = Promise.resolve();
  let failed = false;
  try {
    // Staging batches fit in memory with a larger temp_buffers; it can only be set before the
    // session first uses a temporary table (a reused pooled connection keeps its setting).
    await client.query(`SET temp_buffers = '128MB'`).catch(() => undefined);
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const ref = await loadReferenceSets(client);
    await createStagingTables(client);

    const sink = new RowSink(ref, { collectRejects: rejectsPath !== undefined, maxErrors: opts.maxErrors ?? 10_000 });
    if (rejectsPath !== undefined) {
      rejectsFile = fs.createWriteStream(rejectsPath);
      rejectsFile.on('error', () => undefined);
    }
    let bytesRead = 0;
    const progress = (phase: ImportProgress['phase']) =>
      opts.onProgress?.({ phase, bytesRead, totalBytes, rows: sink.dataRows, rejected: sink.rejectedRows });
    let rejectsHeaderWritten = false;
    const flushRejects = async () => {
      if (!rejectsFile) return;
      if (!rejectsHeaderWritten && sink.header) {
        rejectsHeaderWritten = true;
        sink.rejects = csvLine([...sink.header, 'error']) + sink.rejects;
      }
      const text = sink.rejects;
      sink.rejects = '';
      await write(rejectsFile, text);
    };

    // Batches go to the database one after another while parsing continues.
    const loader = new BatchLoader(client, sink, { now, skipInvalid, onStep: opts.onStep });
    let queued = 0;
    let loadError: Error | undefined;
    const submit = async (batch: SinkBatch) => {
      queued++;
      loading = loading.then(async () => {
        try {
          if (loadError === undefined) await loader.load(batch);
        } catch (e) {
          loadError = e as Error;
        } finally {
          queued--;
        }
      });
      while (queued > MAX_QUEUED_BATCHES && loadError === undefined) await loading;
      if (loadError !== undefined) throw loadError;
    };

    const parser = new RecordParser((rec, endLine) => sink.record(rec, endLine));
    let parseError: Error | undefined;
    parser.on('error', (e) => {
      parseError = e;
    });
    const t0 = performance.now();
    for await (const chunk of source) {
      bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
      if (!parser.write(chunk)) {
        // Rejects (instead of hanging) when the parser fails before draining.
        await once(parser, 'drain').catch((e) => {
          parseError ??= e;
        });
      }
      if (parseError || sink.fatal) break;
      if (opts.signal?.aborted) throw new ImportInterruptedError();
      if (sink.rejects.length >= FLUSH_CHARS) await flushRejects();
      if (sink.batchRows >= batchRows) await submit(sink.cutBatch());
      progress('parse');
    }
    if (!parseError && !sink.fatal) {
      parser.end();
      await finished(parser, { readable: false }).catch((e) => {
        parseError ??= e;
      });
    }
    if (typeof input === 'string') source.destroy();
    if (parseError) {
      throw new ImportRejectedError([`line ${parser.info.lines}: csv: ${parseError.message}`], 1, 0);
    }
    if (sink.fatal) throw new ImportRejectedError([sink.fatal.text], 1, 0);
    if (sink.header === undefined) throw new ImportRejectedError(['line 1: header: the file is empty'], 1, 0);
    await submit(sink.cutBatch());
    opts.onStep?.('parse', performance.now() - t0);
    progress('load');
    const tl = performance.now();
    await loading;
    opts.onStep?.('wait_for_database', performance.now() - tl);
    if (loadError !== undefined) throw loadError;
    await flushRejects();

    if (sink.errorCount > 0 && !skipInvalid) {
      sink.errors.sort(byLine);
      throw new ImportRejectedError(
        sink.errors.map((e) => e.text),
        sink.errorCount,
        sink.rejectedRows,
      );
    }
    if (opts.signal?.aborted) throw new ImportInterruptedError();
    const affected = loader.affectedMonths();
    // Statistics rollups follow the items in the same transaction (src/statistics/rollups.ts).
    const tr = performance.now();
    await refreshRollups((text, params) => client.query(text, params as unknown[]).then((r) => r.rows), affected, {
      minItems: opts.rollupMinItems,
    });
    opts.onStep?.('refresh_rollups', performance.now() - tr);
    if (opts.afterLoad) await opts.afterLoad(client, affected);
    if (opts.signal?.aborted) throw new ImportInterruptedError();
    const tc = performance.now();
    await client.query('COMMIT');
    opts.onStep?.('commit', performance.now() - tc);

    const c = loader.counts;
    if (c.inserted + c.replaced >= (opts.analyzeMinRows ?? ANALYZE_MIN_ROWS)) {
      const ta = performance.now();
      // Only a planner hint, after the commit: failing here must not report a committed import as failed.
      await client.query('ANALYZE declarations, declaration_items, trade_rollups').catch(() => undefined);
      opts.onStep?.('analyze', performance.now() - ta);
    }
    sink.errors.sort(byLine);
    const summary: ImportSummary = {
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
      rejectsPath,
      affectedMonths: affected.length,
      elapsedMs: performance.now() - started,
    };
    progress('done');
    return summary;
  } catch (e) {
    failed = true;
    // A batch may still be running on the connection: let it finish before rolling back.
    await loading.catch(() => undefined);
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    if (typeof input === 'string') source.destroy();
    if (rejectsFile) {
      rejectsFile.end();
      await finished(rejectsFile).catch(() => undefined);
      // Nothing was imported: a rejects file would describe an import that did not happen.
      if (failed && rejectsPath) await fs.promises.rm(rejectsPath, { force: true });
    }
    await qr.release();
  }
}

interface LoaderOptions {
  now: Date;
  skipInvalid: boolean;
  onStep?: (step: string, ms: number) => void;
}

/** What the database knows of a staged declaration's number. */
interface Probe {
  decl_idx: number;
  /** Registered to a participant other than this row's declarant. */
  foreign: boolean;
  /** The declarant's own declaration with this number, if any, and its header. */
  id: string | null;
  registration_date: string | null;
  direction: string | null;
  customs_post_code: string | null;
  procedure_code: string | null;
  declarant_name: string | null;
}

/** A declaration of the batch with its keys. */
interface KeyedDecl {
  decl: DeclRow;
  participantId: string;
  declarationId: string;
  isNew: boolean;
  changed: boolean;
}

/**
 * Loads one staged batch. Declarations are matched by number with one index probe each; new
 * ones get ids from the identity column's sequence and, like the items of new declarations,
 * are written with COPY in primary-key order. Items of declarations that already existed go
 * through a staging table and an upsert. Accumulates the counts.
 */
class BatchLoader {
  readonly counts = {
    inserted: 0,
    replaced: 0,
    participantsCreated: 0,
    declarationsCreated: 0,
    declarationsUpdated: 0,
    /** Valid rows rejected by the database checks. */
    conflictRows: 0,
  };
  private readonly affected = new Map<string, AffectedMonth>();
  /** The declarations.id identity's sequence, looked up on first use. */
  private idSequence?: string;

  constructor(
    private readonly client: PoolClient,
    private readonly sink: RowSink,
    private readonly opts: LoaderOptions,
  ) {}

  private async sql<R extends QueryResultRow = Record<string, unknown>>(
    step: string,
    text: string,
    params?: unknown[],
  ) {
    const t = performance.now();
    const r = await this.client.query<R>(text, params);
    this.opts.onStep?.(step, performance.now() - t);
    return r;
  }

  private async copy(step: string, sql: string, chunks: Array<string | Buffer>): Promise<void> {
    const t = performance.now();
    await copyIn(this.client, sql, async (put) => {
      for (const c of chunks) await put(c);
    });
    this.opts.onStep?.(step, performance.now() - t);
  }

  async load(batch: SinkBatch): Promise<void> {
    const { sink, opts } = this;
    const now = opts.now;
    if (batch.rows.count === 0) return;
    await this.sql('truncate', 'TRUNCATE ingest_items, ingest_decls, ingest_idents, ingest_changed, ingest_upserted');
    await this.copy(
      'copy_declarations',
      'COPY ingest_decls (decl_idx, number, ident_idx) FROM STDIN',
      textChunks(batch.decls, (d) => `${d.idx}\t${copyValue(d.number)}\t${d.identIdx}\n`),
    );
    await this.copy(
      'copy_declarations',
      'COPY ingest_idents (ident_idx, voen, fin, gooen, name, first_line) FROM STDIN',
      textChunks(
        batch.idents,
        (i) =>
          `${i.idx}\t${copyValue(i.voen)}\t${copyValue(i.fin)}\t${copyValue(i.gooen)}\t${copyValue(i.name)}\t${i.line}\n`,
      ),
    );

    // Declarants already known; then what the database holds under each declaration number.
    await this.sql('resolve_idents', RESOLVE_IDENTS);
    const probes = await this.sql<Probe>('probe_declarations', PROBE_DECLARATIONS);
    const conflicts = new Map<number, string>();
    const existing = new Map<number, Probe>();
    const byIdx = new Map(batch.decls.map((d) => [d.idx, d]));
    for (const p of probes.rows) {
      if (p.foreign) conflicts.set(p.decl_idx, byIdx.get(p.decl_idx)!.number);
      else existing.set(p.decl_idx, p);
    }
    if (conflicts.size > 0) {
      this.reject(batch, conflicts);
      await this.client.query('DELETE FROM ingest_decls WHERE decl_idx = ANY ($1)', [[...conflicts.keys()]]);
    }
    // A file that will be rejected: keep checking (to report every problem), stop writing.
    if (sink.errorCount > 0 && !opts.skipInvalid) return;

    // Participants first seen in this file.
    const created = await this.sql<{ n: number }>('create_participants', CREATE_PARTICIPANTS, [now]);
    this.counts.participantsCreated += created.rows[0].n;
    if (created.rows[0].n > 0) await this.sql('resolve_idents', RESOLVE_IDENTS);
    const owners = await this.client.query<{ ident_idx: number; participant_id: string }>(
      'SELECT ident_idx, participant_id::text AS participant_id FROM ingest_idents',
    );
    const participantOf = new Map(owners.rows.map((r) => [r.ident_idx, r.participant_id]));

    // Keys of every declaration of the batch; new ones take ids in (participant, file) order.
    const keyed: KeyedDecl[] = [];
    const fresh: KeyedDecl[] = [];
    const changed: KeyedDecl[] = [];
    for (const d of batch.decls) {
      if (conflicts.has(d.idx)) continue;
      const participantId = participantOf.get(d.identIdx);
      if (participantId === undefined || participantId === null)
        throw new Error(`declarant of line ${d.line} not resolved`);
      const p = existing.get(d.idx);
      const v = d.fields; // DECL_FIELDS order: date, direction, voen, fin, gooen, name, post, procedure
      const k: KeyedDecl = {
        decl: d,
        participantId,
        declarationId: p?.id ?? '',
        isNew: p === undefined,
        changed:
          p !== undefined &&
          (p.registration_date !== v[0] ||
            p.direction !== v[1] ||
            p.customs_post_code !== v[6] ||
            p.procedure_code !== v[7] ||
            p.declarant_name !== v[5]),
      };
      keyed.push(k);
      if (k.isNew) fresh.push(k);
      if (k.changed) {
        changed.push(k);
        this.addAffected(participantId, p!.registration_date!);
      }
      if (k.isNew || k.changed) this.addAffected(participantId, v[0]);
    }
    this.counts.declarationsCreated += fresh.length;
    this.counts.declarationsUpdated += changed.length;
    if (fresh.length > 0) {
      fresh.sort((a, b) => compareDigits(a.participantId, b.participantId) || a.decl.idx - b.decl.idx);
      // The sequence is looked up once: pg_get_serial_sequence() in the query would run per row
      // (most of the cost). One row with every id; the sequence caches 1,000 values per session.
      this.idSequence ??= (
        await this.client.query<{ seq: string }>(`SELECT pg_get_serial_sequence('declarations', 'id') AS seq`)
      ).rows[0].seq;
      const ids = await this.sql<{ ids: string }>(
        'allocate_ids',
        `SELECT string_agg(nextval($2::regclass)::text, ',') AS ids FROM generate_series(1, $1)`,
        [fresh.length, this.idSequence],
      );
      const sortedIds = ids.rows[0].ids.split(',').sort(compareDigits);
      fresh.forEach((k, i) => {
        k.declarationId = sortedIds[i];
      });
      const at = now.toISOString();
      // COPY writes identity values as given (like INSERT … OVERRIDING SYSTEM VALUE).
      await this.copy(
        'copy_new_declarations',
        `COPY declarations (participant_id, id, number, registration_date, direction,
          customs_post_code, procedure_code, declarant_name, imported_at) FROM STDIN`,
        textChunks(fresh, (k) => {
          const v = k.decl.fields;
          return `${k.participantId}\t${k.declarationId}\t${copyValue(k.decl.number)}\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t${copyValue(v[5])}\t${at}\n`;
        }),
      );
    }
    if (changed.length > 0) {
      await this.copy(
        'copy_changed',
        `COPY ingest_changed (participant_id, declaration_id, registration_date, direction,
          customs_post_code, procedure_code, declarant_name, decl_flags) FROM STDIN`,
        textChunks(changed, (k) => {
          const v = k.decl.fields;
          return `${k.participantId}\t${k.declarationId}\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t${copyValue(v[5])}\t${k.decl.flags}\n`;
        }),
      );
      await this.sql('update_declarations', UPDATE_DECLARATIONS, [now]);
    }

    // Items, rendered with their keys in primary-key order: straight into declaration_items for
    // new declarations; through staging and an upsert for declarations that already existed.
    const r = renderItems(batch, keyed);
    if (r.fresh.length > 0) {
      await this.copy('copy_new_items', `COPY declaration_items (${ITEM_COLUMNS}) FROM STDIN`, r.fresh);
      this.counts.inserted += r.freshRows;
    }
    if (r.existing.length > 0) {
      await this.copy('copy_existing_items', `COPY ingest_items (${ITEM_COLUMNS}) FROM STDIN`, r.existing);
      await this.sql('upsert_existing_items', UPSERT_EXISTING_ITEMS);
      const c = await this.client.query<{ ins: number; upd: number }>(
        `SELECT count(*) FILTER (WHERE inserted)::int AS ins, count(*) FILTER (WHERE NOT inserted)::int AS upd FROM ingest_upserted`,
      );
      this.counts.inserted += c.rows[0].ins;
      this.counts.replaced += c.rows[0].upd;
      if (c.rows[0].ins + c.rows[0].upd > 0) {
        await this.sql('touch_declarations', TOUCH_DECLARATIONS, [now]);
        const months = await this.client.query<{ participant_id: string; month: string }>(UPSERTED_MONTHS);
        for (const m of months.rows) this.addAffected(m.participant_id, m.month);
      }
    }
    if (changed.length > 0) await this.sql('propagate_headers', PROPAGATE_HEADERS);
  }

  private addAffected(participantId: string, date: string): void {
    const month = `${date.slice(0, 7)}-01`;
    this.affected.set(`${participantId}/${month}`, { participantId: String(participantId), month });
  }

  /** Rows of declarations whose number belongs to another participant: errors (and rejects). */
  private reject(batch: SinkBatch, conflicts: Map<number, string>): void {
    const { sink, opts } = this;
    const rows = batch.rows;
    const decls = new Map(batch.decls.map((d) => [d.idx, d]));
    let n = 0;
    for (let i = 0; i < rows.count; i++) {
      const number = conflicts.get(rows.decls[i]);
      if (number === undefined) continue;
      n++;
      const reason = `${number} is already registered to another declarant`;
      sink.addError(rows.lines[i], 'declaration_number', reason);
      if (opts.skipInvalid && sink.collectsRejects && sink.header) {
        const d = decls.get(rows.decls[i])!;
        const byColumn: Record<string, string> = { declaration_number: d.number, item_number: String(rows.items[i]) };
        DECL_FIELDS.forEach((c, j) => {
          byColumn[c] = d.fields[j];
        });
        const rest = rows.rest(i).replace(/\n$/, '').split('\t');
        ITEM_LEVEL_COLUMNS.forEach((c, j) => {
          byColumn[c] = uncopyValue(rest[j]);
        });
        const rec = new Array<string>(sink.header.length);
        sink.columnOrder.forEach((pos, j) => {
          rec[pos] = byColumn[DECLARATION_COLUMNS[j]];
        });
        sink.rejectRow(rec, `declaration_number: ${reason}`);
      }
    }
    sink.rejectedRows += n;
    this.counts.conflictRows += n;
  }

  /** Every (participant, month) touched, ordered by participant then month. */
  affectedMonths(): AffectedMonth[] {
    return [...this.affected.values()].sort(
      (a, b) => compareDigits(a.participantId, b.participantId) || (a.month < b.month ? -1 : a.month > b.month ? 1 : 0),
    );
  }
}

/** COPY text of many records in ~1 MiB strings. */
function textChunks<T>(items: ReadonlyArray<T>, line: (item: T) => string): string[] {
  const chunks: string[] = [];
  let text = '';
  for (const it of items) {
    text += line(it);
    if (text.length >= FLUSH_CHARS) {
      chunks.push(text);
      text = '';
    }
  }
  if (text.length > 0) chunks.push(text);
  return chunks;
}

async function createStagingTables(client: PoolClient): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ingest_decls (
      decl_idx integer PRIMARY KEY,
      number text NOT NULL,
      ident_idx integer NOT NULL
    ) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_idents (
      ident_idx integer PRIMARY KEY,
      voen char(10),
      fin char(7),
      gooen text,
      name text NOT NULL,
      first_line integer NOT NULL,
      participant_id bigint
    ) ON COMMIT DROP`);
  // Existing declarations whose header changes.
  await client.query(`
    CREATE TEMP TABLE ingest_changed (
      participant_id bigint NOT NULL,
      declaration_id bigint NOT NULL,
      registration_date date NOT NULL,
      direction char(2) NOT NULL,
      customs_post_code text NOT NULL,
      procedure_code char(2) NOT NULL,
      declarant_name text NOT NULL,
      decl_flags text[] NOT NULL
    ) ON COMMIT DROP`);
  // Items of declarations that already exist, keys included, before the upsert.
  await client.query(`CREATE TEMP TABLE ingest_items (LIKE declaration_items) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_upserted (
      inserted boolean NOT NULL,
      participant_id bigint NOT NULL,
      declaration_id bigint NOT NULL,
      registration_date date NOT NULL
    ) ON COMMIT DROP`);
}

/** Matches declarants to participants: by VÖEN, else FIN, else GÖÖEN. */
const RESOLVE_IDENTS = `
  UPDATE ingest_idents i SET participant_id = COALESCE(
      (SELECT p.id FROM participants p WHERE p.voen = i.voen),
      (SELECT p.id FROM participants p WHERE p.fin = i.fin),
      (SELECT p.id FROM participants p WHERE p.gooen = i.gooen))
   WHERE i.participant_id IS NULL`;

/**
 * For each staged declaration number that the database already holds: whether it belongs to
 * another participant, and the declarant's own declaration (id and header). The aggregate keeps
 * the lateral subquery a probe of declarations_number_idx per declaration; a join could read
 * the whole table once per batch. At most one row per (participant, number) exists, so max()
 * of a column is that row's value.
 */
const PROBE_DECLARATIONS = `
  SELECT s.decl_idx, f.*
    FROM ingest_decls s
    JOIN ingest_idents i USING (ident_idx)
    CROSS JOIN LATERAL (
      SELECT bool_or(d.participant_id IS DISTINCT FROM i.participant_id) AS foreign,
             max(d.id) FILTER (WHERE d.participant_id = i.participant_id)::text AS id,
             to_char(max(d.registration_date) FILTER (WHERE d.participant_id = i.participant_id), 'YYYY-MM-DD') AS registration_date,
             max(d.direction) FILTER (WHERE d.participant_id = i.participant_id)::text AS direction,
             max(d.customs_post_code) FILTER (WHERE d.participant_id = i.participant_id) AS customs_post_code,
             max(d.procedure_code) FILTER (WHERE d.participant_id = i.participant_id)::text AS procedure_code,
             max(d.declarant_name) FILTER (WHERE d.participant_id = i.participant_id) AS declarant_name
        FROM declarations d WHERE d.number = s.number) f
   WHERE f.foreign IS NOT NULL`;

/**
 * New participants, one per unmatched identity still in use, in order of first appearance
 * (name = declarant_name of that row). ON CONFLICT DO NOTHING: an identity sharing a FIN or
 * GÖÖEN with one created just before resolves to it in the next RESOLVE_IDENTS.
 */
const CREATE_PARTICIPANTS = `
  WITH ins AS (
    INSERT INTO participants (kind, name, voen, fin, gooen, created_at)
    SELECT CASE WHEN i.voen IS NOT NULL AND i.fin IS NULL THEN 'LEGAL_ENTITY' ELSE 'NATURAL_PERSON' END,
           i.name, i.voen, i.fin, i.gooen, $1
      FROM ingest_idents i
     WHERE i.participant_id IS NULL
       AND EXISTS (SELECT 1 FROM ingest_decls s WHERE s.ident_idx = i.ident_idx)
     ORDER BY i.first_line
    ON CONFLICT DO NOTHING
    RETURNING id)
  SELECT count(*)::int AS n FROM ins`;

const UPDATE_DECLARATIONS = `
  UPDATE declarations d
     SET registration_date = s.registration_date, direction = s.direction, customs_post_code = s.customs_post_code,
         procedure_code = s.procedure_code, declarant_name = s.declarant_name, imported_at = $1
    FROM ingest_changed s
   WHERE d.participant_id = s.participant_id AND d.id = s.declaration_id`;

const ITEM_COLUMNS = `participant_id, declaration_id, item_number, registration_date, direction, customs_post_code,
  procedure_code, hs_code, description, origin_country, partner_country, transport_mode, net_weight_kg,
  gross_weight_kg, supplementary_quantity, supplementary_unit, invoice_value, invoice_currency,
  customs_value_azn, statistical_value_usd, unknown_reference`;
const ITEM_DATA_COLUMNS = ITEM_COLUMNS.split(',')
  .map((c) => c.trim())
  .slice(3);

/** Items of existing declarations: insert, or replace when any value differs. */
const UPSERT_EXISTING_ITEMS = `
  WITH up AS (
    INSERT INTO declaration_items (${ITEM_COLUMNS})
    SELECT ${ITEM_COLUMNS} FROM ingest_items
    ON CONFLICT (participant_id, declaration_id, item_number) DO UPDATE
       SET ${ITEM_DATA_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
     WHERE (${ITEM_DATA_COLUMNS.map((c) => `declaration_items.${c}`).join(', ')})
           IS DISTINCT FROM (${ITEM_DATA_COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})
    RETURNING xmax = 0 AS inserted, participant_id, declaration_id, registration_date)
  INSERT INTO ingest_upserted SELECT * FROM up`;

/**
 * Items of a changed declaration that were not in the file take the new header values; the
 * declaration-level reference flags are recomputed, the item-level ones kept.
 */
const PROPAGATE_HEADERS = `
  UPDATE declaration_items di
     SET registration_date = s.registration_date, direction = s.direction,
         customs_post_code = s.customs_post_code, procedure_code = s.procedure_code,
         unknown_reference = ARRAY(
           SELECT f FROM unnest(ARRAY['customs_post', 'procedure', 'hs_heading', 'transport_mode']) WITH ORDINALITY AS u(f, o)
            WHERE CASE WHEN f IN ('customs_post', 'procedure') THEN f = ANY (s.decl_flags) ELSE f = ANY (di.unknown_reference) END
            ORDER BY o)
    FROM ingest_changed s
   WHERE di.participant_id = s.participant_id AND di.declaration_id = s.declaration_id
     AND (di.registration_date, di.direction, di.customs_post_code, di.procedure_code)
         IS DISTINCT FROM (s.registration_date, s.direction, s.customs_post_code, s.procedure_code)`;

/** Existing declarations with inserted or replaced items: imported_at = now. */
const TOUCH_DECLARATIONS = `
  UPDATE declarations d SET imported_at = $1
    FROM (SELECT DISTINCT participant_id, declaration_id FROM ingest_upserted) u
   WHERE d.participant_id = u.participant_id AND d.id = u.declaration_id AND d.imported_at IS DISTINCT FROM $1`;

/** Months of the items the upsert inserted or replaced. */
const UPSERTED_MONTHS = `
  SELECT DISTINCT participant_id::text AS participant_id, to_char(registration_date, 'YYYY-MM') AS month FROM ingest_upserted`;

/** Compares two non-negative integers written in decimal (bigint ids). */
function compareDigits(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Renders a batch's rows as declaration_items COPY lines in primary-key order: `fresh` for
 * declarations created by this batch, `existing` for the others. Rows of rejected
 * declarations have no keys and are left out.
 */
function renderItems(batch: SinkBatch, keyed: KeyedDecl[]): { fresh: Buffer[]; freshRows: number; existing: Buffer[] } {
  const rows = batch.rows;
  const sorted = [...keyed].sort(
    (a, b) => compareDigits(a.participantId, b.participantId) || compareDigits(a.declarationId, b.declarationId),
  );
  const rankOf = new Map<number, number>();
  const heads: Buffer[] = [];
  const mids: Buffer[] = [];
  const isNew: boolean[] = [];
  sorted.forEach((k, r) => {
    const v = k.decl.fields; // DECL_FIELDS order
    rankOf.set(k.decl.idx, r);
    heads.push(Buffer.from(`${k.participantId}\t${k.declarationId}\t`));
    mids.push(Buffer.from(`\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t`));
    isNew.push(k.isNew);
  });
  const rank = new Int32Array(rows.count);
  const sortKey = new Float64Array(rows.count);
  const order: number[] = [];
  for (let i = 0; i < rows.count; i++) {
    const r = rankOf.get(rows.decls[i]);
    if (r === undefined) continue;
    rank[i] = r;
    // Item numbers are below 2^30 (at most 9 digits).
    sortKey[i] = r * 1073741824 + rows.items[i];
    order.push(i);
  }
  order.sort((a, b) => sortKey[a] - sortKey[b]);
  const fresh = new LineWriter();
  const existing = new LineWriter();
  let freshRows = 0;
  for (const i of order) {
    const r = rank[i];
    const w = isNew[r] ? fresh : existing;
    if (isNew[r]) freshRows++;
    w.bytes(heads[r]);
    w.int(rows.items[i]);
    w.bytes(mids[r]);
    w.bytes(rows.buf, rows.start(i), rows.ends[i]);
  }
  return { fresh: fresh.finish(), freshRows, existing: existing.finish() };
}
