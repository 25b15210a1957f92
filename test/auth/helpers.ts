/** Shared steps of the password-access tests: officers, contracts, logins, over real HTTP. */
import { expect } from 'chai';
import { testDb } from '../support/db';
import { gql, gqlData, testServer, type GqlResult } from '../support/server';

export const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  token expiresAt viewer { role authMethod username mustChangePassword participant { id name voen fin gooen kind } } } }`;
export const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;

export const CONTRACT_FIELDS = `id contractNumber signedDate status statusReason statusChangedAt nonCommercial documents
  credentialsDueDate credentialsOverdue credentialsIssuedAt username registeredAt
  participant { id kind name voen fin gooen }`;
export const REGISTER = `mutation($i: ContractInput!) { registerContract(input: $i) { ${CONTRACT_FIELDS} } }`;
export const ISSUE = `mutation($id: ID!) { issueCredentials(contractId: $id) { username password contract { ${CONTRACT_FIELDS} } } }`;
export const SUSPEND = `mutation($id: ID!, $r: String!) { suspendContract(id: $id, reason: $r) { ${CONTRACT_FIELDS} } }`;
export const RESUME = `mutation($id: ID!, $r: String!) { resumeContract(id: $id, reason: $r) { ${CONTRACT_FIELDS} } }`;
export const TERMINATE = `mutation($id: ID!, $r: String!) { terminateContract(id: $id, reason: $r) { ${CONTRACT_FIELDS} } }`;
export const CONTRACTS = `query($status: ContractStatus, $overdue: Boolean, $first: Int, $after: String) {
  contracts(status: $status, overdue: $overdue, first: $first, after: $after) {
    edges { cursor node { ${CONTRACT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

export const LEGAL_DOCS = [
  'APPLICATION_LETTER',
  'SIGNED_CONTRACT',
  'STATE_REGISTRATION_CERTIFICATE',
  'FOUNDERS_IDENTITY_DOCUMENTS',
];
export const PERSON_DOCS = ['APPLICATION_LETTER', 'SIGNED_CONTRACT', 'IDENTITY_DOCUMENT'];

/** A day the tests pin the clock to: 12:00 in Baku. */
export const PINNED_NOW = new Date('2025-03-10T08:00:00.000Z');

export function legalEntity(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contractNumber: 'GK-2025/0042',
    signedDate: '2025-03-01',
    kind: 'LEGAL_ENTITY',
    name: 'Alpha MMC',
    voen: '1000000001',
    documents: LEGAL_DOCS,
    ...over,
  };
}

export function naturalPerson(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contractNumber: 'GK-2025/0100',
    signedDate: '2025-03-01',
    kind: 'NATURAL_PERSON',
    name: 'Əli Məmmədov',
    fin: '5ABCD12',
    voen: '2000000002',
    documents: PERSON_DOCS,
    ...over,
  };
}

export function login(username: string, password: string): Promise<GqlResult> {
  return gql(LOGIN, { u: username, p: password });
}

/** Logs in and returns the token, failing the test with the errors otherwise. */
export async function loginToken(username: string, password: string): Promise<string> {
  const r = await login(username, password);
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data.login.token;
}

/** Logs in with a one-time password and replaces it with `password`, failing the test otherwise. */
async function replaceOneTimePassword(username: string, oneTime: string, password: string): Promise<void> {
  const first = await loginToken(username, oneTime);
  const changed = await gql(CHANGE, { c: oneTime, n: password }, first);
  expect(changed.data, JSON.stringify(changed.errors)).to.deep.equal({ changePassword: true });
}

export const OFFICER_PASSWORD = 'officer-chosen-password-1';

/** An officer who has replaced the one-time password: a normal OFFICER session. */
export async function officerSession(username = 'officer.one'): Promise<string> {
  const { services } = await testServer();
  const { password } = await services.accounts.createOfficer(username);
  await replaceOneTimePassword(username, password, OFFICER_PASSWORD);
  return loginToken(username, OFFICER_PASSWORD);
}

/** Registers a contract and returns it, failing the test with the errors otherwise. */
export async function registerContract(officer: string, input: Record<string, unknown>): Promise<any> {
  return (await gqlData(REGISTER, { i: input }, officer)).registerContract;
}

/** Issues the contract's credentials (username, one-time password, the contract), failing the test otherwise. */
export async function issueCredentials(
  officer: string,
  contractId: string,
): Promise<{ username: string; password: string; contract: any }> {
  return (await gqlData(ISSUE, { id: contractId }, officer)).issueCredentials;
}

/**
 * The trader's side of a new contract: credentials issued, a first login with the one-time password
 * and the password replaced by `password`, failing the test otherwise. The username and that password.
 */
export async function traderCredentials(
  officer: string,
  contractId: string,
  password: string,
): Promise<{ username: string; password: string }> {
  const issued = await issueCredentials(officer, contractId);
  await replaceOneTimePassword(issued.username, issued.password, password);
  return { username: issued.username, password };
}

/** Forgets every failed-login counter (tests share the client address 127.0.0.1). */
export async function clearThrottle(): Promise<void> {
  await testDb().ds.query('DELETE FROM login_throttle');
}

/** A PHC argon2 string's algorithm, version and cost parameters, whatever order the library wrote them in. */
export function argon2Params(phc: string): string {
  const [, alg, version, list] = phc.split('$');
  const p = Object.fromEntries((list ?? '').split(',').map((kv) => kv.split('=')));
  return `${alg} ${version} m=${p.m} t=${p.t} p=${p.p}`;
}
