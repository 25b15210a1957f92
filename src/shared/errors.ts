/**
 * The error catalogue: every `extensions.code` the service can answer, with when it is thrown, the HTTP
 * status of a request it refuses as a whole, and its extension fields. `ErrorCode` is derived from it, each
 * code the service raises itself has one AppError subclass below (ERROR_CLASSES), and docs/errors.md is
 * generated from it (scripts/errors-doc.ts; a test fails when it is stale).
 *
 * The GraphQL formatter (src/graphql/plugins/errors.plugin.ts) copies an AppError's code and details into
 * `extensions`; the HTTP layer (src/http/server.ts) answers its own refusals in the same shape. Anything
 * else is masked as INTERNAL_SERVER_ERROR. Errors that say "try again later" at a known time carry one
 * field for it: `retryAfterSeconds`, whole seconds rounded up, at least 1.
 */

export interface ErrorSpec {
  /** Thrown when …: one line. */
  readonly description: string;
  /**
   * The HTTP status when the error refuses a request as a whole (the HTTP layer, the context, checks before
   * execution). Errors raised while resolving fields come in a 200 response next to `data`.
   */
  readonly httpStatus?: number;
  /** Fields in `extensions` besides `code` and `requestId`. */
  readonly extensions?: readonly string[];
  /**
   * `service`: an AppError subclass here; `graphql`: Apollo Server or graphql-js only (passed through by the
   * formatter); `both`: either.
   */
  readonly raisedBy: 'service' | 'graphql' | 'both';
}

