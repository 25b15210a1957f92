/**
 * Who may call what (src/graphql/auth.ts): the code and message each kind of caller gets from a
 * field's @Authorized access, exactly as the hand-written guards answered before.
 */
import { expect } from 'chai';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { gql, officerToken, openSession, traderToken } from '../support/server';

type Caller = 'anonymous' | 'bad token' | 'one-time' | 'trader' | 'officer';

const LOG_IN_FIRST = ['UNAUTHENTICATED', 'log in first: send Authorization: Bearer <token>'];
const BAD_TOKEN = ['UNAUTHENTICATED', 'the session is missing, expired or revoked'];
const CHANGE_FIRST = [
  'PASSWORD_CHANGE_REQUIRED',
  'change the one-time password first (changePassword), then log in again',
];
const OK = [undefined, undefined];

/** Per field: the answer for each caller ([code, message]; OK: no error). */
const MATRIX: { query: string; answers: Record<Caller, (string | undefined)[]> }[] = [
  {
    query: '{ me { role } }',
    answers: { anonymous: LOG_IN_FIRST, 'bad token': BAD_TOKEN, 'one-time': CHANGE_FIRST, trader: OK, officer: OK },
  },
  {
    query: '{ declarations(first: 1) { edges { cursor } } }',
    answers: {
      anonymous: LOG_IN_FIRST,
      'bad token': BAD_TOKEN,
      'one-time': CHANGE_FIRST,
      trader: OK,
      officer: ['FORBIDDEN', 'only traders have declarations'],
    },
  },
  {
    query: '{ myComplaints(first: 1) { edges { cursor } } }',
    answers: {
      anonymous: LOG_IN_FIRST,
      'bad token': BAD_TOKEN,
      'one-time': CHANGE_FIRST,
      trader: OK,
      officer: ['FORBIDDEN', 'only traders have complaints of their own'],
    },
  },
  {
    query: '{ contracts(first: 1) { edges { cursor } } }',
    answers: {
      anonymous: LOG_IN_FIRST,
      'bad token': BAD_TOKEN,
      'one-time': CHANGE_FIRST,
      trader: ['FORBIDDEN', 'officers only'],
      officer: OK,
    },
  },
  {
    query: '{ countries { code } }',
    answers: { anonymous: OK, 'bad token': OK, 'one-time': OK, trader: OK, officer: OK },
  },
];

describe('field access (authChecker)', () => {
  const tokens: Partial<Record<Caller, string>> = {};

  async function oneTimeSession(): Promise<string> {
    const s = await openSession({ role: 'OFFICER', username: 'officer.new', mustChangePassword: true });
    return s.token;
  }

  before(async () => {
    await resetData();
    tokens['bad token'] = 'cts_not-a-session';
    tokens['one-time'] = await oneTimeSession();
    tokens.trader = await traderToken(await insertParticipant('1000000001'));
    tokens.officer = await officerToken();
  });

  for (const { query, answers } of MATRIX) {
    for (const [caller, [code, message]] of Object.entries(answers) as [Caller, (string | undefined)[]][]) {
      it(`${query}: ${caller} gets ${code ?? 'the data'}`, async () => {
        const r = await gql(query, {}, tokens[caller]);
        expect(r.errors?.[0]?.extensions?.code, JSON.stringify(r.errors)).to.equal(code);
        expect(r.errors?.[0]?.message).to.equal(message);
      });
    }
  }

  it('lets a one-time session log out (and change its password) but nothing else', async () => {
    const t = await oneTimeSession();
    const change = await gql('mutation { changePassword(currentPassword: "x", newPassword: "y") }', {}, t);
    // Past the access check: the account service answers (this test session has no password account).
    expect(change.errors?.[0]?.message).to.equal('this session was not opened with a username and password');
    expect((await gql('mutation { logout }', {}, t)).data).to.deep.equal({ logout: true });
    expect((await gql('{ me { role } }', {}, t)).errors?.[0]?.message).to.equal(BAD_TOKEN[1]);
  });
});
