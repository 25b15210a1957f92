/**
 * The declaration importer (IMPORT.md): CSV in, participants / declarations / declaration_items
 * out, in one transaction per file.
 *
 * 1. BEGIN; take a transaction-scoped advisory lock (imports run one at a time).
 * 2. Stream the file through csv-parse; every record is validated synchronously (RowSink) and
 *    valid rows are written, in ~1 MiB batches, to a TEMP staging table with COPY FROM STDIN.
 *    Declarations and declarant identities (a few per cent of the rows) follow in two more COPYs.
 * 3. Set-based SQL: resolve declarants, reject declaration numbers that belong to another
 *    participant, create participants, insert/update declarations, insert items (sorted by
 *    primary key, which halves index maintenance), upsert the items of already known
 *    declarations (`ON CONFLICT … DO UPDATE … WHERE IS DISTINCT FROM`, so an identical row is
 *    left untouched and counted unchanged).
 * 4. Call `afterLoad` (statistics rollups) with the (participant, month) pairs touched; COMMIT.
 *
 * Any invalid row rejects the whole file (ROLLBACK, ImportRejectedError) unless `skipInvalid`,
 * which imports the valid rows and writes the others to a rejects CSV with an `error` column.
 *
 * Items of a declaration that are not in the file are kept (a file may carry only some items
 * of a declaration); when a declaration's header (date, direction, post, procedure, declarant
 * name) changes, its other items are updated to the new header values, since items repeat them.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Parser } from 'csv-parse';
import type { PoolClient, QueryResultRow } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { DECLARATION_COLUMNS, csvLine } from './columns';
import { ImportRejectedError } from './errors';
import { RowSink, copyValue, type RowError } from './row-sink';
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
  /** Duration of each step in milliseconds (benchmarks, diagnostics). */
  onStep?: (step: string, ms: number) => void;
  /** Errors kept in memory and returned (default 10,000); the rest are counted. */
  maxErrors?: number;
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
  await Promise.race([once(stream, 'drain'), once(stream, 'error').then(([e]) => { throw e; })]);
}

