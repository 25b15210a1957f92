/** Shared pieces of the audit tests: raw HTTP calls, audit rows read as the owner, sessions. */
import crypto from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { Client } from 'pg';
import pino from 'pino';
import { responseHashOf } from '../../src/audit/receipt';
import { recordHash, rowToRecord, type AuditEntryInput, type AuditRow } from '../../src/audit/record';
import { loadConfig, type AppConfig } from '../../src/config';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices, type Services } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { resetData, testDb } from '../support/db';
import { testServer } from '../support/server';

export const sha256hex = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * The response hash a record holds for a body as received: a response of the GraphQL pipeline carries
 * its receipt, which the hash leaves out (src/audit/receipt.ts, responseHashOf: the documented
 * recomputation); a body with no receipt (withheld, refused by the HTTP layer) is hashed as it is.
 */
export function sentHash(text: string): string {
  let receipt: unknown;
  try {
    receipt = (JSON.parse(text) as { extensions?: { receipt?: unknown } }).extensions?.receipt;
  } catch {
    receipt = undefined;
  }
  return receipt === undefined ? sha256hex(text) : responseHashOf(text).toString('hex');
}

export interface RawResult {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: any };
  requestId: string | null;
}

/** POSTs one operation and keeps the exact response text and the X-Request-Id header. */
export async function rawGql(
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  opts: { url?: string; headers?: Record<string, string>; operationName?: string } = {},
): Promise<RawResult> {
  const url = opts.url ?? (await testServer()).server.url;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      // The audit specs read the specific English messages (errors are Azerbaijani by default).
      'accept-language': 'en',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables, operationName: opts.operationName }),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text), requestId: res.headers.get('x-request-id') };
}

export interface AuditRowText {
  id: string;
  seq: string;
  occurred_at: Date;
  request_id: string;
  session_id: string | null;
  participant_id: string | null;
  role: string | null;
  username: string | null;
  auth_method: string | null;
  login: boolean;
  client_ip: string | null;
  user_agent: string | null;
  operation_type: string | null;
  operation_name: string | null;
  root_fields: string[];
  document_hash: string | null;
  variables: string;
  outcome: string;
  error_codes: string[];
  rows_returned: number;
  response_hash: string;
  http_status: number | null;
  duration_us: string;
  complaint_id: string | null;
  login_session_id: string | null;
  login_participant_id: string | null;
  login_role: string | null;
  login_username: string | null;
  refused_count: number | null;
  prev_hash: string;
  hash: string;
}

/** Every audit row in chain order, hashes as hex, read as the owner. */
export async function auditRows(where = 'true', params: unknown[] = []): Promise<AuditRowText[]> {
  return testDb().ds.query(
    `SELECT id::text, seq::text, occurred_at, request_id, session_id::text, participant_id::text, role, username,
            auth_method, login, client_ip, user_agent, operation_type, operation_name, root_fields,
            encode(document_hash, 'hex') AS document_hash, variables, outcome, error_codes, rows_returned,
            encode(response_hash, 'hex') AS response_hash, http_status, duration_us::text, complaint_id,
            login_session_id::text, login_participant_id::text, login_role, login_username, refused_count,
            encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash
       FROM audit_records WHERE ${where} ORDER BY audit_records.seq`,
    params,
  );
}

/** The audit row of one request (by its request id). */
export async function auditRowOf(requestId: string | null): Promise<AuditRowText> {
  const rows = await auditRows('request_id = $1', [requestId]);
  if (rows.length !== 1) throw new Error(`expected one audit row for request ${requestId}, found ${rows.length}`);
  return rows[0];
}

/** Every audit row and checkpoint as one text, for "never stored" checks. */
export async function allAuditText(): Promise<string> {
  const rows: { t: string }[] = await testDb().ds.query(
    `SELECT (SELECT coalesce(string_agg(a::text, E'\\n'), '') FROM audit_records a)
         || (SELECT coalesce(string_agg(c::text, E'\\n'), '') FROM audit_checkpoints c) AS t`,
  );
  return rows[0].t;
}

export { officerToken } from '../support/server';

export async function schemaHas(field: string): Promise<boolean> {
  const { server } = await testServer();
  const schema: GraphQLSchema = server.schema;
  return Boolean(schema.getMutationType()?.getFields()[field] ?? schema.getQueryType()?.getFields()[field]);
}

export interface CapturedServer {
  server: RunningServer;
  services: Services;
  clock: FixedClock;
  lines: string[];
  close(): Promise<void>;
}

/** Another real server over the test database whose pino log lines are captured. */
export async function capturedServer(config: AppConfig = testDb().config): Promise<CapturedServer> {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        lines.push(s);
      },
    },
  );
  const clock = new FixedClock(new Date());
  const services = createServices(config, testDb().ds, clock);
  const server = await startHttpServer(services, logger, { host: '127.0.0.1', port: 0 });
  return { server, services, clock, lines, close: () => server.close() };
}

/**
 * Mocha hooks for the enclosing describe: a captured server (over `config()`, the test database's
 * config by default) started before its tests, after the data is reset when `reset` is set, and
 * closed after them. The object returned is filled in by the before hook.
 */
