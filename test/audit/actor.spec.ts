/**
 * One true actor per audit record (issue 10): the actor is the session the request carried, fixed
 * before anything executes; what a login opened is recorded in its own login_* columns; and a login
 * mutation must stand alone in its operation (BAD_USER_INPUT before anything runs otherwise).
 */
import { expect } from 'chai';
import { hashToken } from '../../src/auth/session.service';
import { resetData, testDb } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { pinClock, testServer, traderToken } from '../support/server';
import {
  CHANGE,
  clearThrottle,
  issueCredentials,
  legalEntity,
  loginToken,
  officerSession,
  OFFICER_PASSWORD,
  PINNED_NOW,
  registerContract,
} from '../auth/helpers';
import { verifyAuditChain } from '../../src/audit/verify';
import { actorRowOf, allAuditText, rawGql } from './helpers';

const TRADER_PASSWORD = 'trader passphrase 1';

async function sessionIdOf(token: string): Promise<string> {
  const [r] = await testDb().ds.query('SELECT id::text AS id FROM sessions WHERE token_hash = $1', [hashToken(token)]);
  return r.id;
}

async function contractRow(
  id: string,
): Promise<{ status: string; credentials_issued_at: Date | null; accounts: number }> {
  const [r] = await testDb().ds.query(
    `SELECT status, credentials_issued_at,
            (SELECT count(*)::int FROM user_accounts a WHERE a.contract_id = c.id) AS accounts
       FROM contracts c WHERE id = $1`,
    [id],
  );
  return r;
}

const sessionCount = async (): Promise<number> =>
  (await testDb().ds.query('SELECT count(*)::int AS n FROM sessions'))[0].n;