export const ERROR_CATALOGUE = {
  // Sessions and roles
  UNAUTHENTICATED: {
    description:
      'the request has no valid session (missing, expired or revoked), or a login is refused (wrong username or password, disabled account)',
    raisedBy: 'service',
  },
  FORBIDDEN: {
    description:
      "the viewer is logged in but may not do this: another role's operation, a login under a suspended or terminated contract, `changePassword` on a session not opened with a password",
    raisedBy: 'service',
  },
  PARTICIPANT_BLOCKED: {
    description:
      'a login (password, signature, Web eID or portal assertion) of a participant an officer blocked (`blockParticipant`), after its credentials verified',
    raisedBy: 'service',
  },
  PASSWORD_CHANGE_REQUIRED: {
    description: 'a session opened with a one-time password asks for anything but `changePassword` or `logout`',
    raisedBy: 'service',
  },
  ACCOUNT_LOCKED: {
    description:
      'a username string has too many failed logins in a row: refused, even with the right password, until the lock ends',
    extensions: ['retryAfterSeconds'],
    raisedBy: 'service',
  },
  RATE_LIMITED: {
    description:
      'too many requests in the window: complaints, challenges or failed logins of one address; or the rate budget spent, or too many operations at once, of one participant or address',
    extensions: ['retryAfterSeconds'],
    raisedBy: 'service',
  },
  // Input
  BAD_USER_INPUT: {
    description:
      'an argument or input field is malformed or out of range (the message names it), or a variable does not fit its type',
    httpStatus: 400,
    extensions: ['field', 'missingDocuments'],
    raisedBy: 'both',
  },
  NOT_FOUND: {
    description:
      "an id names no record (a contract; an audit record the viewer may not see, for a trader another participant's too)",
    raisedBy: 'service',
  },
  // Signature logins
  CHALLENGE_NOT_FOUND: {
    description: 'no login challenge has this id (never issued, not a UUID, or purged an hour after expiry)',
    raisedBy: 'service',
  },
  CHALLENGE_ALREADY_USED: {
    description: 'the login challenge was consumed by an earlier attempt, successful or not',
    raisedBy: 'service',
  },
  CHALLENGE_EXPIRED: {
    description: "the login challenge's `expiresAt` has passed",
    raisedBy: 'service',
  },
  SIGNATURE_MALFORMED: {
    description:
      'a signature, Web eID token or portal assertion cannot be decoded (too long, not base64/DER/JSON, not one signer, no certificate, content not attached)',
    raisedBy: 'service',
  },
  SIGNATURE_INVALID: {
    description:
      'a signature does not verify, uses a non-SHA-2 algorithm, or has wrong signed attributes (signingTime missing or beyond the allowed skew)',
    extensions: ['signingTime'],
    raisedBy: 'service',
  },
  CONTENT_MISMATCH: {
    description: "a valid signature over other bytes than the challenge's `toBeSigned`",
    raisedBy: 'service',
  },
  CERT_UNTRUSTED: {
    description: 'the certificate has no path to a configured national trust anchor',
    raisedBy: 'service',
  },
  CERT_EXPIRED: {
    description: "the certificate's notAfter has passed",
    extensions: ['notAfter'],
    raisedBy: 'service',
  },
  CERT_NOT_YET_VALID: {
    description: "the certificate's notBefore is in the future",
    extensions: ['notBefore'],
    raisedBy: 'service',
  },
  CERT_REVOKED: {
    description: 'a CRL or the OCSP responder lists the certificate as revoked',
    extensions: ['revokedAt', 'serial'],
    raisedBy: 'service',
  },
  CERT_KEY_USAGE: {
    description: 'the certificate is a CA, has no keyUsage, or allows neither digitalSignature nor nonRepudiation',
    raisedBy: 'service',
  },
  CERT_POLICY: {
    description: 'the certificate lacks a required policy OID or extended key usage',
    extensions: ['present', 'required'],
    raisedBy: 'service',
  },
  CERT_REVOCATION_UNKNOWN: {
    description: 'revocation cannot be established (no current signed CRL, OCSP failed): retry later',
    raisedBy: 'service',
  },
  CERT_SUBJECT_UNMAPPED: {
    description: 'the certificate subject carries no VÖEN/FIN the subject profile maps, or an ambiguous one',
    raisedBy: 'service',
  },
  PARTICIPANT_NOT_FOUND: {
    description: 'the VÖEN/FIN of a verified signer or portal assertion is not registered with the service',
    raisedBy: 'service',
  },
  ASSERTION_INVALID: {
    description:
      'a portal assertion is signed by a certificate not allow-listed, or a claim fails (the message names it)',
    extensions: ['signerFingerprint'],
    raisedBy: 'service',
  },
  ASSERTION_REPLAYED: {
    description: "a portal assertion's `jti` was already used",
    raisedBy: 'service',
  },
  // Audit receipts and proofs
  AUDIT_PROOF_PENDING: {
    description:
      'an audit record, or a tree size, not yet covered by a signed checkpoint (checkpoints follow every few seconds): retry later',
    extensions: ['retryAfterSeconds'],
    raisedBy: 'service',
  },
  RECEIPT_INVALID: {
    description:
      "a complaint cites a receipt that is not one of the filer's audit records (no such seq, another participant's, or another leaf hash)",
    raisedBy: 'service',
  },
  // Limits and infrastructure
  QUERY_TOO_COMPLEX: {
    description: 'the estimated cost of an operation exceeds the limit: refused before it runs',
    httpStatus: 400,
    extensions: ['complexity', 'maxComplexity'],
    raisedBy: 'service',
  },
  QUERY_TIMEOUT: {
    description: 'a statement of the request ran longer than `DB_STATEMENT_TIMEOUT_MS` (lock waits included)',
    raisedBy: 'service',
  },
  DATABASE_UNAVAILABLE: {
    description:
      'the database cannot be reached (refused or dropped connection, connect timeout, shutdown); 503 when the session look-up fails',
    httpStatus: 503,
    raisedBy: 'service',
  },
  AUDIT_UNAVAILABLE: {
    description: "the request's audit record could not be made durable, so its result is withheld",
    httpStatus: 503,
    raisedBy: 'service',
  },
  PAYLOAD_TOO_LARGE: {
    description: 'the request body exceeds 1 MB',
    httpStatus: 413,
    raisedBy: 'service',
  },
  BAD_REQUEST: {
    description:
      'the request body is not JSON, has an unsupported encoding or charset (415), or is not a GraphQL request (no query)',
    httpStatus: 400,
    raisedBy: 'both',
  },
  INTERNAL_SERVER_ERROR: {
    description: 'anything unexpected: the client gets only this code and the `requestId`, the log has the details',
    httpStatus: 500,
    raisedBy: 'service',
  },
  // GraphQL's own
  GRAPHQL_PARSE_FAILED: {
    description: 'the query text does not parse',
    httpStatus: 400,
    raisedBy: 'graphql',
  },
  GRAPHQL_VALIDATION_FAILED: {
    description: 'the query does not validate against the schema (unknown field, missing argument, wrong literal)',
    httpStatus: 400,
    raisedBy: 'graphql',
  },
  OPERATION_RESOLUTION_FAILURE: {
    description: 'the document holds several operations and `operationName` names none of them',
    httpStatus: 400,
    raisedBy: 'graphql',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    description: 'an automatic persisted query hash is not known (yet): send the query text with it',
    httpStatus: 200,
    raisedBy: 'graphql',
  },
} as const satisfies Record<string, ErrorSpec>;

/** Every code the service can answer in `extensions.code`. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The codes the service raises itself, each with its AppError subclass. */
export type AppErrorCode = {
  [C in ErrorCode]: (typeof ERROR_CATALOGUE)[C]['raisedBy'] extends 'graphql' ? never : C;
}[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}

