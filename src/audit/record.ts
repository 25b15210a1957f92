/**
 * One audit record (one GraphQL operation) and the hash that chains it to the previous record.
 *
 * The hash covers every stored field in a fixed order, serialised as a JSON array, together with
 * the previous record's hash: editing any column of any record, removing a record from the middle
 * or reordering records breaks the chain. The same function hashes a record before it is written
 * and a row read back by the verifier, so what is hashed must survive the round trip through
 * PostgreSQL unchanged (ids as decimal strings, times as ISO strings with milliseconds, hashes as hex).
 */
import { sha256 } from './sha256';

/**
 * REJECTED: refused before anything executed (HTTP layer, parse, validation, pre-execution checks).
 * STARTED: an export's first record, durable before its first byte; its completion record follows
 * under the same request id (src/audit/README.md, "Exports").
 */
export type AuditOutcome = 'SUCCESS' | 'PARTIAL' | 'ERROR' | 'REJECTED' | 'STARTED';
export type AuditRole = 'TRADER' | 'OFFICER';
export type AuditAuthMethod = 'PASSWORD' | 'SIGNATURE' | 'PORTAL';

/** What the plugin knows about an operation; the writer adds id, seq and the chain hashes. */
export interface AuditEntryInput {
  occurredAt: Date;
  requestId: string;
  sessionId: string | null;
  userAccountId: string | null;
  participantId: string | null;
  role: AuditRole | null;
  username: string | null;
  /** The session's method, or for a login attempt the method attempted. */
  authMethod: AuditAuthMethod | null;
  /** True for login attempts (login, loginWithSignature, loginWithWebEid, loginWithPortalAssertion). */
  login: boolean;
  clientIp: string | null;
  userAgent: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  operationName: string | null;
  rootFields: string[];
  /** SHA-256 of the normalised document (secret literals replaced), null when there was none. */
  documentHash: Buffer | null;
  /** Canonical JSON of the variables with secrets and complaint personal data redacted. */
  variables: string;
  outcome: AuditOutcome;
  errorCodes: string[];
  rowsReturned: number;
  /** SHA-256 of the response body as sent. */
  responseHash: Buffer;
  httpStatus: number | null;
  durationUs: number;
  complaintId: string | null;
  /**
   * What a login attempt opened, never the actor: the session, account, participant and role of
   * the new session (null when refused). The actor columns above always come from the session the
   * request itself carried, before anything executed.
   */
  loginSessionId?: string | null;
  loginUserAccountId?: string | null;
  loginParticipantId?: string | null;
  loginRole?: AuditRole | null;
  /** The username a password login attempted (the account's when it succeeded). */
  loginUsername?: string | null;
  /** A summary record of refusals not recorded one by one (over the per-address limit): how many. */
  refusedCount?: number | null;
}

export interface AuditRecord extends AuditEntryInput {
  id: string;
  seq: string;
  prevHash: Buffer;
  hash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);
const HASH_VERSION = 'audit-v1';
/** Records with any of the login-result or summary fields set are hashed with those appended. */
const HASH_VERSION_2 = 'audit-v2';

/** The columns in insertion order, with the record property each holds and its SQL type. */
export const AUDIT_COLUMNS: readonly (readonly [string, keyof AuditRecord, string])[] = [
  ['id', 'id', 'bigint'],
  ['seq', 'seq', 'bigint'],
  ['occurred_at', 'occurredAt', 'timestamptz'],
  ['request_id', 'requestId', 'text'],
  ['session_id', 'sessionId', 'bigint'],
  ['user_account_id', 'userAccountId', 'bigint'],
  ['participant_id', 'participantId', 'bigint'],
  ['role', 'role', 'text'],
  ['username', 'username', 'text'],
  ['auth_method', 'authMethod', 'text'],
  ['login', 'login', 'boolean'],
  ['client_ip', 'clientIp', 'text'],
  ['user_agent', 'userAgent', 'text'],
  ['operation_type', 'operationType', 'text'],
  ['operation_name', 'operationName', 'text'],
  ['root_fields', 'rootFields', 'text[]'],
  ['document_hash', 'documentHash', 'bytea'],
  ['variables', 'variables', 'text'],
  ['outcome', 'outcome', 'text'],
  ['error_codes', 'errorCodes', 'text[]'],
  ['rows_returned', 'rowsReturned', 'integer'],
  ['response_hash', 'responseHash', 'bytea'],
  ['http_status', 'httpStatus', 'integer'],
  ['duration_us', 'durationUs', 'bigint'],
  ['complaint_id', 'complaintId', 'text'],
  ['login_session_id', 'loginSessionId', 'bigint'],
  ['login_user_account_id', 'loginUserAccountId', 'bigint'],
  ['login_participant_id', 'loginParticipantId', 'bigint'],
  ['login_role', 'loginRole', 'text'],
  ['login_username', 'loginUsername', 'text'],
  ['refused_count', 'refusedCount', 'integer'],
  ['prev_hash', 'prevHash', 'bytea'],
  ['hash', 'hash', 'bytea'],
];

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * The hashed content of a record: every column but `hash`, in column order. Records written before
 * the login-result and summary columns existed (all of them null) keep their `audit-v1` form; any
 * record with one of them set is `audit-v2`, those columns appended before `prev_hash`.
 */
