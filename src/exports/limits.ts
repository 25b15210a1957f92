/**
 * The one gate every export passes before it touches the database: `beforeExport(viewer, cost)`.
 * Today's limits, the ones tradeStatistics has:
 *  - cost: an export runs one statement over the trader's items, charged as the GraphQL cost model
 *    charges a tradeStatistics call (ROOT_STATEMENT_COST, 500) — the rows are streamed in constant
 *    memory, so they are not charged by the row (the GraphQL row cost stands for a response held in
 *    memory); refused above the operation limit (QUERY_TOO_COMPLEX) like any operation;
 *  - rows: a statistics export holds at most MAX_STATISTICS_ROWS groups (tradeStatistics' `first`
 *    limit; checked on the first FETCH, src/exports/sources.ts);
 *  - time: every FETCH runs under DB_STATEMENT_TIMEOUT_MS, and a client that does not take the next
 *    bytes within that long is cut off (src/exports/routes.ts): a stalled reader cannot hold a pooled
 *    connection for ever.
 * And one guard streaming needs: an export holds a pooled connection from its first to its last
 * byte, so a participant runs at most MAX_EXPORTS_PER_PARTICIPANT at once and the process at most
 * half the pool (RATE_LIMITED with retryAfterSeconds beyond). Per process; a per-participant budget
 * across instances belongs here too when there is one: the permit's release() is called once the
 * export is over, whatever its outcome.
 */
import type { Viewer } from '../auth/viewer';
import { QueryTooComplexError, RateLimitedError } from '../shared/errors';

export const MAX_EXPORTS_PER_PARTICIPANT = 2;
/** What a refused export is told to wait: a short file takes less, a long one more. */
export const EXPORT_RETRY_SECONDS = 5;

export interface ExportPermit {
  release(): void;
}

export interface ExportLimits {
  beforeExport(viewer: Viewer, cost: number): Promise<ExportPermit>;
  /** Exports running now (all participants). */
  readonly running: number;
}

export function exportLimits(opts: { maxComplexity: number; poolMax: number }): ExportLimits {
  const perParticipant = new Map<string, number>();
  const maxRunning = Math.max(1, Math.floor(opts.poolMax / 2));
  let running = 0;
  return {
    get running() {
      return running;
    },
    async beforeExport(viewer, cost) {
      if (cost > opts.maxComplexity) throw new QueryTooComplexError(cost, opts.maxComplexity);
      const key = viewer.participantId ?? `session:${viewer.sessionId}`;
      const mine = perParticipant.get(key) ?? 0;
      if (mine >= MAX_EXPORTS_PER_PARTICIPANT) {
        throw new RateLimitedError(
          `at most ${MAX_EXPORTS_PER_PARTICIPANT} exports of one participant run at once: wait for one to finish`,
          EXPORT_RETRY_SECONDS,
        );
      }
      if (running >= maxRunning) {
        throw new RateLimitedError('the service runs as many exports as it can right now', EXPORT_RETRY_SECONDS);
      }
      perParticipant.set(key, mine + 1);
      running += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          running -= 1;
          const left = (perParticipant.get(key) ?? 1) - 1;
          if (left <= 0) perParticipant.delete(key);
          else perParticipant.set(key, left);
        },
      };
    },
  };
}