export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_CATALOGUE[code];
}

/** Seconds from `now` until `until`, rounded up, at least 1: the value of every `retryAfterSeconds`. */
export function secondsUntil(until: Date, now: Date): number {
  return wholeSeconds((until.getTime() - now.getTime()) / 1000);
}

function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;
}

/**
 * An error the client may see: its code, message and details become the GraphQL error's message and
 * `extensions`. Prefer the subclass of the code (below); `new AppError(code, message, details)` stays for
 * code not converted yet.
 */
export class AppError<C extends AppErrorCode = AppErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** See ErrorSpec.httpStatus. */
  get httpStatus(): number | undefined {
    return errorSpec(this.code).httpStatus;
  }
}

/** `extensions` of an AppError as clients see it (without `requestId`, which the transport adds). */
export function errorExtensions(e: AppError): Record<string, unknown> {
  return { code: e.code, ...(e.details ?? {}) };
}

/** The class of a code whose errors carry only a message (and details the catalogue lists). */
function withCode<C extends AppErrorCode>(code: C) {
  return class extends AppError<C> {
    constructor(message: string, details?: Record<string, unknown>) {
      super(code, message, details);
    }
  };
}

/** The class of a code whose errors carry a message, `defaultMessage` unless the thrower names another. */
function withDefault<C extends AppErrorCode>(code: C, defaultMessage: string) {
  return class extends AppError<C> {
    constructor(message = defaultMessage) {
      super(code, message);
    }
  };
}

/** The class of a code whose errors tell the client when to try again (`retryAfterSeconds`, whole seconds). */
function withRetry<C extends 'RATE_LIMITED' | 'ACCOUNT_LOCKED' | 'AUDIT_PROOF_PENDING'>(code: C) {
  return class extends AppError<C> {
    readonly retryAfterSeconds: number;
    constructor(message: string, retryAfterSeconds: number) {
      const seconds = wholeSeconds(retryAfterSeconds);
      super(code, message, { retryAfterSeconds: seconds });
      this.retryAfterSeconds = seconds;
    }
  };
}

// Sessions and roles

export class UnauthenticatedError extends withDefault('UNAUTHENTICATED', 'not authenticated') {}

export class ForbiddenError extends withDefault('FORBIDDEN', 'not allowed for this role') {}

export class ParticipantBlockedError extends withDefault(
  'PARTICIPANT_BLOCKED',
  'access of this participant is blocked: contact the customs authority',
) {}

export class PasswordChangeRequiredError extends withDefault(
  'PASSWORD_CHANGE_REQUIRED',
  'change the one-time password first (changePassword), then log in again',
) {}

export class AccountLockedError extends withRetry('ACCOUNT_LOCKED') {}

export class RateLimitedError extends withRetry('RATE_LIMITED') {}

// Input

export class BadUserInputError extends AppError<'BAD_USER_INPUT'> {
  /** `field`: the argument or input field at fault; `more`: further details the catalogue lists. */
  constructor(
    message: string,
    readonly field?: string,
    more?: { missingDocuments: readonly string[] },
  ) {
    super('BAD_USER_INPUT', message, field || more ? { ...(field ? { field } : {}), ...more } : undefined);
  }
}

export class NotFoundError extends withCode('NOT_FOUND') {}

// Signature logins (src/pki, src/auth)

export class ChallengeNotFoundError extends withDefault('CHALLENGE_NOT_FOUND', 'no such login challenge') {}
export class ChallengeAlreadyUsedError extends withDefault(
  'CHALLENGE_ALREADY_USED',
  'this login challenge was already used: ask for a new one',
) {}
export class ChallengeExpiredError extends withDefault(
  'CHALLENGE_EXPIRED',
  'this login challenge has expired: ask for a new one',
) {}
export class SignatureMalformedError extends withCode('SIGNATURE_MALFORMED') {}
export class SignatureInvalidError extends withCode('SIGNATURE_INVALID') {}
export class ContentMismatchError extends withCode('CONTENT_MISMATCH') {}
export class CertUntrustedError extends withCode('CERT_UNTRUSTED') {}
export class CertExpiredError extends withCode('CERT_EXPIRED') {}
export class CertNotYetValidError extends withCode('CERT_NOT_YET_VALID') {}
export class CertRevokedError extends withCode('CERT_REVOKED') {}
export class CertKeyUsageError extends withCode('CERT_KEY_USAGE') {}
export class CertPolicyError extends withCode('CERT_POLICY') {}
export class CertRevocationUnknownError extends withCode('CERT_REVOCATION_UNKNOWN') {}
export class CertSubjectUnmappedError extends withCode('CERT_SUBJECT_UNMAPPED') {}
export class ParticipantNotFoundError extends withCode('PARTICIPANT_NOT_FOUND') {}
export class AssertionInvalidError extends withCode('ASSERTION_INVALID') {}
export class AssertionReplayedError extends withDefault(
  'ASSERTION_REPLAYED',
  'this portal assertion was already used',
) {}

