/**
 * The real maximum length of every list of objects the API returns without a `first` argument, for
 * the cost estimate (src/graphql/plugins/complexity.plugin.ts): what the database holds now for the
 * lists whose length depends on data (a declaration's items, the countries, a participant's blocks),
 * fixed bounds for the others. Read with one statement as the connection user on the reserved pool,
 * at most once per `ttlMs` (the first operation after that waits for it; failures keep the last
 * figures, or refuse while there are none). Data-dependent figures are at least DATA_FLOOR.
 */
import type { Pool } from 'pg';
import { MAX_STATISTICS_DAYS } from '../audit/queries';
import { ERROR_CODES } from '../shared/errors';
import { LABELS } from '../shared/lang-labels';

/** Lists whose bound does not depend on data. */
export const FIXED_LIST_MAXIMA: Readonly<Record<string, number>> = {
  /**
   * serviceStatistics: one row per hour of the period, at most MAX_STATISTICS_DAYS days. Rows of one
   * aggregate statement, counted per hundred as tradeStatistics rows are (complexity.plugin.ts).
   */
  operationsPerHour: Math.ceil((MAX_STATISTICS_DAYS * 24) / 100),
  /** serviceStatistics: one row per error code (the catalogue's and GraphQL's own, with room to spare). */
  errorsByCode: ERROR_CODES.length + 20,
  /** serviceStatistics: one row per login method (AuthMethod, with room to spare). */
  loginsByMethod: 10,
  /** labels: one set per labelled type (Query.labels), one label per value or field (LabelSet.labels). */
  labels: Math.max(Object.keys(LABELS).length, ...Object.values(LABELS).map((v) => Object.keys(v).length)),
};

/**
 * Data-dependent maxima are never taken below this: the data may grow between two reads (an import
 * in another process), and a few rows more than counted are then still within the estimate.
 */
export const DATA_FLOOR = 10;

const DATA_MAXIMA = `
  SELECT (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM declaration_items
                                            GROUP BY participant_id, declaration_id) i)::int AS items,
         (SELECT count(*) FROM countries)::int AS countries,
         (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM participant_blocks GROUP BY participant_id) b)::int
           AS "participantBlocks"`;

export class ListMaxima {
  private current: Readonly<Record<string, number>> | undefined;
  private readAt = -Infinity;
  private reading: Promise<Readonly<Record<string, number>>> | undefined;

  constructor(
    /** The reserved pool, looked up on first use. */
    private readonly pool: () => Pool,
    private readonly ttlMs = 60_000,
  ) {}

  /** The maxima by list field name. */
  get(): Promise<Readonly<Record<string, number>>> {
    if (this.current && performance.now() - this.readAt < this.ttlMs) return Promise.resolve(this.current);
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Forget the figures: the next get() reads them again (after an import, in tests). */
  invalidate(): void {
    this.readAt = -Infinity;
  }

  private async read(): Promise<Readonly<Record<string, number>>> {
    try {
      const { rows } = await this.pool().query<Record<string, number>>(DATA_MAXIMA);
      const data = Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Math.max(Number(v), DATA_FLOOR)]));
      this.current = Object.freeze({ ...FIXED_LIST_MAXIMA, ...data });
      this.readAt = performance.now();
    } catch (e) {
      if (!this.current) throw e;
    }
    return this.current;
  }
}
