/**
 * The error catalogue (src/shared/errors.ts) is complete and true: every code the service raises has its
 * class and answers as the catalogue says (code, extension fields, HTTP status), every code literal in
 * src/ is a catalogue key, GraphQL's own codes answer with the documented status, and docs/errors.md is
 * the catalogue's rendering.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { renderErrorsDoc, ERRORS_DOC } from '../../scripts/errors-doc';
import { makeFormatError, toGraphQLError } from '../../src/graphql/plugins/errors.plugin';
import * as errors from '../../src/shared/errors';
import {
  AppError,
  ERROR_CATALOGUE,
  ERROR_CLASSES,
  ERROR_CODES,
  isErrorCode,
  type AppErrorCode,
  type ErrorCode,
  type ErrorSpec,
} from '../../src/shared/errors';
import { createLogger } from '../../src/shared/logger';
import { testServer } from '../support/server';

const SRC = path.resolve(__dirname, '..', '..', 'src');

/** One instance of each code's class, with the details the code documents (the compiler wants every code). */
const SAMPLES: { [C in AppErrorCode]: () => AppError<C> } = {
  UNAUTHENTICATED: () => new errors.UnauthenticatedError(),
  FORBIDDEN: () => new errors.ForbiddenError(),
  PARTICIPANT_BLOCKED: () => new errors.ParticipantBlockedError(),
  PASSWORD_CHANGE_REQUIRED: () => new errors.PasswordChangeRequiredError(),
  ACCOUNT_LOCKED: () => new errors.AccountLockedError('locked', 59.2),
  RATE_LIMITED: () => new errors.RateLimitedError('slow down', 0.3),
  BAD_USER_INPUT: () =>
    new errors.BadUserInputError('documents: missing required IDENTITY_DOCUMENT', 'documents', {
      missingDocuments: ['IDENTITY_DOCUMENT'],
    }),
  NOT_FOUND: () => new errors.NotFoundError('no contract with id 7'),
  CHALLENGE_NOT_FOUND: () => new errors.ChallengeNotFoundError(),
  CHALLENGE_ALREADY_USED: () => new errors.ChallengeAlreadyUsedError(),
  CHALLENGE_EXPIRED: () => new errors.ChallengeExpiredError(),
  SIGNATURE_MALFORMED: () => new errors.SignatureMalformedError('not DER'),
  SIGNATURE_INVALID: () => new errors.SignatureInvalidError('skew', { signingTime: '2025-01-01T00:00:00.000Z' }),
  CONTENT_MISMATCH: () => new errors.ContentMismatchError('other bytes'),
  CERT_UNTRUSTED: () => new errors.CertUntrustedError('no path'),
  CERT_EXPIRED: () => new errors.CertExpiredError('expired', { notAfter: '2025-01-01T00:00:00.000Z' }),
  CERT_NOT_YET_VALID: () => new errors.CertNotYetValidError('early', { notBefore: '2030-01-01T00:00:00.000Z' }),
  CERT_REVOKED: () => new errors.CertRevokedError('revoked', { serial: '0a', revokedAt: '2025-01-01T00:00:00.000Z' }),
  CERT_KEY_USAGE: () => new errors.CertKeyUsageError('a CA'),
  CERT_POLICY: () => new errors.CertPolicyError('no policy', { present: [], required: ['1.2.3'] }),
  CERT_REVOCATION_UNKNOWN: () => new errors.CertRevocationUnknownError('no CRL'),
  CERT_SUBJECT_UNMAPPED: () => new errors.CertSubjectUnmappedError('no VÖEN'),
  PARTICIPANT_NOT_FOUND: () => new errors.ParticipantNotFoundError('nobody'),
  ASSERTION_INVALID: () => new errors.AssertionInvalidError('not allowed', { signerFingerprint: 'ab' }),
  ASSERTION_REPLAYED: () => new errors.AssertionReplayedError(),
  AUDIT_PROOF_PENDING: () => new errors.AuditProofPendingError('not yet in a checkpoint', 4.2),
  RECEIPT_INVALID: () => new errors.ReceiptInvalidError(),
  QUERY_TOO_COMPLEX: () => new errors.QueryTooComplexError(30_000, 20_000),
  QUERY_TIMEOUT: () => new errors.QueryTimeoutError(),
  DATABASE_UNAVAILABLE: () => new errors.DatabaseUnavailableError(),
  AUDIT_UNAVAILABLE: () => new errors.AuditUnavailableError(new Error('disk full')),
  PAYLOAD_TOO_LARGE: () => new errors.PayloadTooLargeError(),
  BAD_REQUEST: () => new errors.BadRequestError('not JSON'),
  INTERNAL_SERVER_ERROR: () => new errors.InternalServerError(),
};

const formatError = makeFormatError(createLogger({ logLevel: 'silent' }), false);

