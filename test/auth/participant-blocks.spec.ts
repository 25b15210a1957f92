/**
 * Blocking a participant (blockParticipant / unblockParticipant) and suspending a contract, end to
 * end over HTTP: every login method of a blocked participant is refused with PARTICIPANT_BLOCKED,
 * its live sessions of every method are revoked, the session look-up refuses its sessions even when
 * no revocation ran, and each officer action names the officer in its row.
 */
import { expect } from 'chai';
import { resetData, testDb } from '../support/db';
import { errorCode, gql, officerToken, testServer, traderToken } from '../support/server';
import { cert, portalAssertion, signCms, webEidToken } from '../pki/helpers';
import {
  clearThrottle,
  traderCredentials,
  legalEntity,
  login,
  officerSession,
  registerContract,
  SUSPEND,
  TERMINATE,
} from './helpers';

/** The VÖEN of the test certificates legal-rsa / legal-ec and of the portal assertions below. */
const VOEN = '1402345671';

const BLOCK = `mutation($id: ID!, $r: String!) { blockParticipant(id: $id, reason: $r) {
  id participant { id voen } reason blockedAt blockedBy unblockedAt unblockedBy active revokedSessions } }`;
const UNBLOCK = `mutation($id: ID!) { unblockParticipant(id: $id) {
  id reason blockedBy unblockedAt unblockedBy active revokedSessions } }`;
const BLOCKS = `query($id: ID!) { participantBlocks(participantId: $id) { id reason blockedBy unblockedBy active } }`;
const ME = '{ me { authMethod participant { voen } } }';
const CHALLENGE = 'mutation { createLoginChallenge { id nonce toBeSigned } }';
const SIG_LOGIN = `mutation($id: ID!, $sig: String!) { loginWithSignature(challengeId: $id, signature: $sig) { token } }`;
const WEB_EID = `mutation($id: ID!, $token: String!) { loginWithWebEid(challengeId: $id, token: $token) { token } }`;
const PORTAL = `mutation($a: String!) { loginWithPortalAssertion(assertion: $a) { token } }`;

/** Attached CMS signature by `who`, with the issuing CA's certificate. */
const cmsSign = (content: Buffer | string, who: string): string =>
  signCms(who, content, { detached: false, certfile: cert('issuing-ca') });

async function challenge(): Promise<{ id: string; nonce: string; toBeSigned: string }> {
  const r = await gql(CHALLENGE);
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data.createLoginChallenge;
}

/** The four login methods, each returning the raw GraphQL result. */
const METHODS: Record<string, (password: { username: string; password: string }) => Promise<any>> = {
  password: (p) => login(p.username, p.password),
  'CMS signature': async () => {
    const c = await challenge();
    return gql(SIG_LOGIN, { id: c.id, sig: cmsSign(c.toBeSigned, 'legal-rsa') });
  },
  'Web eID': async () => {
    const c = await challenge();
    const origin = (await testServer()).services.config.http.publicOrigin;
    return gql(WEB_EID, { id: c.id, token: webEidToken('legal-ec', origin, c.nonce, 'ES256') });
  },
  'portal assertion': async () => {
    return gql(PORTAL, { a: portalAssertion((await testServer()).clock.now()) });
  },
};

/** The token of a successful login, failing the test otherwise. */
function tokenOf(r: any): string {
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return Object.values(r.data as Record<string, { token: string }>)[0].token;
}

