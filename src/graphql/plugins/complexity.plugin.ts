/**
 * Refuses operations whose estimated cost is too high (QUERY_TOO_COMPLEX), before executing
 * anything, and hands the cost to the rate budget (rate-limit.plugin.ts). How each field is costed
 * (docs/cost-model.md):
 *  - a list field with `first` costs `first` (or, when `first` is omitted or null, the default the
 *    resolver uses: the argument's default value in the schema) times its selection;
 *  - a list without `first` costs its real maximum times its selection: enum lists their number of
 *    values, lists of objects the figure in `listMaxima` (declaration items, countries, blocks… some
 *    read from the database, see src/limits/list-maxima.ts); a list of scalars is one value;
 *  - a root field that runs its own database statement costs that statement on top (each alias runs
 *    it again: a thousand aliased `tradeStatistics(first: 1)` held the connection pool for 15 s);
 *  - introspection (`__schema`, `__type`) costs exactly the number of values it returns, counted on
 *    the in-memory schema before anything runs;
 *  - every other field, `__typename` included, costs 1.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import {
  GraphQLEnumType,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { introspectionSize } from '../../limits/introspection-cost';
import type { ListMaxima } from '../../limits/list-maxima';
import { AppError, BadUserInputError, QueryTooComplexError } from '../../shared/errors';
import type { GraphQLContext } from '../context';
import { toGraphQLError } from './errors.plugin';

/** The length assumed for a list of objects the maxima do not name. */
export const UNKNOWN_LIST_SIZE = 1000;
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
  countries: 20,
  participantBlocks: 20,
};
const ROOT_TYPES = new Set(['Query', 'Mutation']);

/** Whether `type` (under its non-null wrappers) is a list. */
function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The `first` a list field resolves with: the argument as given, else the argument's default. */
function effectiveFirst(args: Record<string, unknown>, field: Parameters<ComplexityEstimator>[0]['field']) {
  if (typeof args.first === 'number') return args.first;
  const def = field.args.find((a) => a.name === 'first')?.defaultValue;
  return typeof def === 'number' ? def : undefined;
}

function listEstimator(maxima: Readonly<Record<string, number>>): ComplexityEstimator {
  return ({ args, childComplexity, field }) => {
    const first = effectiveFirst(args, field);
    if (first !== undefined) {
      const per = ROWS_PER_UNIT[field.name] ?? 1;
      return 1 + childComplexity * Math.max(Math.ceil(first / per), 1);
    }
    if (PAGE_LISTS.has(field.name)) return 1 + childComplexity;
    if (!isList(field.type)) return undefined;
    const named = getNamedType(field.type);
    if (named instanceof GraphQLEnumType) return 1 + named.getValues().length;
    // Lists of scalars (a record's error codes, root field names): one value of a row.
    if (isLeafType(named)) return 1;
    // A list missing from the maxima (test/limits/cost.spec.ts fails then) is taken to be long.
    return 1 + childComplexity * Math.max(maxima[field.name] ?? UNKNOWN_LIST_SIZE, 1);
  };
}

/** A root field's statement cost plus what the other estimators say of it and its selection. */
function rootStatementEstimator(list: ComplexityEstimator): ComplexityEstimator {
  return (a) => {
    const base = ROOT_TYPES.has(a.type.name) ? ROOT_STATEMENT_COST[a.field.name] : undefined;
    if (base === undefined) return undefined;
    return base + (list(a) ?? 1 + a.childComplexity);
  };
}

/**
 * `__schema` and `__type` at the root cost what they return (src/limits/introspection-cost.ts). The
 * walks of one operation share one allowance: aliases stop being walked once it is spent.
 */
function introspectionEstimator(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  maxComplexity: number,
): ComplexityEstimator {
  let spent = 0;
  return ({ field, node }) => {
    if (field.name !== '__schema' && field.name !== '__type') return undefined;
    const stopAt = maxComplexity - spent;
    const size = stopAt < 0 ? 1 : introspectionSize(node, { schema, fragments, variables, stopAt });
    spent += size;
    return size;
  };
}

/** The cost of each request's operation, once estimated (rate-limit.plugin.ts charges it). */
const costs = new WeakMap<object, number>();

/** The estimated cost of the operation of `rc`, or undefined before (or without) an estimate. */
export function operationCost(rc: GraphQLRequestContext<object>): number | undefined {
  return costs.get(rc.request);
}

/** The cost of one operation of `document` (throws what getComplexity throws: variables that do not fit). */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  opts: {
    operationName?: string | null;
    variables?: Record<string, unknown>;
    maxima: Readonly<Record<string, number>>;
    maxComplexity: number;
  },
): number {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const list = listEstimator(opts.maxima);
  return getComplexity({
    schema,
    query: document,
    operationName: opts.operationName ?? undefined,
    variables: opts.variables,
    estimators: [
      // Below __schema / __type: their root field's exact size replaces what is estimated here.
      ({ type }) => (type.name.startsWith('__') ? 0 : undefined),
      introspectionEstimator(schema, fragments, opts.variables ?? {}, opts.maxComplexity),
      rootStatementEstimator(list),
      list,
      simpleEstimator({ defaultComplexity: 1 }),
    ],
  });
}

export function complexityPlugin(
  schema: GraphQLSchema,
  maxComplexity: number,
  listMaxima: ListMaxima,
  /** Told each admitted cost before anything executes (the rate budget, rate-limit.plugin.ts); may refuse. */
  admit?: (rc: GraphQLRequestContext<GraphQLContext>, cost: number) => Promise<void>,
): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const { request, document } = rc;
          const maxima = await listMaxima.get();
          let complexity: number;
          try {
            complexity = estimateCost(schema, document, {
              operationName: request.operationName,
              variables: request.variables,
              maxima,
              maxComplexity,
            });
          } catch (e) {
            // Variables are coerced here first: a missing or ill-typed one is the client's error (400).
            throw toGraphQLError(new BadUserInputError(e instanceof Error ? e.message : String(e)));
          }
          if (complexity > maxComplexity) throw toGraphQLError(new QueryTooComplexError(complexity, maxComplexity));
          costs.set(request, complexity);
          if (!admit) return;
          try {
            await admit(rc, complexity);
          } catch (e) {
            throw e instanceof AppError ? toGraphQLError(e) : e;
          }
        },
      };
    },
  };
}