/** Writes to a COPY FROM STDIN stream and waits for PostgreSQL to confirm. */
async function copyIn(client: PoolClient, sql: string, produce: (w: (text: string | Buffer) => Promise<void>) => Promise<void>): Promise<void> {
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
export async function importDeclarations(ds: DataSource, input: Readable | string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const skipInvalid = opts.skipInvalid ?? false;
  const rejectsPath = skipInvalid ? opts.rejectsPath ?? (typeof input === 'string' ? `${input}.rejects.csv` : undefined) : undefined;
  const totalBytes = typeof input === 'string' ? (await fs.promises.stat(input)).size : undefined;
  const source = typeof input === 'string' ? fs.createReadStream(input, { highWaterMark: 1 << 20 }) : input;

  const qr = ds.createQueryRunner();
  const client = (await qr.connect()) as PoolClient;
  let rejectsFile: fs.WriteStream | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
    await client.query(`SET LOCAL work_mem = '256MB'`);
    // One statement, timed for onStep.
    const sql = async <R extends QueryResultRow = Record<string, unknown>>(step: string, text: string, params?: unknown[]) => {
      const t = performance.now();
      const r = await client.query<R>(text, params);
      opts.onStep?.(step, performance.now() - t);
      return r;
    };
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

    // Parse, validate and stage the items.
    const parser = new RecordParser((rec, endLine) => sink.record(rec, endLine));
    let parseError: Error | undefined;
    parser.on('error', (e) => {
      parseError = e;
    });
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
    let t0 = performance.now();
    await copyIn(client, `COPY ingest_items FROM STDIN`, async (put) => {
      for await (const chunk of source) {
        bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
        if (!parser.write(chunk) && parseError === undefined) await once(parser, 'drain');
        if (parseError || sink.fatal) break;
        for (const buf of sink.takeOutput()) await put(buf);
        if (sink.rejects.length >= FLUSH_CHARS) await flushRejects();
        progress('parse');
      }
      if (!parseError && !sink.fatal) {
        parser.end();
        await finished(parser, { readable: false }).catch((e) => {
          parseError ??= e;
        });
      }
      if (parseError || sink.fatal) return;
      for (const buf of sink.takeOutput(true)) await put(buf);
    });
    opts.onStep?.('parse_and_copy_items', performance.now() - t0);
    if (typeof input === 'string') source.destroy();
    if (parseError) {
      const line = parser.info.lines;
      throw new ImportRejectedError([`line ${line}: csv: ${parseError.message}`], 1, 0);
    }
    if (sink.fatal) throw new ImportRejectedError([sink.fatal.text], 1, 0);
    if (sink.header === undefined) throw new ImportRejectedError(['line 1: header: the file is empty'], 1, 0);
    progress('load');

    // Declarations and declarant identities seen in the file.
    t0 = performance.now();
    await copyIn(client, `COPY ingest_decls (decl_idx, number, registration_date, direction, customs_post_code, procedure_code, declarant_name, ident_idx, first_line, decl_flags) FROM STDIN`, async (put) => {
      let text = '';
      for (const d of sink.declarations()) {
        const v = d.fields; // DECL_FIELDS order: date, direction, voen, fin, gooen, name, post, procedure
        text += `${d.idx}\t${copyValue(d.number)}\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t${copyValue(v[5])}\t${d.identIdx}\t${d.line}\t${d.flags}\n`;
        if (text.length >= FLUSH_CHARS) {
          await put(text);
          text = '';
        }
      }
      await put(text);
    });
    await copyIn(client, `COPY ingest_idents (ident_idx, voen, fin, gooen, name, first_line) FROM STDIN`, async (put) => {
      let text = '';
      for (const i of sink.identList) {
        text += `${i.idx}\t${copyValue(i.voen)}\t${copyValue(i.fin)}\t${copyValue(i.gooen)}\t${copyValue(i.name)}\t${i.line}\n`;
      }
      await put(text);
    });

    opts.onStep?.('copy_declarations', performance.now() - t0);
    // Declarants already known, and declaration numbers registered to someone else.
    await sql('resolve_idents', RESOLVE_IDENTS);
    const conflicts = await sql<{ line: number; number: string }>('ownership_conflicts', OWNERSHIP_CONFLICTS);
    for (const r of conflicts.rows) {
      sink.addError(r.line, 'declaration_number', `${r.number} is already registered to another declarant`);
    }
    // Each staged row appears once (one declaration per row).
    const conflictRows = conflicts.rows.length;
    if (conflictRows > 0) {
      sink.rejectedRows += conflictRows;
      if (skipInvalid) {
        if (rejectsFile) {
          const rows = await client.query<Record<string, string | null>>(REJECTED_ROWS);
          for (const r of rows.rows) {
            const byColumn = DECLARATION_COLUMNS.map((c) => r[c] ?? '');
            const rec = new Array<string>(sink.header.length);
            sink.columnOrder.forEach((pos, i) => {
              rec[pos] = byColumn[i];
            });
            sink.rejects += csvLine([...rec, `declaration_number: ${r.declaration_number} is already registered to another declarant`]);
          }
        }
        await client.query(`DELETE FROM ingest_items WHERE decl_idx IN (SELECT decl_idx FROM ingest_decls WHERE rejected)`);
        await client.query(`DELETE FROM ingest_decls WHERE rejected`);
      }
    }
    await flushRejects();

    if (sink.errorCount > 0 && !skipInvalid) {
      sink.errors.sort(byLine);
      throw new ImportRejectedError(sink.errors.map((e) => e.text), sink.errorCount, sink.rejectedRows);
    }

    // Participants first seen in this file; then declarations and items.
    const created = await sql<{ n: number }>('create_participants', CREATE_PARTICIPANTS, [now]);
    await sql('resolve_idents', RESOLVE_IDENTS);
    await sql('match_declarations', MATCH_DECLARATIONS);
    const declCounts = await client.query<{ created: number; updated: number; existing: number }>(
      `SELECT count(*) FILTER (WHERE is_new)::int AS created, count(*) FILTER (WHERE changed)::int AS updated,
              count(*) FILTER (WHERE NOT is_new)::int AS existing FROM ingest_d`);
    await sql('insert_declarations', INSERT_DECLARATIONS, [now]);
    await sql('update_declarations', UPDATE_DECLARATIONS, [now]);
    const fresh = await sql('insert_new_items', INSERT_NEW_ITEMS);
    let insertedExisting = 0;
    let replaced = 0;
    const staged = sink.validRows - conflictRows;
    if (declCounts.rows[0].existing > 0) {
      await sql('upsert_existing_items', UPSERT_EXISTING_ITEMS);
      const c = await client.query<{ ins: number; upd: number }>(
        `SELECT count(*) FILTER (WHERE inserted)::int AS ins, count(*) FILTER (WHERE NOT inserted)::int AS upd FROM ingest_upserted`);
      insertedExisting = c.rows[0].ins;
      replaced = c.rows[0].upd;
      await sql('propagate_headers', PROPAGATE_HEADERS);
      await sql('touch_declarations', TOUCH_DECLARATIONS, [now]);
    }
    const affected = (await sql<{ participant_id: string; month: string }>('affected_months', AFFECTED_MONTHS)).rows
      .map((r) => ({ participantId: String(r.participant_id), month: r.month }));
    if (opts.afterLoad) await opts.afterLoad(client, affected);
    await client.query('COMMIT');

    const inserted = (fresh.rowCount ?? 0) + insertedExisting;
    sink.errors.sort(byLine);
    const summary: ImportSummary = {
      rows: sink.dataRows,
      inserted,
      replaced,
      unchanged: staged - inserted - replaced,
      rejected: sink.rejectedRows,
      participantsCreated: created.rows[0].n,
      declarationsCreated: declCounts.rows[0].created,
      declarationsUpdated: declCounts.rows[0].updated,
      errors: sink.errors.map((e) => e.text),
      errorCount: sink.errorCount,
      rejectsPath,
      affectedMonths: affected.length,
      elapsedMs: performance.now() - started,
    };
    progress('done');
    return summary;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    if (typeof input === 'string') source.destroy();
    if (rejectsFile) {
      rejectsFile.end();
      await finished(rejectsFile).catch(() => undefined);
    }
    await qr.release();
  }
}

