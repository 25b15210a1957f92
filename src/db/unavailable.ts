/**
 * Errors that mean "the database cannot be reached right now" (as opposed to a bug or a bad
 * query): refused or dropped connections, a connect timeout, the server shutting down or
 * starting up. Clients get DATABASE_UNAVAILABLE (DatabaseUnavailableError) for these and may retry later.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);
/** SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin/crash shutdown, cannot connect now). */
const SQLSTATES = /^(08\d{3}|57P0[123])$/;
const MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Cannot use a pool after calling end/i;

export function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
  if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  return MESSAGES.test(e.message);
}
