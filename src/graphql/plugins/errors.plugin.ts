/**
 * One formatError for the whole API: AppErrors keep their code and message; GraphQL's own
 * parse/validation/input errors keep theirs; everything else is masked as INTERNAL_SERVER_ERROR
 * (logged with its stack under the request id, which the client also receives).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { AppError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../db/unavailable';
import type { GraphQLContext } from '../context';

const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
  'DATABASE_UNAVAILABLE',
]);

/** SQLSTATE 57014: the statement was cancelled (here: statement_timeout). */
const PG_QUERY_CANCELED = '57014';

export function makeFormatError(logger: Logger, development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      };
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: original }, 'database unavailable');
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      };
    }
    if ((original as { code?: unknown } | null)?.code === PG_QUERY_CANCELED) {
      // DB_STATEMENT_TIMEOUT_MS cancelled a statement of this request: the client can act on it.
      logger.warn({ err: original }, 'statement timeout');
      return {
        message:
          'the query ran longer than the statement timeout: narrow the filter or ask for fewer rows, or try again later',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'QUERY_TIMEOUT' },
      };
    }
    const code = formatted.extensions?.code;
    if (
      typeof code === 'string' &&
      PASS_THROUGH.has(code) &&
      (original instanceof GraphQLError || !(original instanceof Error) || original === error)
    ) {
      // A request id set where the error was raised (the context function, before any plugin runs) stays.
      const requestId = formatted.extensions?.requestId;
      return development
        ? formatted
        : { ...formatted, extensions: { code, ...(typeof requestId === 'string' ? { requestId } : {}) } };
    }
    logger.error({ err: original }, 'unexpected error');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(development && original instanceof Error ? { stacktrace: original.stack?.split('\n') } : {}),
      },
    };
  };
}

/** Adds the request id to every error, so a user can quote it and operators find the log line. */
export function requestIdPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
              ...e,
              extensions: { ...e.extensions, requestId: contextValue.requestId },
            }));
          }
        },
      };
    },
  };
}
