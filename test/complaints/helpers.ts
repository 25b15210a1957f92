/** Shared pieces of the complaint tests. */
import { testDb } from '../support/db';

export const COMPLAINT_FIELDS = `id channel status name patronymic surname address postalAddress workplace email
  declarationNumber auditRecordId text participant { id } filedAt dueDate overdue reviewStartedAt answer answeredAt
  recordedBy reviewStartedBy answeredBy`;

export const FILE = `mutation($input: ComplaintInput!) { fileComplaint(input: $input) { ${COMPLAINT_FIELDS} } }`;
export const PAPER = `mutation($input: ComplaintInput!) { recordPaperComplaint(input: $input) { ${COMPLAINT_FIELDS} } }`;
export const START = `mutation($id: ID!) { startComplaintReview(id: $id) { ${COMPLAINT_FIELDS} } }`;
export const ANSWER = `mutation($id: ID!, $answer: String!) { answerComplaint(id: $id, answer: $answer) { ${COMPLAINT_FIELDS} } }`;
export const LIST = `query($status: ComplaintStatus, $overdue: Boolean, $first: Int, $after: String) {
  complaints(status: $status, overdue: $overdue, first: $first, after: $after) {
    edges { cursor node { ${COMPLAINT_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
export const MINE = `query($status: ComplaintStatus, $first: Int, $after: String) {
  myComplaints(status: $status, first: $first, after: $after) {
    edges { cursor node { ${COMPLAINT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

/** A complete, valid complaint; override fields per test. */
export function complaintInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Anar',
    patronymic: 'Rəşid oğlu',
    surname: 'Məmmədov',
    address: 'Bakı ş., Nizami küç. 10',
    text: 'The statistics page did not load for two days.',
    ...extra,
  };
}

export { officerToken } from '../support/server';

/** Forgets every per-address filing count (all test requests come from 127.0.0.1). */
export async function clearRateLimits(): Promise<void> {
  await testDb().ds.query('DELETE FROM complaint_rate_limits');
}

export async function complaintCount(): Promise<number> {
  const [r] = await testDb().ds.query('SELECT count(*)::int AS n FROM complaints');
  return r.n;
}

/** YYYY-MM-DD plus n days, computed independently of the code under test. */
export function plusDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