describe('audit: one true actor per record, a login alone in its operation', () => {
  let officer: string;
  let officerSessionId: string;
  let officerAccount: string;

  pinClock(PINNED_NOW);
  before(async () => {
    await resetData();
    officer = await officerSession('officer.one');
    officerSessionId = await sessionIdOf(officer);
    [{ id: officerAccount }] = await testDb().ds.query(`SELECT id::text AS id FROM user_accounts WHERE username = $1`, [
      'officer.one',
    ]);
  });
  beforeEach(clearThrottle);

  it('refuses issueCredentials beside a login (BAD_USER_INPUT), issues nothing and records the caller as actor', async () => {
    const c = await registerContract(officer, legalEntity({ contractNumber: 'ACT-1', voen: '1000000011' }));
    const before = await sessionCount();
    const r = await rawGql(
      `mutation { c: issueCredentials(contractId: "${c.id}") { username password }
                  l: login(username: "officer.one", password: "${OFFICER_PASSWORD}") { token } }`,
      undefined,
      officer,
    );
    expect(r.body.errors?.[0]?.extensions?.code).to.equal('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).to.match(/login must be the only field of its operation/);
    expect(r.body.data ?? null).to.equal(null);
    expect(await contractRow(c.id)).to.deep.include({ credentials_issued_at: null, accounts: 0 });
    expect(await sessionCount(), 'the login did not run either').to.equal(before);
    const row = await actorRowOf(r.requestId);
    expect(row).to.deep.include({
      session_id: officerSessionId,
      user_account_id: officerAccount,
      role: 'OFFICER',
      username: 'officer.one',
      login: true,
      login_session_id: null,
      login_participant_id: null,
      outcome: 'REJECTED',
      error_codes: ['BAD_USER_INPUT'],
      root_fields: ['issueCredentials', 'login'],
    });
    expect(await allAuditText()).not.to.contain(OFFICER_PASSWORD);
  });

  describe('with a trader holding credentials', () => {
    let contract: { id: string; participant: { id: string } };
    let username: string;

    before(async () => {
      contract = await registerContract(officer, legalEntity({ contractNumber: 'ACT-2', voen: '1000000012' }));
      const issued = await issueCredentials(officer, contract.id);
      username = issued.username;
      const first = await loginToken(username, issued.password);
      await rawGql(CHANGE, { c: issued.password, n: TRADER_PASSWORD }, first);
    });

    it("refuses suspendContract beside a trader's login, with or without the officer's token; nothing runs", async () => {
      const q = `mutation($u: String!, $p: String!) {
        s: suspendContract(id: "${contract.id}", reason: "beside a login") { status }
        l: login(username: $u, password: $p) { token } }`;
      const before = await sessionCount();
      for (const token of [officer, undefined]) {
        const r = await rawGql(q, { u: username, p: TRADER_PASSWORD }, token);
        expect(r.status).to.equal(400);
        expect(r.body.errors?.[0]?.extensions?.code).to.equal('BAD_USER_INPUT');
        const row = await actorRowOf(r.requestId);
        expect(row.participant_id, 'never the trader the login would have opened').to.equal(null);
        expect(row.session_id).to.equal(token ? officerSessionId : null);
        expect(row.outcome).to.equal('REJECTED');
      }
      expect((await contractRow(contract.id)).status).to.equal('ACTIVE');
      expect(await sessionCount()).to.equal(before);
    });

    it('refuses two logins (aliases) in one operation, and a login beside a query field via a fragment', async () => {
      for (const q of [
        `mutation { a: login(username: "${username}", password: "x-one-111111") { token }
                    b: login(username: "${username}", password: "x-two-222222") { token } }`,
        `mutation { ...F login(username: "${username}", password: "x-three-33333") { token } }
         fragment F on Mutation { logout }`,
      ]) {
        const r = await rawGql(q);
        expect(r.body.errors?.[0]?.extensions?.code, q).to.equal('BAD_USER_INPUT');
        expect((await actorRowOf(r.requestId)).outcome).to.equal('REJECTED');
      }
      const text = await allAuditText();
      for (const p of ['x-one-111111', 'x-two-222222', 'x-three-33333']) expect(text).not.to.contain(p);
    });

    it('records a plain officer suspendContract under the officer', async () => {
      const r = await rawGql(
        `mutation($id: ID!) { suspendContract(id: $id, reason: "audit actor test") { status } }`,
        { id: contract.id },
        officer,
      );
      expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
      expect(await actorRowOf(r.requestId)).to.deep.include({
        session_id: officerSessionId,
        user_account_id: officerAccount,
        participant_id: null,
        role: 'OFFICER',
        username: 'officer.one',
        login: false,
        login_session_id: null,
        login_participant_id: null,
        login_username: null,
        outcome: 'SUCCESS',
      });
      const back = await rawGql(
        `mutation($id: ID!) { resumeContract(id: $id, reason: "back") { status } }`,
        { id: contract.id },
        officer,
      );
      expect(back.body.errors).to.equal(undefined);
    });

    it('records a successful login with no actor, and what it opened in its own fields', async () => {
      const r = await rawGql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
        u: username,
        p: TRADER_PASSWORD,
      });
      expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
      const [account] = await testDb().ds.query('SELECT id::text AS id FROM user_accounts WHERE username = $1', [
        username,
      ]);
      expect(await actorRowOf(r.requestId)).to.deep.include({
        session_id: null,
        user_account_id: null,
        participant_id: null,
        role: null,
        username: null,
        login: true,
        login_session_id: await sessionIdOf(r.body.data.login.token),
        login_user_account_id: account.id,
        login_participant_id: contract.participant.id,
        login_role: 'TRADER',
        login_username: username,
        outcome: 'SUCCESS',
      });
    });

    it("shows a login in the trader's own myQueryHistory (it has no actor), and in no other trader's", async () => {
      const r = await rawGql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
        u: username,
        p: TRADER_PASSWORD,
      });
      expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
      const [{ id: loginRecord }] = await testDb().ds.query(
        'SELECT id::text AS id FROM audit_records WHERE request_id = $1',
        [r.requestId],
      );
      const HISTORY = '{ myQueryHistory(first: 100) { edges { node { id login rootFields } } } }';
      const ids = async (token: string): Promise<string[]> => {
        const h = await rawGql(HISTORY, {}, token);
        expect(h.body.errors, JSON.stringify(h.body.errors)).to.equal(undefined);
        return h.body.data.myQueryHistory.edges.map((e: { node: { id: string } }) => e.node.id);
      };
      expect(await ids(r.body.data.login.token)).to.include(loginRecord);
      const other = await traderToken(await insertParticipant('1000000099', 'Other Co'));
      expect(await ids(other)).not.to.include(loginRecord);
    });

    it('a login sent with an officer token records the officer as actor and the trader only as what it opened', async () => {
      const r = await rawGql(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
        { u: username, p: TRADER_PASSWORD },
        officer,
      );
      expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
      expect(await actorRowOf(r.requestId)).to.deep.include({
        session_id: officerSessionId,
        participant_id: null,
        role: 'OFFICER',
        login_participant_id: contract.participant.id,
        login_role: 'TRADER',
      });
    });

    it('stores the username of a refused login given inline, never the password', async () => {
      const r = await rawGql(`mutation { login(username: "${username}", password: "inline-wrong-pass-9") { token } }`);
      expect(r.body.errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
      expect(await actorRowOf(r.requestId)).to.deep.include({
        session_id: null,
        login: true,
        login_session_id: null,
        login_participant_id: null,
        login_username: username,
        outcome: 'ERROR',
      });
      expect(await allAuditText()).not.to.contain('inline-wrong-pass-9');
    });
  });

  it('chains and verifies records carrying what a login opened (audit-v2 hashes) with the older ones', async () => {
    const { services } = await testServer();
    await services.audit.drain();
    const [{ n }] = await testDb().ds.query(
      'SELECT count(*)::int AS n FROM audit_records WHERE login_session_id IS NOT NULL',
    );
    expect(n).to.be.greaterThan(0);
    const v = await verifyAuditChain({ query: (t, p) => testDb().ds.query(t, p) }, services.audit.key, {
      witnessFile: null,
    });
    expect(v.broken).to.equal(null);
  });
});
