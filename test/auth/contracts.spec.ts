import { expect } from 'chai';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant, type DeclSpec } from '../support/fixtures';
import { errorCode, gql, pinClock, testServer, traderToken, walkPages } from '../support/server';
import {
  argon2Params,
  CHANGE,
  clearThrottle,
  traderCredentials,
  CONTRACTS,
  ISSUE,
  issueCredentials,
  LEGAL_DOCS,
  legalEntity,
  login,
  loginToken,
  naturalPerson,
  OFFICER_PASSWORD,
  officerSession,
  PERSON_DOCS,
  PINNED_NOW,
  REGISTER,
  registerContract,
  RESUME,
  SUSPEND,
  TERMINATE,
} from './helpers';

const item = (hs: string, country: string, azn: string) => ({
  hs,
  country,
  net: '10.000',
  gross: '12.500',
  azn,
  usd: '1.00',
});

const ALPHA_DECLS: DeclSpec[] = [
  {
    number: 'AL-1',
    date: '2024-03-10',
    direction: 'IM',
    items: [item('8471300000', 'CN', '100.10'), item('8471410000', 'CN', '200.20')],
  },
  { number: 'AL-2', date: '2024-07-01', direction: 'EX', items: [item('0802210000', 'RU', '50.05')] },
  { number: 'AL-3', date: '2025-01-15', direction: 'IM', items: [item('8471300000', 'TR', '0.99')] },
];

