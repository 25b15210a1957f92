/**
 * The one gate every export passes before it touches the database: `beforeExport(viewer, cost, clientIp)`.
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
 * half the pool (RATE_LIMITED with retryAfterSeconds beyond), per process.
 * Then the fair share every GraphQL operation passes (src/limits/fair-share.ts, issue 11 item 2:
 * "cost- and rate-limited"): the export's cost is charged to the same rate budget as the client's
 * GraphQL operations (the participant's, across every instance) and it takes one of the same request
 * slots (RATE_CONCURRENT_OPERATIONS), waiting up to RATE_WAIT_MS for one; RATE_LIMITED with
 * retryAfterSeconds otherwise. The permit's release() gives back both once the export is over,
 * whatever its outcome (the file ended, failed, or the client went).
 */
import type { Viewer } from '../auth/viewer';
import { clientKey, type CostReport, type FairShare } from '../limits/fair-share';
import { QueryTooComplexError, RateLimitedError } from '../shared/errors';

export const MAX_EXPORTS_PER_PARTICIPANT = 2;
/** What a refused export is told to wait: a short file takes less, a long one more. */
export const EXPORT_RETRY_SECONDS = 5;

export interface ExportPermit {
  /** The rate budget after this export's charge. */
  readonly report: CostReport;
  /** Gives back the export's place and its request slot (once; later calls do nothing). */
  release(): Promise<void>;
}

export interface ExportLimits {
  /** Throws QUERY_TOO_COMPLEX or RATE_LIMITED (a RateRefusal when the budget or the slots refused it). */
  beforeExport(viewer: Viewer, cost: number, clientIp: string): Promise<ExportPermit>;
  /** Exports running now (all participants). */
  readonly running: number;
}

export function exportLimits(opts: { maxComplexity: number; poolMax: number; fair: FairShare }): ExportLimits {
  const perParticipant = new Map<string, number>();
  const maxRunning = Math.max(1, Math.floor(opts.poolMax / 2));
  let running = 0;
  return {
    get running() {
      return running;
    },
    async beforeExport(viewer, cost, clientIp) {
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
      let local = true;
      const releaseLocal = () => {
        if (!local) return;
        local = false;
        running -= 1;
        const left = (perParticipant.get(key) ?? 1) - 1;
        if (left <= 0) perParticipant.delete(key);
        else perParticipant.set(key, left);
      };
      // After the local checks (no database, nothing charged for an export they refuse).
      let admission;
      try {
        admission = await opts.fair.admit(clientKey(viewer, clientIp), cost);
      } catch (e) {
        releaseLocal();
        throw e;
      }
      const slot = admission;
      return {
        report: slot.report,
        async release() {
          if (!local) return;
          releaseLocal();
          await slot.release();
        },
      };
    },
  };
}
