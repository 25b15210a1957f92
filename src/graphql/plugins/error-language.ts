/**
 * Error messages in the request's language (src/shared/error-messages.ts): applied to every error of a
 * response when the request's Accept-Language named az or ru. The message becomes the code's message in
 * that language and the specific English message moves to `extensions.messageEn`; `code` and every other
 * extension stay. English (asked for, or no language of ours named) keeps the specific English message.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ERROR_MESSAGES } from '../../shared/error-messages';
import { isErrorCode } from '../../shared/errors';
import type { LanguageChoice } from '../../shared/lang';

/** Clients match this code's message ("PersistedQueryNotFound") to resend the query text: never translated. */
const PROTOCOL_MESSAGES: ReadonlySet<string> = new Set(['PERSISTED_QUERY_NOT_FOUND']);

export function localizeError(e: GraphQLFormattedError, choice: LanguageChoice | undefined): GraphQLFormattedError {
  const code = e.extensions?.code;
  if (!choice?.fromHeader || choice.language === 'EN' || !isErrorCode(code) || PROTOCOL_MESSAGES.has(code)) return e;
  return {
    ...e,
    message: ERROR_MESSAGES[code][choice.language],
    extensions: { ...e.extensions, messageEn: e.message },
  };
}