// Audit receipts and proofs (src/audit/proofs.ts, src/complaints)

export class AuditProofPendingError extends withRetry('AUDIT_PROOF_PENDING') {}

export class ReceiptInvalidError extends withDefault(
  'RECEIPT_INVALID',
  'the cited receipt is not one of your audit records (seq and leaf hash)',
) {}

// Limits and infrastructure

export class QueryTooComplexError extends AppError<'QUERY_TOO_COMPLEX'> {
  constructor(
    readonly complexity: number,
    readonly maxComplexity: number,
  ) {
    super(
      'QUERY_TOO_COMPLEX',
      `query cost ${complexity} exceeds the limit of ${maxComplexity}: ask for fewer rows or fields`,
      { complexity, maxComplexity },
    );
  }
}

export class QueryTimeoutError extends withDefault(
  'QUERY_TIMEOUT',
  'the query ran longer than the statement timeout: narrow the filter or ask for fewer rows, or try again later',
) {}

export class DatabaseUnavailableError extends withDefault(
  'DATABASE_UNAVAILABLE',
  'the database cannot be reached right now; try again later',
) {}

export class AuditUnavailableError extends AppError<'AUDIT_UNAVAILABLE'> {
  /** `timedOut`: the record was still waiting (queued or being written) when the response gave up on it. */
  constructor(
    override readonly cause?: unknown,
    readonly timedOut = false,
  ) {
    super(
      'AUDIT_UNAVAILABLE',
      'the audit record of this request could not be written, so its result is withheld; try again later',
    );
  }
}

export class PayloadTooLargeError extends withDefault('PAYLOAD_TOO_LARGE', 'the request body exceeds 1 MB') {}

export class BadRequestError extends AppError<'BAD_REQUEST'> {
  /** `status`: 400, or 415 for an unsupported encoding or charset. */
  constructor(
    message: string,
    private readonly status: 400 | 415 = 400,
  ) {
    super('BAD_REQUEST', message);
  }
  override get httpStatus(): number {
    return this.status;
  }
}

export class InternalServerError extends withDefault('INTERNAL_SERVER_ERROR', 'Internal server error') {}

/** The one class of each code the service raises (the compiler insists on every code). */
export const ERROR_CLASSES: { readonly [C in AppErrorCode]: abstract new (...args: never[]) => AppError<C> } = {
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  PARTICIPANT_BLOCKED: ParticipantBlockedError,
  PASSWORD_CHANGE_REQUIRED: PasswordChangeRequiredError,
  ACCOUNT_LOCKED: AccountLockedError,
  RATE_LIMITED: RateLimitedError,
  BAD_USER_INPUT: BadUserInputError,
  NOT_FOUND: NotFoundError,
  CHALLENGE_NOT_FOUND: ChallengeNotFoundError,
  CHALLENGE_ALREADY_USED: ChallengeAlreadyUsedError,
  CHALLENGE_EXPIRED: ChallengeExpiredError,
  SIGNATURE_MALFORMED: SignatureMalformedError,
  SIGNATURE_INVALID: SignatureInvalidError,
  CONTENT_MISMATCH: ContentMismatchError,
  CERT_UNTRUSTED: CertUntrustedError,
  CERT_EXPIRED: CertExpiredError,
  CERT_NOT_YET_VALID: CertNotYetValidError,
  CERT_REVOKED: CertRevokedError,
  CERT_KEY_USAGE: CertKeyUsageError,
  CERT_POLICY: CertPolicyError,
  CERT_REVOCATION_UNKNOWN: CertRevocationUnknownError,
  CERT_SUBJECT_UNMAPPED: CertSubjectUnmappedError,
  PARTICIPANT_NOT_FOUND: ParticipantNotFoundError,
  ASSERTION_INVALID: AssertionInvalidError,
  ASSERTION_REPLAYED: AssertionReplayedError,
  AUDIT_PROOF_PENDING: AuditProofPendingError,
  RECEIPT_INVALID: ReceiptInvalidError,
  QUERY_TOO_COMPLEX: QueryTooComplexError,
  QUERY_TIMEOUT: QueryTimeoutError,
  DATABASE_UNAVAILABLE: DatabaseUnavailableError,
  AUDIT_UNAVAILABLE: AuditUnavailableError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  BAD_REQUEST: BadRequestError,
  INTERNAL_SERVER_ERROR: InternalServerError,
};