async function createStagingTables(client: PoolClient): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ingest_items (
      line integer NOT NULL,
      decl_idx integer NOT NULL,
      item_number integer NOT NULL,
      hs_code char(10) NOT NULL,
      description text,
      origin_country char(2),
      partner_country char(2) NOT NULL,
      transport_mode char(1),
      net_weight_kg numeric(18,3) NOT NULL,
      gross_weight_kg numeric(18,3) NOT NULL,
      supplementary_quantity numeric(18,3),
      supplementary_unit text,
      invoice_value numeric(18,2),
      invoice_currency char(3),
      customs_value_azn numeric(18,2) NOT NULL,
      statistical_value_usd numeric(18,2) NOT NULL,
      unknown_reference text[] NOT NULL
    ) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_decls (
      decl_idx integer PRIMARY KEY,
      number text NOT NULL,
      registration_date date NOT NULL,
      direction char(2) NOT NULL,
      customs_post_code text NOT NULL,
      procedure_code char(2) NOT NULL,
      declarant_name text NOT NULL,
      ident_idx integer NOT NULL,
      first_line integer NOT NULL,
      decl_flags text[] NOT NULL,
      rejected boolean NOT NULL DEFAULT false
    ) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_upserted (
      inserted boolean NOT NULL,
      participant_id bigint NOT NULL,
      declaration_id bigint NOT NULL,
      registration_date date NOT NULL
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
}

/** Matches declarants to participants: by VÖEN, else FIN, else GÖÖEN. */
const RESOLVE_IDENTS = `
  UPDATE ingest_idents i SET participant_id = COALESCE(
      (SELECT p.id FROM participants p WHERE p.voen = i.voen),
      (SELECT p.id FROM participants p WHERE p.fin = i.fin),
      (SELECT p.id FROM participants p WHERE p.gooen = i.gooen))
   WHERE i.participant_id IS NULL`;

/** Staged rows whose declaration number is registered to a different participant. */
const OWNERSHIP_CONFLICTS = `
  WITH c AS (
    UPDATE ingest_decls s SET rejected = true
      FROM ingest_idents i
     WHERE i.ident_idx = s.ident_idx
       AND EXISTS (SELECT 1 FROM declarations d
                    WHERE d.number = s.number AND d.participant_id IS DISTINCT FROM i.participant_id)
    RETURNING s.decl_idx, s.number)
  SELECT t.line, c.number FROM ingest_items t JOIN c USING (decl_idx) ORDER BY t.line`;

/** The rejected rows rebuilt as CSV values (rejects file). */
const REJECTED_ROWS = `
  SELECT s.number AS declaration_number, t.item_number::text, s.registration_date::text, s.direction,
         i.voen AS declarant_voen, i.fin AS declarant_fin, i.gooen AS declarant_gooen, s.declarant_name,
         s.customs_post_code, s.procedure_code, t.hs_code, t.description, t.origin_country, t.partner_country,
         t.transport_mode, t.net_weight_kg::text, t.gross_weight_kg::text, t.supplementary_quantity::text,
         t.supplementary_unit, t.invoice_value::text, t.invoice_currency, t.customs_value_azn::text,
         t.statistical_value_usd::text
    FROM ingest_items t JOIN ingest_decls s USING (decl_idx) JOIN ingest_idents i USING (ident_idx)
   WHERE s.rejected ORDER BY t.line`;

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

/**
 * Each staged declaration with its participant and, when it exists, its id and old header.
 * New declarations get ids from the identity column's own sequence (inserted with OVERRIDING
 * SYSTEM VALUE), so items can be joined without reading the ids back. Analysed: temporary
 * tables have no statistics otherwise, and the item insert should hash-join to it.
 */