describe('password access: contracts and credentials (officers)', () => {
  let officer: string;
  pinClock(PINNED_NOW);
  beforeEach(async () => {
    await resetData();
    officer = await officerSession();
  });

  it('takes a participant from contract to credentials, first login, new password and their own statistics only', async () => {
    // The participant the imported declarations already know, and another one.
    const alpha = await insertParticipant('1000000001', 'Alpha MMC (from declarations)');
    const beta = await insertParticipant('1000000009', 'Beta MMC');
    await insertDeclarations(alpha, ALPHA_DECLS);
    await insertDeclarations(beta, [
      { number: 'BE-1', date: '2024-03-10', direction: 'IM', items: [item('8471300000', 'CN', '777.77')] },
    ]);

    const contract = await registerContract(officer, legalEntity());
    expect(contract).to.include({
      contractNumber: 'GK-2025/0042',
      signedDate: '2025-03-01',
      status: 'ACTIVE',
      credentialsDueDate: '2025-04-01',
      credentialsOverdue: false,
      credentialsIssuedAt: null,
      username: null,
      nonCommercial: false,
    });
    expect(contract.documents).to.deep.equal(LEGAL_DOCS);
    // Merged with the known participant, not duplicated.
    expect(contract.participant).to.deep.include({ id: alpha, voen: '1000000001', kind: 'LEGAL_ENTITY' });
    const [{ n }] = await testDb().ds.query(`SELECT count(*)::int AS n FROM participants WHERE voen = '1000000001'`);
    expect(n).to.equal(1);

    const issued = await issueCredentials(officer, contract.id);
    expect(issued.username).to.equal('c-gk-2025-0042');
    expect(issued.password).to.be.a('string').with.length.of.at.least(16);
    expect(issued.contract.username).to.equal('c-gk-2025-0042');
    expect(issued.contract.credentialsIssuedAt).to.equal(PINNED_NOW.toISOString());

    // First login: a session that may only change the password (or log out).
    const first = await login(issued.username, issued.password);
    expect(first.errors).to.equal(undefined);
    expect(first.data.login.viewer).to.deep.include({
      role: 'TRADER',
      authMethod: 'PASSWORD',
      mustChangePassword: true,
      username: 'c-gk-2025-0042',
    });
    expect(first.data.login.viewer.participant.id).to.equal(alpha);
    const t1 = first.data.login.token;
    expect(errorCode(await gql('{ me { role } }', {}, t1))).to.equal('PASSWORD_CHANGE_REQUIRED');
    expect(errorCode(await gql('{ tradeStatistics(groupBy: [YEAR]) { truncated } }', {}, t1))).to.equal(
      'PASSWORD_CHANGE_REQUIRED',
    );

    const changed = await gql(CHANGE, { c: issued.password, n: 'my own passphrase 2025' }, t1);
    expect(changed.data).to.deep.equal({ changePassword: true });
    // That session is over: log in again, and the one-time password is gone.
    expect(errorCode(await gql('{ me { role } }', {}, t1))).to.equal('UNAUTHENTICATED');
    expect(errorCode(await login(issued.username, issued.password))).to.equal('UNAUTHENTICATED');

    const second = await login(issued.username, 'my own passphrase 2025');
    expect(second.data.login.viewer.mustChangePassword).to.equal(false);
    const t2 = second.data.login.token;
    const stats = await gql(
      `{ tradeStatistics(groupBy: [YEAR]) { rows { key { year } measures { declarationCount customsValueAzn } }
      totals { declarationCount itemCount customsValueAzn netWeightKg } } }`,
      {},
      t2,
    );
    expect(stats.errors).to.equal(undefined);
    expect(stats.data.tradeStatistics.totals).to.deep.equal({
      declarationCount: 3,
      itemCount: 4,
      customsValueAzn: '351.34',
      netWeightKg: '40.000',
    });
    expect(
      stats.data.tradeStatistics.rows.map((r: any) => [
        r.key.year,
        r.measures.declarationCount,
        r.measures.customsValueAzn,
      ]),
    ).to.deep.equal([
      [2024, 2, '350.35'],
      [2025, 1, '0.99'],
    ]);
    const decl = await gql('{ declaration(number: "BE-1") { number } }', {}, t2);
    expect(decl.data.declaration).to.equal(null);
  });

  describe('officer-only operations', () => {
    const ops: [string, string, Record<string, unknown>][] = [
      ['registerContract', REGISTER, { i: legalEntity() }],
      ['issueCredentials', ISSUE, { id: '1' }],
      ['suspendContract', SUSPEND, { id: '1', r: 'x' }],
      ['resumeContract', RESUME, { id: '1', r: 'x' }],
      ['terminateContract', TERMINATE, { id: '1', r: 'x' }],
      ['contracts', CONTRACTS, {}],
    ];
    for (const [name, query, vars] of ops) {
      it(`refuses ${name} to traders (FORBIDDEN) and to anonymous callers (UNAUTHENTICATED)`, async () => {
        const p = await insertParticipant('1000000005');
        const trader = await traderToken(p);
        const r = await gql(query, vars, trader);
        expect(errorCode(r)).to.equal('FORBIDDEN');
        expect(errorCode(await gql(query, vars))).to.equal('UNAUTHENTICATED');
        const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM contracts');
        expect(n).to.equal(0);
      });
    }

    it('refuses officer operations to an officer who has not replaced the one-time password', async () => {
      const { services } = await testServer();
      const { username, password } = await services.accounts.createOfficer('officer.two');
      const t = await loginToken(username, password);
      expect(errorCode(await gql(CONTRACTS, {}, t))).to.equal('PASSWORD_CHANGE_REQUIRED');
      expect(errorCode(await gql(REGISTER, { i: legalEntity() }, t))).to.equal('PASSWORD_CHANGE_REQUIRED');
    });
  });

  describe('the documents checklist', () => {
    for (const [whose, contract, required] of [
      ["a legal entity's", legalEntity, LEGAL_DOCS],
      ["a natural person's", naturalPerson, PERSON_DOCS],
    ] as const) {
      for (const missing of required) {
        it(`rejects ${whose} contract without ${missing}, naming it`, async () => {
          const r = await gql(REGISTER, { i: contract({ documents: required.filter((d) => d !== missing) }) }, officer);
          expect(errorCode(r)).to.equal('BAD_USER_INPUT');
          expect(r.errors![0].message).to.contain(missing);
          expect(r.errors![0].extensions!.missingDocuments).to.deep.equal([missing]);
        });
      }
    }

    it('requires the notarised registry extract from a non-commercial legal entity only', async () => {
      const r = await gql(REGISTER, { i: legalEntity({ nonCommercial: true }) }, officer);
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].message).to.contain('NOTARISED_REGISTRY_EXTRACT');
      const c = await registerContract(
        officer,
        legalEntity({ nonCommercial: true, documents: [...LEGAL_DOCS, 'NOTARISED_REGISTRY_EXTRACT'] }),
      );
      expect(c.nonCommercial).to.equal(true);
      expect(c.documents).to.include('NOTARISED_REGISTRY_EXTRACT');
    });

    it('requires the GÖÖEN copy from a natural person without a VÖEN, not from one with a VÖEN', async () => {
      const noVoen = naturalPerson({ voen: null, gooen: 'G123456789' });
      const r = await gql(REGISTER, { i: noVoen }, officer);
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].extensions!.missingDocuments).to.deep.equal(['GOOEN_COPY']);
      const c = await registerContract(officer, { ...noVoen, documents: [...PERSON_DOCS, 'GOOEN_COPY'] });
      expect(c.participant).to.deep.include({
        kind: 'NATURAL_PERSON',
        fin: '5ABCD12',
        gooen: 'G123456789',
        voen: null,
      });
      const withVoen = await registerContract(
        officer,
        naturalPerson({ contractNumber: 'GK-2', fin: '6ABCD12', voen: '2000000003' }),
      );
      expect(withVoen.documents).to.deep.equal(PERSON_DOCS);
    });
  });

  describe('participant identities', () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['a legal entity without a VÖEN', legalEntity({ voen: null }), /VÖEN/],
      ['a legal entity with a FIN', legalEntity({ fin: '5ABCD12' }), /VÖEN only/],
      ['a malformed VÖEN', legalEntity({ voen: '12345' }), /10 digits/],
      ['a natural person without a FIN', naturalPerson({ fin: null }), /FIN/],
      ['a natural person with neither VÖEN nor GÖÖEN', naturalPerson({ voen: null, gooen: null }), /GÖÖEN/],
      ['a non-commercial natural person', naturalPerson({ nonCommercial: true }), /legal entities only/],
      ['a signing date in the future', legalEntity({ signedDate: '2025-03-11' }), /future/],
      ['an empty name', legalEntity({ name: '  ' }), /name/],
      ['a contract number with odd characters', legalEntity({ contractNumber: 'GK;DROP' }), /contractNumber/],
    ];
    for (const [what, input, message] of bad) {
      it(`rejects ${what} with BAD_USER_INPUT`, async () => {
        const r = await gql(REGISTER, { i: input }, officer);
        expect(errorCode(r)).to.equal('BAD_USER_INPUT');
        expect(r.errors![0].message).to.match(message);
      });
    }

    it('creates a participant that no declaration knows yet', async () => {
      const c = await registerContract(officer, legalEntity({ voen: '1000000077', name: 'New MMC' }));
      const rows = await testDb().ds.query(`SELECT id::text AS id, name, kind FROM participants`);
      expect(rows).to.deep.equal([{ id: c.participant.id, name: 'New MMC', kind: 'LEGAL_ENTITY' }]);
    });

    it('merges a natural person known by VÖEN from declarations, adding the FIN', async () => {
      const [p] = await testDb().ds.query(
        `INSERT INTO participants (kind, name, voen, created_at) VALUES ('NATURAL_PERSON', 'Ali M.', '2000000002', now()) RETURNING id::text AS id`,
      );
      const c = await registerContract(officer, naturalPerson());
      expect(c.participant).to.deep.equal({
        id: p.id,
        kind: 'NATURAL_PERSON',
        name: 'Ali M.',
        voen: '2000000002',
        fin: '5ABCD12',
        gooen: null,
      });
      const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM participants');
      expect(n).to.equal(1);
    });

    it('refuses identifiers that belong to two different participants', async () => {
      await testDb().ds.query(
        `INSERT INTO participants (kind, name, voen, created_at) VALUES ('NATURAL_PERSON', 'X', '2000000002', now())`,
      );
      await testDb().ds.query(
        `INSERT INTO participants (kind, name, fin, created_at) VALUES ('NATURAL_PERSON', 'Y', '5ABCD12', now())`,
      );
      const r = await gql(REGISTER, { i: naturalPerson() }, officer);
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].message).to.match(/different participants/);
      const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM contracts');
      expect(n).to.equal(0);
    });

    it('refuses a VÖEN known with another FIN, or as another kind of participant', async () => {
      await testDb().ds.query(
        `INSERT INTO participants (kind, name, voen, fin, created_at) VALUES ('NATURAL_PERSON', 'X', '2000000002', '9ZZZZ99', now())`,
      );
      const r = await gql(REGISTER, { i: naturalPerson() }, officer);
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].message).to.match(/has FIN 9ZZZZ99/);
      await insertParticipant('1000000001');
      const k = await gql(REGISTER, { i: naturalPerson({ voen: '1000000001', fin: '7ABCD12' }) }, officer);
      expect(errorCode(k)).to.equal('BAD_USER_INPUT');
      expect(k.errors![0].message).to.match(/LEGAL_ENTITY/);
    });

    it('refuses a contract number registered before (compared without case and punctuation)', async () => {
      await registerContract(officer, legalEntity());
      const r = await gql(
        REGISTER,
        { i: legalEntity({ contractNumber: 'gk 2025-0042', voen: '1000000002' }) },
        officer,
      );
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].message).to.match(/already registered/);
    });

    it('refuses a second open contract for one participant, allows a new one after termination', async () => {
      const c = await registerContract(officer, legalEntity());
      const r = await gql(REGISTER, { i: legalEntity({ contractNumber: 'GK-2025/0043' }) }, officer);
      expect(errorCode(r)).to.equal('BAD_USER_INPUT');
      expect(r.errors![0].message).to.match(/already has contract GK-2025\/0042/);
      await gql(TERMINATE, { id: c.id, r: 'replaced by a new contract' }, officer);
      const again = await registerContract(officer, legalEntity({ contractNumber: 'GK-2025/0043' }));
      expect(again.participant.id).to.equal(c.participant.id);
    });
  });

  describe('due dates and the overdue list', () => {
    it('gives the due date as signing date plus one month, clamped to the month end', async () => {
      const c = await registerContract(officer, legalEntity({ signedDate: '2025-01-31' }));
      expect(c.credentialsDueDate).to.equal('2025-02-28');
      expect(c.credentialsOverdue).to.equal(true);
    });

    it('lists overdue contracts, and one stops being overdue when its credentials are issued', async () => {
      const { clock } = await testServer();
      const late = await registerContract(officer, legalEntity({ signedDate: '2025-02-09', contractNumber: 'L-1' }));
      const due = await registerContract(
        officer,
        legalEntity({ signedDate: '2025-02-10', contractNumber: 'D-1', voen: '1000000002' }),
      );
      expect([late.credentialsDueDate, late.credentialsOverdue]).to.deep.equal(['2025-03-09', true]);
      // Due today (2025-03-10 in Baku) is not overdue yet.
      expect([due.credentialsDueDate, due.credentialsOverdue]).to.deep.equal(['2025-03-10', false]);
      const overdue = async () =>
        (await gql(CONTRACTS, { overdue: true }, officer)).data.contracts.edges.map((e: any) => e.node.contractNumber);
      expect(await overdue()).to.deep.equal(['L-1']);
      // 20:00 UTC is already 2025-03-11 in Baku.
      clock.set(new Date('2025-03-10T20:00:00Z'));
      try {
        officer = await loginToken('officer.one', OFFICER_PASSWORD); // the morning session has idled out
        expect(await overdue()).to.deep.equal(['D-1', 'L-1']);
        await issueCredentials(officer, late.id);
        expect(await overdue()).to.deep.equal(['D-1']);
        const notOverdue = await gql(CONTRACTS, { overdue: false }, officer);
        expect(
          notOverdue.data.contracts.edges.map((e: any) => [e.node.contractNumber, e.node.credentialsOverdue]),
        ).to.deep.equal([['L-1', false]]);
      } finally {
        clock.set(PINNED_NOW);
      }
    });

    it('filters by status and pages through contracts without gaps', async () => {
      const ids: string[] = [];
      for (let i = 1; i <= 5; i += 1) {
        ids.push(
          (await registerContract(officer, legalEntity({ contractNumber: `P-${i}`, voen: `100000001${i}` }))).id,
        );
      }
      await gql(SUSPEND, { id: ids[1], r: 'documents under review' }, officer);
      const seen = await walkPages(CONTRACTS, 'contracts', 2, officer, (n) => n.contractNumber);
      expect(seen).to.deep.equal(['P-5', 'P-4', 'P-3', 'P-2', 'P-1']);
      const suspended = await gql(CONTRACTS, { status: 'SUSPENDED' }, officer);
      expect(suspended.data.contracts.edges.map((e: any) => e.node.contractNumber)).to.deep.equal(['P-2']);
      expect(errorCode(await gql(CONTRACTS, { first: 101 }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(CONTRACTS, { after: 'bm90LWEtY3Vyc29y' }, officer))).to.equal('BAD_USER_INPUT');
    });
  });

  describe('credentials and contract status', () => {
    let contract: any;
    beforeEach(async () => {
      await clearThrottle();
      contract = await registerContract(officer, legalEntity());
    });

    async function traderSession(): Promise<{ token: string; username: string; password: string }> {
      const trader = await traderCredentials(officer, contract.id, 'trader passphrase 1');
      return {
        token: await loginToken(trader.username, trader.password),
        username: trader.username,
        password: trader.password,
      };
    }

    it('re-issuing invalidates the old password and the sessions opened with it', async () => {
      const s = await traderSession();
      const again = await issueCredentials(officer, contract.id);
      expect(again.username).to.equal(s.username);
      expect(again.contract.credentialsIssuedAt).to.equal(PINNED_NOW.toISOString());
      expect(errorCode(await gql('{ me { role } }', {}, s.token))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await login(s.username, s.password))).to.equal('UNAUTHENTICATED');
      const fresh = await login(s.username, again.password);
      expect(fresh.data.login.viewer.mustChangePassword).to.equal(true);
    });

    it('never shows a password again: contracts and the database hold no password', async () => {
      const issued = await issueCredentials(officer, contract.id);
      const list = await gql(CONTRACTS, {}, officer);
      expect(JSON.stringify(list)).not.to.contain(issued.password);
      const [a] = await testDb().ds.query(`SELECT password_hash FROM user_accounts WHERE username = $1`, [
        issued.username,
      ]);
      expect(argon2Params(a.password_hash)).to.equal('argon2id v=19 m=19456 t=2 p=1');
      expect(a.password_hash).not.to.contain(issued.password);
      expect(JSON.stringify(list)).not.to.contain(a.password_hash);
    });

    it('suspending revokes live sessions and refuses logins until resumed', async () => {
      const s = await traderSession();
      const sus = await gql(SUSPEND, { id: contract.id, r: 'unpaid? no — documents expired' }, officer);
      expect(sus.data.suspendContract).to.include({
        status: 'SUSPENDED',
        statusReason: 'unpaid? no — documents expired',
      });
      expect(errorCode(await gql('{ me { role } }', {}, s.token))).to.equal('UNAUTHENTICATED');
      const refused = await login(s.username, s.password);
      expect(errorCode(refused)).to.equal('FORBIDDEN');
      expect(refused.errors![0].message).to.match(/suspended/);
      expect(errorCode(await gql(ISSUE, { id: contract.id }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(SUSPEND, { id: contract.id, r: 'again' }, officer))).to.equal('BAD_USER_INPUT');
      const res = await gql(RESUME, { id: contract.id, r: 'documents renewed' }, officer);
      expect(res.data.resumeContract.status).to.equal('ACTIVE');
      expect((await login(s.username, s.password)).data.login.viewer.role).to.equal('TRADER');
    });

    it('terminating revokes live sessions, disables the account and is final', async () => {
      const s = await traderSession();
      const t = await gql(TERMINATE, { id: contract.id, r: 'the participant asked to end the contract' }, officer);
      expect(t.data.terminateContract.status).to.equal('TERMINATED');
      expect(errorCode(await gql('{ me { role } }', {}, s.token))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await login(s.username, s.password))).to.equal('FORBIDDEN');
      expect(errorCode(await gql(RESUME, { id: contract.id, r: 'undo' }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(TERMINATE, { id: contract.id, r: 'again' }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(ISSUE, { id: contract.id }, officer))).to.equal('BAD_USER_INPUT');
    });

    it('refuses a status change without a reason, and unknown or malformed ids', async () => {
      expect(errorCode(await gql(SUSPEND, { id: contract.id, r: '   ' }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(SUSPEND, { id: '999999', r: 'x' }, officer))).to.equal('NOT_FOUND');
      expect(errorCode(await gql(ISSUE, { id: '999999' }, officer))).to.equal('NOT_FOUND');
      expect(errorCode(await gql(ISSUE, { id: 'abc' }, officer))).to.equal('BAD_USER_INPUT');
    });
  });
});
