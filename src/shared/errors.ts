/**
 * Typed application errors. Each has a literal `code` that formatError copies into the GraphQL
 * `extensions.code`; anything that is not an AppError is masked as INTERNAL_SERVER_ERROR.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'ACCOUNT_LOCKED'
  | 'CHALLENGE_EXPIRED'
  | 'CHALLENGE_ALREADY_USED'
  | 'CHALLENGE_NOT_FOUND'
  | 'SIGNATURE_MALFORMED'
  | 'SIGNATURE_INVALID'
  | 'CONTENT_MISMATCH'
  | 'CERT_UNTRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CERT_KEY_USAGE'
  | 'CERT_POLICY'
  | 'CERT_REVOCATION_UNKNOWN'
  | 'CERT_SUBJECT_UNMAPPED'
  | 'PARTICIPANT_NOT_FOUND'
  | 'ASSERTION_INVALID'
  | 'ASSERTION_REPLAYED'
  | 'QUERY_TOO_COMPLEX'
  | 'RATE_LIMITED'
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'AUDIT_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Thrown when an argument or input field is malformed or out of range; the message names it. */
export class BadUserInputError extends AppError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('BAD_USER_INPUT', message, field ? { field } : undefined);
  }
}

/** Thrown when the request has no valid session (missing, expired, revoked) or a login fails. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'not authenticated') {
    super('UNAUTHENTICATED', message);
  }
}

/** Thrown when the viewer is authenticated but their role may not perform the operation. */
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for this role') {
    super('FORBIDDEN', message);
  }
}
