/**
 * docs/errors.md, generated from the error catalogue (src/shared/errors.ts). Regenerate with
 *   node -r ./scripts/register.js scripts/errors-doc.ts
 * test/errors/catalogue.spec.ts fails when the file differs from what this renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_MESSAGES } from '../src/shared/error-messages';
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorSpec } from '../src/shared/errors';

export const ERRORS_DOC = path.join(__dirname, '..', 'docs', 'errors.md');

const RAISED_BY = { service: 'the service', graphql: 'Apollo Server / graphql-js', both: 'both' } as const;

export function renderErrorsDoc(): string {
  const rows = ERROR_CODES.map((code) => {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    const fields = (spec.extensions ?? []).map((f) => `\`${f}\``).join(', ');
    const cells = [
      `\`${code}\``,
      spec.description.replace(/\|/g, '\\|'),
      spec.httpStatus === undefined ? '—' : String(spec.httpStatus),
      fields,
      RAISED_BY[spec.raisedBy],
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const messages = ERROR_CODES.map((code) => {
    const m = ERROR_MESSAGES[code];
    return `| \`${code}\` | ${[m.AZ, m.EN, m.RU].map((t) => t.replace(/\|/g, '\\|')).join(' | ')} |`;
  });
  return `<!-- Generated from src/shared/errors.ts by scripts/errors-doc.ts: edit the catalogue, not this file. -->
# Error codes

Every GraphQL error carries \`extensions.code\` (one of the codes below) and \`extensions.requestId\` (also
the \`X-Request-Id\` header and the log line: quote it to support); some codes add the fields listed. The HTTP
layer answers the requests it refuses itself (an oversized or malformed body) in the same shape:
\`{"errors":[{"message":…,"extensions":{"code":…,"requestId":…}}]}\`.

- **HTTP status**: the status of a response refused as a whole with this code (by the HTTP layer, the session
  look-up or a check before execution). An error raised while resolving fields comes in a \`200\` response,
  next to whatever \`data\` could be resolved; \`—\`: this code is only raised there.
- **Retry later**: \`RATE_LIMITED\` and \`ACCOUNT_LOCKED\` carry \`retryAfterSeconds\`, whole seconds (rounded
  up, at least 1) until a new attempt can succeed. \`DATABASE_UNAVAILABLE\`, \`AUDIT_UNAVAILABLE\`,
  \`QUERY_TIMEOUT\` and \`CERT_REVOCATION_UNKNOWN\` may be retried later without a known time.
- Anything unexpected is \`INTERNAL_SERVER_ERROR\`, with no detail beyond the request id.
- **Language**: \`message\` is the code's message in the request's language (below), Azerbaijani unless
  \`Accept-Language\` asks for English or Russian, and \`extensions.messageEn\` holds the specific English
  message; a request asking for English gets the specific English message. The same for the HTTP layer's own
  refusals and the exports. Codes never change; \`PERSISTED_QUERY_NOT_FOUND\` is never translated.

| code | thrown when | HTTP status | extensions | raised by |
|---|---|---|---|---|
${rows.join('\n')}

## Messages by language

From \`src/shared/error-messages.ts\`. The en column is each code's general text, for clients that show
one (an English response carries the specific message the error was raised with).

| code | az | en | ru |
|---|---|---|---|
${messages.join('\n')}
`;
}

if (require.main === module) {
  fs.writeFileSync(ERRORS_DOC, renderErrorsDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), ERRORS_DOC)}\n`);
}
