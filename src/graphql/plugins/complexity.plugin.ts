/**
 * Refuses operations whose estimated cost is too high (QUERY_TOO_COMPLEX), before executing
 * anything: a list field costs its `first` argument (or a default) times its selection.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/** Lists without a `first` argument (items of a declaration) are assumed to hold this many. */
const DEFAULT_LIST_SIZE = 10;
/** Page lists whose length the parent's `first` already counted. */
const PAGE_LISTS = new Set(['edges', 'rows']);
/**
 * Statistics rows come out of one aggregate statement: a row costs far less than a declaration
 * (which has its own items), so `first` counts per hundred rows there.
 */
const ROWS_PER_UNIT: Record<string, number> = { tradeStatistics: 100 };

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
              estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables are coerced here first: a missing or ill-typed one is the client's error.
            throw new GraphQLError(e instanceof Error ? e.message : String(e),
              { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (complexity > maxComplexity) {
            throw new GraphQLError(
              `query cost ${complexity} exceeds the limit of ${maxComplexity}: ask for fewer rows or fields`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', complexity, maxComplexity, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