/** What a client sees of an error a resolver threw. */
function asResolverError(e: Error): GraphQLFormattedError {
  const located = new GraphQLError(e.message, { path: ['field'], originalError: e });
  return formatError(located.toJSON(), located);
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return tsFiles(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

/** Code literals in src/: thrown, passed to a super constructor, or put in `extensions` / `errorCodes`. */
function codeLiterals(): { code: string; where: string }[] {
  const patterns = [
    /new AppError(?:<[^>]*>)?\(\s*'([A-Z][A-Z_]*)'/g,
    /super\(\s*'([A-Z][A-Z_]*)'/g,
    /withCode\(\s*'([A-Z][A-Z_]*)'/g,
    /extensions:\s*\{[^}]*?\bcode:\s*'([A-Z][A-Z_]*)'/g,
    /errorCodes:\s*\[\s*'([A-Z][A-Z_]*)'/g,
  ];
  const found: { code: string; where: string }[] = [];
  for (const file of tsFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split('\n').length;
        found.push({ code: m[1], where: `${path.relative(SRC, file)}:${line}` });
      }
    }
  }
  return found;
}

describe('error catalogue', () => {
  it('describes every code in one line, with a valid HTTP status and the party that raises it', () => {
    expect(ERROR_CODES.length).to.be.greaterThan(30);
    for (const code of ERROR_CODES) {
      const spec: ErrorSpec = ERROR_CATALOGUE[code];
      expect(code, code).to.match(/^[A-Z][A-Z_]+$/);
      expect(spec.description, code).to.be.a('string').and.not.match(/\n/);
      expect(spec.description.length, code).to.be.within(10, 200);
      if (spec.httpStatus !== undefined) expect(spec.httpStatus, code).to.be.within(200, 599);
      expect(['service', 'graphql', 'both'], code).to.include(spec.raisedBy);
    }
    expect(isErrorCode('RATE_LIMITED')).to.equal(true);
    expect(isErrorCode('retryAt')).to.equal(false);
    expect(isErrorCode('toString')).to.equal(false);
  });

  it('has one class per code the service raises; each produces its code, status and documented extensions', () => {
    const serviceCodes = ERROR_CODES.filter((c) => ERROR_CATALOGUE[c].raisedBy !== 'graphql');
    expect(Object.keys(ERROR_CLASSES).sort()).to.deep.equal([...serviceCodes].sort());
    expect(Object.keys(SAMPLES).sort()).to.deep.equal([...serviceCodes].sort());
    for (const code of serviceCodes as AppErrorCode[]) {
      const spec: ErrorSpec = ERROR_CATALOGUE[code];
      const e = SAMPLES[code]();
      expect(e, code).to.be.instanceOf(ERROR_CLASSES[code]).and.instanceOf(AppError).and.instanceOf(Error);
      expect(e.code, code).to.equal(code);
      expect(e.name, code).to.equal(ERROR_CLASSES[code].name);
      expect(e.httpStatus, code).to.equal(spec.httpStatus);

      const seen = asResolverError(e);
      expect(seen.message, code).to.equal(e.message);
      expect(seen.extensions?.code, code).to.equal(code);
      // Every field a client may see is documented (and documented fields appear when the details are given).
      expect(Object.keys(seen.extensions ?? {}).sort(), code).to.deep.equal(
        ['code', ...(spec.extensions ?? [])].sort(),
      );

      // Refusing a whole request (context, plugins) answers the catalogue's status and the same extensions.
      const whole = toGraphQLError(e);
      expect(whole.extensions.http, code).to.deep.equal(spec.httpStatus ? { status: spec.httpStatus } : undefined);
      const formatted = formatError({ message: whole.message, extensions: { code } }, whole);
      expect(formatted.extensions, code).to.deep.equal(seen.extensions);
    }
  });

  it('gives every retry time as retryAfterSeconds: whole seconds, rounded up, at least 1', () => {
    expect(new errors.RateLimitedError('x', 0.3).details).to.deep.equal({ retryAfterSeconds: 1 });
    expect(new errors.RateLimitedError('x', 0).retryAfterSeconds).to.equal(1);
    expect(new errors.RateLimitedError('x', -5).retryAfterSeconds).to.equal(1);
    expect(new errors.AccountLockedError('x', 59.2).details).to.deep.equal({ retryAfterSeconds: 60 });
    expect(new errors.AccountLockedError('x', 120).retryAfterSeconds).to.equal(120);
    const now = new Date('2025-06-02T10:00:30.250Z');
    expect(errors.secondsUntil(new Date('2025-06-02T10:01:00.000Z'), now)).to.equal(30);
    expect(errors.secondsUntil(new Date('2025-06-02T10:00:30.251Z'), now)).to.equal(1);
    expect(errors.secondsUntil(now, now)).to.equal(1);
  });

  it('masks anything else as INTERNAL_SERVER_ERROR, and maps an unreachable database and a statement timeout', () => {
    expect(asResolverError(new TypeError('x is undefined'))).to.deep.include({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(asResolverError(refused).extensions).to.deep.equal({ code: 'DATABASE_UNAVAILABLE' });
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(asResolverError(cancelled).extensions).to.deep.equal({ code: 'QUERY_TIMEOUT' });
  });

  it('knows every code literal in src/, and every code it lists for the service is raised somewhere in src/', () => {
    const literals = codeLiterals();
    expect(literals.length).to.be.greaterThan(20);
    const unknown = literals.filter((l) => !isErrorCode(l.code));
    expect(unknown, 'codes missing from ERROR_CATALOGUE').to.deep.equal([]);

    const source = tsFiles(SRC)
      .filter((f) => !f.endsWith(path.join('shared', 'errors.ts')))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const raised = new Set(
      literals.filter((l) => !l.where.startsWith(path.join('shared', 'errors.ts'))).map((l) => l.code),
    );
    // Raised: its class constructed, or a subclass of it declared (e.g. ContractNotFoundError extends NotFoundError).
    const unused = (Object.keys(ERROR_CLASSES) as AppErrorCode[]).filter(
      (c) => !raised.has(c) && !new RegExp(`\\b(new|extends) ${ERROR_CLASSES[c].name}\\b`).test(source),
    );
    expect(unused, 'catalogue codes the service never raises').to.deep.equal([]);
  });

  it('answers the documented code and HTTP status for what Apollo Server and the HTTP layer refuse', async () => {
    const { server } = await testServer();
    const post = async (body: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        // English: the shape without messageEn (a translated message adds it, test/i18n/error-language.spec.ts).
        headers: { 'content-type': 'application/json', 'accept-language': 'en', ...headers },
        body,
      });
      const json = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
      return { status: res.status, extensions: json.errors?.[0]?.extensions ?? {} };
    };
    const gqlBody = (o: Record<string, unknown>) => JSON.stringify(o);
    const cases: [ErrorCode, string, Record<string, string>?][] = [
      ['GRAPHQL_PARSE_FAILED', gqlBody({ query: '{ me { role ' })],
      ['GRAPHQL_VALIDATION_FAILED', gqlBody({ query: '{ noSuchField }' })],
      ['OPERATION_RESOLUTION_FAILURE', gqlBody({ query: 'query A { __typename } query B { __typename }' })],
      [
        'PERSISTED_QUERY_NOT_FOUND',
        gqlBody({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      ],
      [
        'BAD_USER_INPUT',
        gqlBody({ query: 'query($g: [TradeDimension!]!) { tradeStatistics(groupBy: $g) { truncated } }' }),
      ],
      ['BAD_REQUEST', gqlBody({ variables: {} })],
      ['BAD_REQUEST', '{"query": '],
      ['PAYLOAD_TOO_LARGE', gqlBody({ query: `{ __typename } #${'x'.repeat(1_100_000)}` })],
    ];
    const graphqlCodes = ERROR_CODES.filter((c) => ERROR_CATALOGUE[c].raisedBy !== 'service');
    expect(graphqlCodes.filter((c) => !cases.some(([code]) => code === c))).to.deep.equal([]);
    for (const [code, body, headers] of cases) {
      const r = await post(body, headers);
      expect(r.extensions.code, body.slice(0, 80)).to.equal(code);
      expect(r.status, code).to.equal(errors.errorSpec(code).httpStatus);
      expect(r.extensions.requestId, code).to.be.a('string');
    }
    // An unsupported charset or encoding: BAD_REQUEST with 415, in the same shape.
    const unsupported: Record<string, string>[] = [
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-encoding': 'compress' },
    ];
    for (const headers of unsupported) {
      const r = await post(gqlBody({ query: '{ __typename }' }), headers);
      expect(r.status, JSON.stringify(headers)).to.equal(415);
      expect(Object.keys(r.extensions).sort()).to.deep.equal(['code', 'requestId']);
      expect(r.extensions.code).to.equal('BAD_REQUEST');
    }
  });

  it('sends QUERY_TOO_COMPLEX with the cost and the limit, refused with the documented status', async () => {
    const { server } = await testServer();
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}: declaration(number: "A-1") { number }`);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ ${aliases.join(' ')} }` }),
    });
    const json = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(res.status).to.equal(ERROR_CATALOGUE.QUERY_TOO_COMPLEX.httpStatus);
    expect(json.errors[0].extensions).to.include({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 20_000 });
    expect(json.errors[0].extensions.complexity).to.be.a('number').above(20_000);
  });

  it('is documented in docs/errors.md exactly as the catalogue says (regenerate: node -r ./scripts/register.js scripts/errors-doc.ts)', () => {
    expect(fs.readFileSync(ERRORS_DOC, 'utf8')).to.equal(renderErrorsDoc());
    const doc = fs.readFileSync(ERRORS_DOC, 'utf8');
    for (const code of ERROR_CODES) expect(doc, code).to.include(`| \`${code}\` |`);
  });

  it('is linked from the README', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).to.include('(docs/errors.md)');
    expect(readme).not.to.match(/retryAt\b/);
  });
});
