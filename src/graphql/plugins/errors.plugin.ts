/**
 * One formatError for the whole API: AppErrors keep their code, message and details (see the catalogue
 * in src/shared/errors.ts); an unreachable database and a statement timeout become DATABASE_UNAVAILABLE
 * and QUERY_TIMEOUT; GraphQL's own parse/validation/input errors keep theirs; everything else is masked
 * as INTERNAL_SERVER_ERROR (logged with its stack under the request id, which the client also receives).
 * Every message is then put in the request's language (src/shared/error-language.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import {
  AppError,
  DatabaseUnavailableError,
  ERROR_CATALOGUE,
  ERROR_CODES,
  errorExtensions,
  InternalServerError,
  QueryTimeoutError,
} from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { isDatabaseUnavailable } from '../../db/unavailable';
import type { GraphQLContext } from '../context';
import { errorLanguage, localizeError } from '../../shared/error-language';

/** Codes Apollo Server and graphql-js raise themselves (parse, validation, variables, …): passed through. */
const PASS_THROUGH: ReadonlySet<string> = new Set(ERROR_CODES.filter((c) => ERROR_CATALOGUE[c].raisedBy !== 'service'));

/** SQLSTATE 57014: the statement was cancelled (here: statement_timeout). */
const PG_QUERY_CANCELED = '57014';

/**
 * An AppError for the whole request, raised before execution (the context function, a plugin): a
 * GraphQLError Apollo answers with the catalogue's HTTP status, and the formatter with the AppError.
 */
export function toGraphQLError(e: AppError, extensions: Record<string, unknown> = {}): GraphQLError {
  const status = e.httpStatus;
  return new GraphQLError(e.message, {
    originalError: e,
    extensions: { ...errorExtensions(e), ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

/** The AppError behind what a resolver, the context or a plugin threw; failures clients can act on become one. */
function asAppError(original: unknown, logger: Logger): AppError | undefined {
  if (original instanceof AppError) return original;
  if (original instanceof GraphQLError && original.originalError instanceof AppError) return original.originalError;
  if (isDatabaseUnavailable(original)) {
    logger.warn({ err: original }, 'database unavailable');
    return new DatabaseUnavailableError();
  }
  if ((original as { code?: unknown } | null)?.code === PG_QUERY_CANCELED) {
    // DB_STATEMENT_TIMEOUT_MS cancelled a statement of this request: the client can act on it.
    logger.warn({ err: original }, 'statement timeout');
    return new QueryTimeoutError();
  }
  return undefined;
}

export function makeFormatError(logger: Logger, development: boolean) {
  const format = asFormatted(logger, development);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    const language = errorLanguage();
    return language ? localizeError(result, language) : result;
  };
}

function asFormatted(logger: Logger, development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { locations, path } = formatted;
    // A request id set where the error was raised (the context function, before any plugin runs) stays.
    const given = formatted.extensions?.requestId;
    const requestId = typeof given === 'string' ? { requestId: given } : {};
    const known = asAppError(original, logger);
    if (known)
      return { message: known.message, locations, path, extensions: { ...errorExtensions(known), ...requestId } };
    const code = formatted.extensions?.code;
    if (
      typeof code === 'string' &&
      PASS_THROUGH.has(code) &&
      (original instanceof GraphQLError || !(original instanceof Error) || original === error)
    ) {
      return development ? formatted : { ...formatted, extensions: { code, ...requestId } };
    }
    logger.error({ err: original }, 'unexpected error');
    const masked = new InternalServerError();
    return {
      message: masked.message,
      locations,
      path,
      extensions: {
        ...errorExtensions(masked),
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
