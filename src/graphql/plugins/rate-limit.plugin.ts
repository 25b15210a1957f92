/**
 * The rate budget and the request slots (src/limits/fair-share.ts) at the request level. The cost
 * plugin calls `admit` as soon as it has the operation's cost (still before anything executes):
 * the budget is charged and a slot taken, or the operation is refused with RATE_LIMITED. Every
 * response then carries `extensions.cost { requested remaining resetAt limit }`; operations refused
 * before they were costed or admitted (parse, validation, QUERY_TOO_COMPLEX) show the budget as it
 * stands, charged nothing. The slot is released when the response is sent: at once in this
 * instance, its lease row deleted with the next admission batch (nothing awaited on the way out).
 *
 * Register it before the audit plugin: willSendResponse hooks start in registration order, and the
 * audit hashes the response as sent, so extensions.cost is set before the first await.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { Logger } from '../../shared/logger';
import {
  clientKey,
  costReportOf,
  RateRefusal,
  setCostReport,
  type CostReport,
  type FairShare,
} from '../../limits/fair-share';
import type { GraphQLContext } from '../context';

interface RequestState {
  report?: CostReport;
  release?: () => Promise<void>;
}

export interface RateLimiting {
  /** Charges and admits the operation of `rc` costing `cost`; throws RATE_LIMITED (or the database's error). */
  admit: (rc: GraphQLRequestContext<GraphQLContext>, cost: number) => Promise<void>;
  plugin: ApolloServerPlugin<GraphQLContext>;
}

export function rateLimiting(fair: FairShare, logger: Logger): RateLimiting {
  const states = new WeakMap<object, RequestState>();
  const stateOf = (rc: GraphQLRequestContext<GraphQLContext>) => {
    let s = states.get(rc.request);
    if (!s) states.set(rc.request, (s = {}));
    return s;
  };
  const keyOf = (ctx: GraphQLContext) => clientKey(ctx.viewer, ctx.clientIp);
  return {
    admit: async (rc, cost) => {
      const state = stateOf(rc);
      try {
        const a = await fair.admit(keyOf(rc.contextValue), cost);
        state.report = a.report;
        state.release = a.release;
        setCostReport(rc.contextValue, a.report);
      } catch (e) {
        if (e instanceof RateRefusal) state.report = e.report;
        throw e;
      }
    },
    plugin: {
      async requestDidStart() {
        return {
          async didEncounterErrors(rc) {
            const state = stateOf(rc);
            if (state.report || state.release) return;
            state.report = await fair.peek(keyOf(rc.contextValue), 0).catch((e: unknown) => {
              logger.warn({ err: e }, 'rate budget not read');
              return undefined;
            });
          },
          async willSendResponse(rc) {
            const state = stateOf(rc);
            const report = state.report ?? costReportOf(rc.contextValue);
            const body = rc.response.body;
            if (report && body.kind === 'single') {
              body.singleResult.extensions = {
                ...body.singleResult.extensions,
                cost: {
                  requested: report.requested,
                  remaining: report.remaining,
                  resetAt: report.resetAt.toISOString(),
                  limit: report.limit,
                },
              };
            }
            // Returns at once: the lease row goes with the next batch (fair-share.ts, AdmitBatcher).
            void state.release?.();
          },
        };
      },
    },
  };
}