const MATCH_DECLARATIONS = `
  CREATE TEMP TABLE ingest_d ON COMMIT DROP AS
  SELECT s.decl_idx, s.number, s.registration_date, s.direction, s.customs_post_code, s.procedure_code,
         s.declarant_name, s.decl_flags, i.participant_id,
         COALESCE(d.id, nextval(pg_get_serial_sequence('declarations', 'id'))) AS declaration_id,
         d.id IS NULL AS is_new, d.registration_date AS old_date,
         (d.id IS NOT NULL AND (d.registration_date, d.direction, d.customs_post_code, d.procedure_code, d.declarant_name)
            IS DISTINCT FROM (s.registration_date, s.direction, s.customs_post_code, s.procedure_code, s.declarant_name)) AS changed
    FROM ingest_decls s
    JOIN ingest_idents i USING (ident_idx)
    LEFT JOIN declarations d ON d.participant_id = i.participant_id AND d.number = s.number;
  ANALYZE ingest_d`;

const INSERT_DECLARATIONS = `
  INSERT INTO declarations (participant_id, id, number, registration_date, direction, customs_post_code,
                            procedure_code, declarant_name, imported_at)
  OVERRIDING SYSTEM VALUE
  SELECT participant_id, declaration_id, number, registration_date, direction, customs_post_code,
         procedure_code, declarant_name, $1
    FROM ingest_d WHERE is_new ORDER BY participant_id, declaration_id`;

const UPDATE_DECLARATIONS = `
  UPDATE declarations d
     SET registration_date = s.registration_date, direction = s.direction, customs_post_code = s.customs_post_code,
         procedure_code = s.procedure_code, declarant_name = s.declarant_name, imported_at = $1
    FROM ingest_d s
   WHERE s.changed AND d.participant_id = s.participant_id AND d.id = s.declaration_id`;

const ITEM_COLUMNS = `participant_id, declaration_id, item_number, registration_date, direction, customs_post_code,
  procedure_code, hs_code, description, origin_country, partner_country, transport_mode, net_weight_kg,
  gross_weight_kg, supplementary_quantity, supplementary_unit, invoice_value, invoice_currency,
  customs_value_azn, statistical_value_usd, unknown_reference`;
const ITEM_VALUES = `s.participant_id, s.declaration_id, t.item_number, s.registration_date, s.direction,
  s.customs_post_code, s.procedure_code, t.hs_code, t.description, t.origin_country, t.partner_country,
  t.transport_mode, t.net_weight_kg, t.gross_weight_kg, t.supplementary_quantity, t.supplementary_unit,
  t.invoice_value, t.invoice_currency, t.customs_value_azn, t.statistical_value_usd, t.unknown_reference`;
const ITEM_DATA_COLUMNS = ITEM_COLUMNS.split(',').map((c) => c.trim()).slice(3);

/** Items of declarations created by this import: plain INSERT in primary-key order. */
const INSERT_NEW_ITEMS = `
  INSERT INTO declaration_items (${ITEM_COLUMNS})
  SELECT ${ITEM_VALUES}
    FROM ingest_items t JOIN ingest_d s USING (decl_idx)
   WHERE s.is_new
   ORDER BY s.participant_id, s.declaration_id, t.item_number`;

/** Items of existing declarations: insert, or replace when any value differs. */
const UPSERT_EXISTING_ITEMS = `
  WITH up AS (
    INSERT INTO declaration_items (${ITEM_COLUMNS})
    SELECT ${ITEM_VALUES}
      FROM ingest_items t JOIN ingest_d s USING (decl_idx)
     WHERE NOT s.is_new
     ORDER BY s.participant_id, s.declaration_id, t.item_number
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
    FROM ingest_d s
   WHERE s.changed AND di.participant_id = s.participant_id AND di.declaration_id = s.declaration_id
     AND (di.registration_date, di.direction, di.customs_post_code, di.procedure_code)
         IS DISTINCT FROM (s.registration_date, s.direction, s.customs_post_code, s.procedure_code)`;

/** Existing declarations with inserted or replaced items: imported_at = now. */
const TOUCH_DECLARATIONS = `
  UPDATE declarations d SET imported_at = $1
    FROM (SELECT DISTINCT participant_id, declaration_id FROM ingest_upserted) u
   WHERE d.participant_id = u.participant_id AND d.id = u.declaration_id AND d.imported_at IS DISTINCT FROM $1`;

/** (participant, month) pairs whose items were inserted, replaced or moved to another month. */
const AFFECTED_MONTHS = `
  SELECT participant_id::text AS participant_id, to_char(m, 'YYYY-MM-DD') AS month
    FROM (
      SELECT participant_id, date_trunc('month', registration_date)::date AS m FROM ingest_d WHERE is_new OR changed
      UNION SELECT participant_id, date_trunc('month', old_date)::date FROM ingest_d WHERE changed
      UNION SELECT participant_id, date_trunc('month', registration_date)::date FROM ingest_upserted
    ) x
   ORDER BY participant_id, m`;