export function canonicalContent(r: Omit<AuditRecord, 'hash'>): string {
  const extra = [
    str(r.loginSessionId),
    str(r.loginUserAccountId),
    str(r.loginParticipantId),
    r.loginRole ?? null,
    r.loginUsername ?? null,
    r.refusedCount ?? null,
  ];
  const v2 = extra.some((x) => x !== null);
  return JSON.stringify([
    v2 ? HASH_VERSION_2 : HASH_VERSION,
    str(r.id),
    str(r.seq),
    r.occurredAt.toISOString(),
    r.requestId,
    str(r.sessionId),
    str(r.userAccountId),
    str(r.participantId),
    r.role,
    r.username,
    r.authMethod,
    r.login,
    r.clientIp,
    r.userAgent,
    r.operationType,
    r.operationName,
    r.rootFields,
    hex(r.documentHash),
    r.variables,
    r.outcome,
    r.errorCodes,
    r.rowsReturned,
    hex(r.responseHash),
    r.httpStatus,
    Number(r.durationUs),
    r.complaintId,
    ...(v2 ? extra : []),
    hex(r.prevHash),
  ]);
}

export function recordHash(r: Omit<AuditRecord, 'hash'>): Buffer {
  return sha256(canonicalContent(r));
}

/** A row of audit_records as the pg driver returns it, turned back into a record. */
export interface AuditRow {
  id: string;
  seq: string;
  occurred_at: Date;
  request_id: string;
  session_id: string | null;
  user_account_id: string | null;
  participant_id: string | null;
  role: AuditRole | null;
  username: string | null;
  auth_method: AuditAuthMethod | null;
  login: boolean;
  client_ip: string | null;
  user_agent: string | null;
  operation_type: AuditRecord['operationType'];
  operation_name: string | null;
  root_fields: string[];
  document_hash: Buffer | null;
  variables: string;
  outcome: AuditOutcome;
  error_codes: string[];
  rows_returned: number;
  response_hash: Buffer;
  http_status: number | null;
  duration_us: string | number;
  complaint_id: string | null;
  login_session_id?: string | null;
  login_user_account_id?: string | null;
  login_participant_id?: string | null;
  login_role?: AuditRole | null;
  login_username?: string | null;
  refused_count?: number | null;
  prev_hash: Buffer;
  hash: Buffer;
}

export function rowToRecord(row: AuditRow): AuditRecord {
  return {
    id: String(row.id),
    seq: String(row.seq),
    occurredAt: new Date(row.occurred_at),
    requestId: row.request_id,
    sessionId: str(row.session_id),
    userAccountId: str(row.user_account_id),
    participantId: str(row.participant_id),
    role: row.role,
    username: row.username,
    authMethod: row.auth_method,
    login: row.login,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    operationType: row.operation_type,
    operationName: row.operation_name,
    rootFields: row.root_fields,
    documentHash: row.document_hash,
    variables: row.variables,
    outcome: row.outcome,
    errorCodes: row.error_codes,
    rowsReturned: row.rows_returned,
    responseHash: row.response_hash,
    httpStatus: row.http_status,
    durationUs: Number(row.duration_us),
    complaintId: row.complaint_id,
    loginSessionId: str(row.login_session_id),
    loginUserAccountId: str(row.login_user_account_id),
    loginParticipantId: str(row.login_participant_id),
    loginRole: row.login_role ?? null,
    loginUsername: row.login_username ?? null,
    refusedCount: row.refused_count ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A NUL or any surrogate (paired ones are fine, but then the exact check below runs). */
const NEEDS_CLEANING = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as it will read back from PostgreSQL: text columns cannot hold NUL (a record with one would
 * fail its whole batch), and a lone surrogate would come back as U+FFFD and break the record's hash.
 */
export function cleanText<T extends string | null>(s: T, max = 2000): T {
  if (s === null) return s;
  // The common case (every request's record cleans a dozen short texts): nothing to change.
  if (s.length <= max && !NEEDS_CLEANING.test(s)) return s;
  let t: string = s.includes('\u0000') ? s.replace(/\u0000/g, '\\u0000') : s;
  t = t.replace(LONE_SURROGATE, '\uFFFD');
  if (t.length > max) t = `${t.slice(0, max).replace(/[\uD800-\uDBFF]$/, '')}…`;
  return t as T;
}
