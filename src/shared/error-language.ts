/**
 * Error messages in the request's language (src/shared/error-messages.ts), Azerbaijani unless the request
 * asks for English or Russian (Accept-Language, src/shared/lang.ts). A localized error's message is the
 * code's message in that language and the specific English message it was raised with moves to
 * `extensions.messageEn`; `code` and every other extension stay. English asked for keeps the specific
 * English message. Used by the GraphQL formatter (every error of /graphql, also those Apollo Server
 * answers before execution: CSRF, batches, a failed context) and by the HTTP layer's own refusals
 * (refused bodies, exports), so a client reads one language whichever layer refused it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ERROR_MESSAGES } from './error-messages';
import { errorExtensions, isErrorCode, type AppError } from './errors';
import type { Language } from './lang';

/** Clients match this code's message ("PersistedQueryNotFound") to resend the query text: never translated. */
const PROTOCOL_MESSAGES: ReadonlySet<string> = new Set(['PERSISTED_QUERY_NOT_FOUND']);

interface ErrorLike {
  readonly message: string;
  readonly extensions?: { readonly [key: string]: unknown };
}

/** `e` in `language`: the code's message there, the English one in `extensions.messageEn` (see above). */
export function localizeError<E extends ErrorLike>(e: E, language: Language): E {
  const code = e.extensions?.code;
  if (language === 'EN' || !isErrorCode(code) || PROTOCOL_MESSAGES.has(code)) return e;
  return {
    ...e,
    message: ERROR_MESSAGES[code][language],
    extensions: { ...e.extensions, messageEn: e.message },
  };
}

/** The `errors` entry of an AppError answered outside GraphQL execution, with `extra` extensions, localized. */
export function errorEntry(
  e: AppError,
  language: Language,
  extra: Record<string, unknown> = {},
): { message: string; extensions: Record<string, unknown> } {
  return localizeError({ message: e.message, extensions: { ...errorExtensions(e), ...extra } }, language);
}

const requestLanguage = new AsyncLocalStorage<Language>();

/**
 * Runs `fn` (the handling of one /graphql request) with `language` as its errors' language: the GraphQL
 * formatter, which Apollo Server calls without the request, reads it with `errorLanguage()`.
 */
export function withErrorLanguage<T>(language: Language, fn: () => T): T {
  return requestLanguage.run(language, fn);
}

/** The language of the request being handled; undefined outside one (errors then stay as raised). */
export function errorLanguage(): Language | undefined {
  return requestLanguage.getStore();
}