export function useCapturedServer(opts: { reset?: boolean; config?: () => AppConfig } = {}): CapturedServer {
  const cap = {} as CapturedServer;
  before(async () => {
    if (opts.reset) await resetData();
    Object.assign(cap, await capturedServer(opts.config?.()));
  });
  after(async () => {
    await cap.close?.();
  });
  return cap;
}

/** Runs `fn` while the application role may not insert audit records, granting it back however `fn` ends. */
export async function whileAuditInsertRevoked<T>(fn: () => Promise<T>): Promise<T> {
  const { ds, config } = testDb();
  await ds.query(`REVOKE INSERT ON audit_records FROM ${config.db.appRole}`);
  try {
    return await fn();
  } finally {
    await ds.query(`GRANT INSERT ON audit_records TO ${config.db.appRole}`);
  }
}

/** The test configuration read from the environment with `env` on top (as a restarted service would). */
export function testConfigWith(env: Record<string, string>): AppConfig {
  return loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: testDb().config.db.url, ...env });
}

export interface LoginRow {
  session_id: string | null;
  user_account_id: string | null;
  participant_id: string | null;
  username: string | null;
  role: string | null;
  auth_method: string | null;
  outcome: string;
}

/**
 * What the newest login attempt opened, read as the owner: the session, account, participant, role
 * and username of its login_* columns (the actor columns name the session the request carried).
 */
export async function lastLoginRow(): Promise<LoginRow> {
  const [row] = await testDb().ds.query(
    `SELECT login_session_id::text AS session_id, login_user_account_id::text AS user_account_id,
            login_participant_id::text AS participant_id, login_username AS username, login_role AS role,
            auth_method, outcome
       FROM audit_records WHERE login ORDER BY seq DESC LIMIT 1`,
  );
  return row;
}

/** Actor and login columns of one request's audit row. */
export async function actorRowOf(requestId: string | null): Promise<Record<string, unknown>> {
  const rows = await testDb().ds.query(
    `SELECT session_id::text, user_account_id::text, participant_id::text, role, username, login,
            login_session_id::text, login_user_account_id::text, login_participant_id::text, login_role,
            login_username, outcome, error_codes, root_fields, client_ip, refused_count, http_status
       FROM audit_records WHERE request_id = $1`,
    [requestId],
  );
  if (rows.length !== 1) throw new Error(`expected one audit row for request ${requestId}, found ${rows.length}`);
  return rows[0];
}

/** The newest session of a participant, or of an account when `userAccountId` is given. */
export async function newestSessionId(where: { participantId: string } | { userAccountId: string }): Promise<string> {
  const [row] = await testDb().ds.query(
    `SELECT id::text AS id FROM sessions WHERE ${'participantId' in where ? 'participant_id' : 'user_account_id'} = $1
      ORDER BY id DESC LIMIT 1`,
    ['participantId' in where ? where.participantId : where.userAccountId],
  );
  return row.id;
}

/** The attacker of the audit tests: a superuser connection with triggers switched off. */
export async function asAttacker(fn: (c: Client) => Promise<unknown>): Promise<void> {
  const c = new Client({ connectionString: testDb().url });
  await c.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * The insider's forgery, on the attacker's connection: the record at `target` gets `column` changed (`edit`),
 * and it and every later record from `fromSeq` on are re-linked and re-hashed so the chain is consistent again.
 * Returns the new head hash (what a thorough attacker writes into audit_chain_head).
 */
export async function rewriteChain(
  c: Client,
  fromSeq: number,
  target: number,
  column: 'outcome' | 'participant_id',
  edit: (rec: ReturnType<typeof rowToRecord>) => void,
): Promise<Buffer | null> {
  const { rows } = await c.query<AuditRow>('SELECT * FROM audit_records WHERE seq >= $1 ORDER BY seq', [fromSeq]);
  let prev: Buffer | null = null;
  for (const row of rows) {
    const rec = rowToRecord(row);
    if (Number(rec.seq) === target) edit(rec);
    if (prev) rec.prevHash = prev;
    const { hash: _old, ...content } = rec;
    const hash = recordHash(content);
    const value = column === 'outcome' ? rec.outcome : rec.participantId;
    await c.query(`UPDATE audit_records SET ${column} = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [
      rec.seq,
      value,
      rec.prevHash,
      hash,
    ]);
    prev = hash;
  }
  return prev;
}

/** The i-th of a run of plain audit entries (a trader's `me`), for tests that write records directly. */
export function auditEntry(i: number, tag: string, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    requestId: `${tag}-${i}`,
    sessionId: null,
    userAccountId: null,
    participantId: null,
    role: null,
    username: null,
    authMethod: null,
    login: false,
    clientIp: '127.0.0.1',
    userAgent: `${tag}-test`,
    operationType: 'query',
    operationName: null,
    rootFields: ['me'],
    documentHash: null,
    variables: '{}',
    outcome: 'SUCCESS',
    errorCodes: [],
    rowsReturned: 1,
    responseHash: crypto.createHash('sha256').update(`${tag}-${i}`).digest(),
    httpStatus: 200,
    durationUs: 1000 + i,
    complaintId: null,
    ...over,
  };
}
