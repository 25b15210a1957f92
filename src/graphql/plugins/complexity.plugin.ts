/**
 * Refuses operations whose estimated cost is too high (QUERY_TOO_COMPLEX), before executing
 * anything: a list field costs its `first` argument (or a default) times its selection, and a
 * root field that runs its own database statement costs that statement on top (each alias
 * runs it again: a thousand aliased `tradeStatistics(first: 1)` held the connection pool for
 * 15 s while other traders waited).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { BadUserInputError, QueryTooComplexError } from '../../shared/errors';
import { toGraphQLError } from './errors.plugin';

/** Lists without a `first` argument (items of a declaration) are assumed to hold this many. */
const DEFAULT_LIST_SIZE = 10;
/** Page lists whose length the parent's `first` already counted. */
const PAGE_LISTS = new Set(['edges', 'rows']);
/**
 * Statistics rows come out of one aggregate statement: a row costs far less than a declaration
 * (which has its own items), so `first` counts per hundred rows there.
 */
const ROWS_PER_UNIT: Record<string, number> = { tradeStatistics: 100 };
/**
 * What one call of a root field costs before its rows: an aggregate over up to millions of items
 * (tradeStatistics, serviceStatistics) or an indexed read (the others). With the limit of 20,000,
 * one operation may ask for at most 40 statistics.
 */
export const ROOT_STATEMENT_COST: Record<string, number> = {
  tradeStatistics: 500,
  serviceStatistics: 500,
  // The tradeStatistics statement over every group, a PDF and a signature: 10 per operation at most.
  statisticalExtract: 2000,
  declarations: 20,
  declaration: 20,
  auditLog: 20,
  myQueryHistory: 20,
  complaints: 20,
  myComplaints: 20,
  contracts: 20,
  contract: 20,
};
const ROOT_TYPES = new Set(['Query', 'Mutation']);

const listEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  // Introspection reads the in-memory schema only (GraphiQL's docs and completion need it whole).
  if (field.name.startsWith('__')) return 0;
  if (typeof args.first === 'number') {
    const per = ROWS_PER_UNIT[field.name] ?? 1;
    return 1 + childComplexity * Math.max(Math.ceil(args.first / per), 1);
  }
  if (PAGE_LISTS.has(field.name)) return 1 + childComplexity;
  if (String(field.type).startsWith('[')) return 1 + childComplexity * DEFAULT_LIST_SIZE;
  return undefined;
};

/** A root field's statement cost plus what the other estimators say of it and its selection. */
const rootStatementEstimator: ComplexityEstimator = (a) => {
  const base = ROOT_TYPES.has(a.type.name) ? ROOT_STATEMENT_COST[a.field.name] : undefined;
  if (base === undefined) return undefined;
  return base + (listEstimator(a) ?? 1 + a.childComplexity);
};

export function complexityPlugin(schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [rootStatementEstimator, listEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables are coerced here first: a missing or ill-typed one is the client's error (400).
            throw toGraphQLError(new BadUserInputError(e instanceof Error ? e.message : String(e)));
          }
          if (complexity > maxComplexity) throw toGraphQLError(new QueryTooComplexError(complexity, maxComplexity));
        },
      };
    },
  };
}