describe('blocking a participant and suspending a contract', () => {
  let officer: string;
  let participantId: string;
  let contractId: string;
  let trader: { username: string; password: string };

  before(async () => {
    (await testServer()).clock.set(new Date()); // openssl stamps signingTime with the wall clock
  });

  beforeEach(async () => {
    await resetData();
    officer = await officerSession();
    const c = await registerContract(officer, legalEntity({ voen: VOEN, name: 'Xəzər Logistika MMC' }));
    contractId = c.id;
    participantId = c.participant.id;
    trader = await traderCredentials(officer, c.id, 'trader passphrase 1');
  });

  for (const [method, logIn] of Object.entries(METHODS)) {
    it(`refuses a ${method} login of a blocked participant with PARTICIPANT_BLOCKED, and allows it after unblocking`, async () => {
      tokenOf(await logIn(trader)); // works before the block
      expect((await gql(BLOCK, { id: participantId, r: 'fraud investigation' }, officer)).errors).to.equal(undefined);
      const refused = await logIn(trader);
      expect(errorCode(refused), JSON.stringify(refused.errors)).to.equal('PARTICIPANT_BLOCKED');
      expect(refused.data ?? null).to.equal(null);
      const [{ n }] = await testDb().ds.query(
        `SELECT count(*)::int AS n FROM sessions WHERE participant_id = $1 AND revoked_at IS NULL`,
        [participantId],
      );
      expect(n).to.equal(0);
      expect((await gql(UNBLOCK, { id: participantId }, officer)).errors).to.equal(undefined);
      const me = await gql(ME, {}, tokenOf(await logIn(trader)));
      expect(me.data.me.participant).to.deep.equal({ voen: VOEN });
    });
  }

  it('revokes the live password, signature and portal sessions of the participant, and names the officer', async () => {
    const tokens = [
      tokenOf(await METHODS.password(trader)),
      tokenOf(await METHODS['CMS signature'](trader)),
      tokenOf(await METHODS['Web eID'](trader)),
      tokenOf(await METHODS['portal assertion'](trader)),
    ];
    const methods = [];
    for (const t of tokens) methods.push((await gql(ME, {}, t)).data.me.authMethod);
    expect(methods).to.deep.equal(['PASSWORD', 'SIGNATURE', 'SIGNATURE', 'PORTAL']);
    // Another participant's session is not touched.
    const [other] = await testDb().ds.query(
      `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', 'Other', '1000000009', now())
       RETURNING id::text AS id`,
    );
    const otherToken = await traderToken(other.id);

    const b = await gql(BLOCK, { id: participantId, r: '  fraud investigation  ' }, officer);
    expect(b.errors, JSON.stringify(b.errors)).to.equal(undefined);
    expect(b.data.blockParticipant).to.deep.include({
      participant: { id: participantId, voen: VOEN },
      reason: 'fraud investigation',
      blockedBy: 'officer.one',
      unblockedAt: null,
      unblockedBy: null,
      active: true,
      revokedSessions: 4,
    });
    for (const t of tokens) expect(errorCode(await gql(ME, {}, t))).to.equal('UNAUTHENTICATED');
    expect((await gql(ME, {}, otherToken)).errors).to.equal(undefined);

    const [row] = await testDb().ds.query(
      `SELECT b.reason, a.username, b.unblocked_at, b.unblocked_by
         FROM participant_blocks b JOIN user_accounts a ON a.id = b.blocked_by WHERE b.participant_id = $1`,
      [participantId],
    );
    expect(row).to.deep.equal({
      reason: 'fraud investigation',
      username: 'officer.one',
      unblocked_at: null,
      unblocked_by: null,
    });
  });

  it('refuses at the session look-up a session of a blocked participant that no revocation reached', async () => {
    await gql(BLOCK, { id: participantId, r: 'fraud investigation' }, officer);
    // A login that passed its block check just before the block committed opens its session afterwards.
    const late = await traderToken(participantId);
    expect(errorCode(await gql(ME, {}, late))).to.equal('UNAUTHENTICATED');
    await gql(UNBLOCK, { id: participantId }, officer);
    expect((await gql(ME, {}, late)).errors).to.equal(undefined);
  });

  it('unblocks naming the officer, keeps the history, and refuses double blocks and unblocks', async () => {
    const second = await officerSession('officer.two');
    await gql(BLOCK, { id: participantId, r: 'first' }, officer);
    expect(errorCode(await gql(BLOCK, { id: participantId, r: 'again' }, second))).to.equal('BAD_USER_INPUT');
    const u = await gql(UNBLOCK, { id: participantId }, second);
    expect(u.errors, JSON.stringify(u.errors)).to.equal(undefined);
    expect(u.data.unblockParticipant).to.include({
      reason: 'first',
      blockedBy: 'officer.one',
      unblockedBy: 'officer.two',
      active: false,
      revokedSessions: null,
    });
    expect(u.data.unblockParticipant.unblockedAt).to.be.a('string');
    expect(errorCode(await gql(UNBLOCK, { id: participantId }, second))).to.equal('BAD_USER_INPUT');
    await gql(BLOCK, { id: participantId, r: 'second' }, second);
    const h = await gql(BLOCKS, { id: participantId }, officer);
    expect(h.data.participantBlocks.map((x: any) => [x.reason, x.blockedBy, x.unblockedBy, x.active])).to.deep.equal([
      ['second', 'officer.two', null, true],
      ['first', 'officer.one', 'officer.two', false],
    ]);
    const [row] = await testDb().ds.query(
      `SELECT a.username FROM participant_blocks b JOIN user_accounts a ON a.id = b.unblocked_by WHERE b.reason = 'first'`,
    );
    expect(row.username).to.equal('officer.two');
  });

  it('refuses a missing reason, unknown and malformed ids', async () => {
    expect(errorCode(await gql(BLOCK, { id: participantId, r: '   ' }, officer))).to.equal('BAD_USER_INPUT');
    expect(errorCode(await gql(BLOCK, { id: participantId, r: 'x'.repeat(2001) }, officer))).to.equal('BAD_USER_INPUT');
    expect(errorCode(await gql(BLOCK, { id: '999999', r: 'x' }, officer))).to.equal('NOT_FOUND');
    expect(errorCode(await gql(BLOCK, { id: 'abc', r: 'x' }, officer))).to.equal('BAD_USER_INPUT');
    expect(errorCode(await gql(UNBLOCK, { id: participantId }, officer))).to.equal('BAD_USER_INPUT');
  });

  it('is for officers only: traders get FORBIDDEN, anonymous callers UNAUTHENTICATED, and nothing changes', async () => {
    const traderSession = tokenOf(await METHODS.password(trader));
    for (const token of [traderSession, undefined]) {
      const expected = token ? 'FORBIDDEN' : 'UNAUTHENTICATED';
      expect(errorCode(await gql(BLOCK, { id: participantId, r: 'x' }, token))).to.equal(expected);
      expect(errorCode(await gql(UNBLOCK, { id: participantId }, token))).to.equal(expected);
      expect(errorCode(await gql(BLOCKS, { id: participantId }, token))).to.equal(expected);
    }
    // An officer session without an officer account cannot be named in the row, so it may not block.
    expect(errorCode(await gql(BLOCK, { id: participantId, r: 'x' }, await officerToken()))).to.equal('FORBIDDEN');
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM participant_blocks');
    expect(n).to.equal(0);
    expect((await gql(ME, {}, traderSession)).errors).to.equal(undefined);
  });

  describe('suspension and termination (password access under the contract)', () => {
    for (const [name, mutation] of [
      ['suspending', SUSPEND],
      ['terminating', TERMINATE],
    ] as const) {
      it(`${name} revokes the password sessions under the contract and refuses its password logins`, async () => {
        const a = tokenOf(await METHODS.password(trader));
        const b = tokenOf(await METHODS.password(trader));
        const r = await gql(mutation, { id: contractId, r: 'documents expired' }, officer);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        for (const t of [a, b]) expect(errorCode(await gql(ME, {}, t))).to.equal('UNAUTHENTICATED');
        const [{ n }] = await testDb().ds.query(
          `SELECT count(*)::int AS n FROM sessions s JOIN user_accounts u ON u.id = s.user_account_id
            WHERE u.contract_id = $1 AND s.revoked_at IS NULL`,
          [contractId],
        );
        expect(n).to.equal(0);
        await clearThrottle();
        expect(errorCode(await METHODS.password(trader))).to.equal('FORBIDDEN');
      });
    }

    it('refuses at the session look-up a password session under a suspended contract that no revocation reached', async () => {
      const t = tokenOf(await METHODS.password(trader));
      // As if the instance that suspended it died between the status change and the revocation,
      // or a login's session was opened just after the revocation ran.
      await testDb().ds.query(`UPDATE contracts SET status = 'SUSPENDED' WHERE id = $1`, [contractId]);
      expect(errorCode(await gql(ME, {}, t))).to.equal('UNAUTHENTICATED');
      await testDb().ds.query(`UPDATE contracts SET status = 'ACTIVE' WHERE id = $1`, [contractId]);
      expect((await gql(ME, {}, t)).errors).to.equal(undefined);
    });

    it("leaves the participant's signature sessions alone: those are the block's to refuse", async () => {
      const sig = tokenOf(await METHODS['CMS signature'](trader));
      await gql(SUSPEND, { id: contractId, r: 'documents expired' }, officer);
      expect((await gql(ME, {}, sig)).data.me.authMethod).to.equal('SIGNATURE');
    });
  });

  it('names the officer of every contract action in the row and in the Contract type', async () => {
    const second = await officerSession('officer.two');
    // beforeEach registered and issued as officer.one; officer.two re-issues, then suspends.
    const FIELDS = `registeredBy statusChangedBy credentialsIssuedBy credentialsIssuedAt credentialsLastIssuedBy
      credentialsLastIssuedAt`;
    const q = `query($id: ID!) { contract(id: $id) { ${FIELDS} } }`;
    const before = (await gql(q, { id: contractId }, officer)).data.contract;
    expect(before).to.include({
      registeredBy: 'officer.one',
      statusChangedBy: null,
      credentialsIssuedBy: 'officer.one',
      credentialsLastIssuedBy: 'officer.one',
    });
    expect(before.credentialsLastIssuedAt).to.equal(before.credentialsIssuedAt);
    (await testServer()).clock.advance(60_000);
    expect(
      (await gql(`mutation($id: ID!) { issueCredentials(contractId: $id) { username } }`, { id: contractId }, second))
        .errors,
    ).to.equal(undefined);
    await gql(SUSPEND, { id: contractId, r: 'documents expired' }, second);
    const after = (await gql(q, { id: contractId }, officer)).data.contract;
    expect(after).to.include({
      registeredBy: 'officer.one',
      statusChangedBy: 'officer.two',
      credentialsIssuedBy: 'officer.one',
      credentialsIssuedAt: before.credentialsIssuedAt,
      credentialsLastIssuedBy: 'officer.two',
    });
    expect(after.credentialsLastIssuedAt > before.credentialsLastIssuedAt).to.equal(true);
    const [row] = await testDb().ds.query(
      `SELECT reg.username AS registered, st.username AS status, iss.username AS issued, last.username AS last
         FROM contracts c JOIN user_accounts reg ON reg.id = c.registered_by
         JOIN user_accounts st ON st.id = c.status_changed_by JOIN user_accounts iss ON iss.id = c.credentials_issued_by
         JOIN user_accounts last ON last.id = c.credentials_last_issued_by WHERE c.id = $1`,
      [contractId],
    );
    expect(row).to.deep.equal({
      registered: 'officer.one',
      status: 'officer.two',
      issued: 'officer.one',
      last: 'officer.two',
    });
    (await testServer()).clock.set(new Date());
  });
});
