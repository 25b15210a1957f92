/** The importer's public options and results, and their defaults. */
import type { PoolClient } from 'pg';

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

/** Default of ImportOptions.analyzeMinRows. */
export const ANALYZE_MIN_ROWS = 10_000;
/** Default of ImportOptions.batchRows: valid rows per database batch. */
export const BATCH_ROWS = 100_000;
/** Default of ImportOptions.maxErrors. */
export const MAX_ERRORS = 10_000;
