import { expect } from 'chai';
import { RequestDb, traderScope } from '../../src/db/tenant';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { errorCode, gql, openSession, testServer, traderToken, walkPages, type GqlResult } from '../support/server';
import {
  ANSWER,
  clearRateLimits,
  complaintCount,
  complaintInput,
  FILE,
  LIST,
  MINE,
  officerToken,
  PAPER,
  plusDays,
  START,
} from './helpers';

const T0 = new Date('2025-03-10T08:00:00.000Z'); // 12:00 in Baku

const decl = (number: string) => ({
  number,
  date: '2024-05-06',
  direction: 'IM' as const,
  items: [{ hs: '8471300000', country: 'CN', net: '1.000', gross: '1.000', azn: '1.00', usd: '1.00' }],
});

function ok<T = any>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
  return r.data as T;
}

function rejected(r: GqlResult, field: string): string {
  expect(errorCode(r), JSON.stringify(r.errors)).to.equal('BAD_USER_INPUT');
  expect(r.errors![0].extensions!.field, r.errors![0].message).to.equal(field);
  expect(r.data ?? null).to.equal(null);
  return r.errors![0].message;
}

describe('complaints', () => {
  let a: string;
  let b: string;
  let tokenA: string;
  let tokenB: string;
  let officer: string;
  let reviewDays: number;
  let savedClock: Date;

  const setClock = async (t: Date) => (await testServer()).clock.set(t);

  before(async () => {
    const { clock, services } = await testServer();
    savedClock = clock.now();
    reviewDays = services.config.complaints.reviewDays;
    await resetData();
    clock.set(T0);
    a = await insertParticipant('2000000001', 'Alpha MMC');
    b = await insertParticipant('2000000002', 'Beta MMC');
    await insertDeclarations(a, [decl('A-1')]);
    await insertDeclarations(b, [decl('B-1')]);
  });

  beforeEach(async () => {
    await setClock(T0);
    await clearRateLimits();
    await testDb().ds.query('TRUNCATE complaints RESTART IDENTITY');
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
    officer = await officerToken();
  });

  after(async () => {
    (await testServer()).clock.set(savedClock);
  });

  describe('fileComplaint', () => {
    it('accepts an anonymous complaint as RECEIVED, due the filing date plus the review term', async () => {
      const c = ok(await gql(FILE, { input: complaintInput({ email: 'anar@example.az' }) })).fileComplaint;
      expect(c).to.deep.include({
        channel: 'ELECTRONIC',
        status: 'RECEIVED',
        name: 'Anar',
        patronymic: 'Rəşid oğlu',
        surname: 'Məmmədov',
        address: 'Bakı ş., Nizami küç. 10',
        postalAddress: null,
        workplace: null,
        email: 'anar@example.az',
        declarationNumber: null,
        auditRecordId: null,
        participant: null,
        filedAt: T0.toISOString(),
        dueDate: plusDays('2025-03-10', reviewDays),
        overdue: false,
        reviewStartedAt: null,
        answer: null,
        answeredAt: null,
        recordedBy: null,
      });
      expect(reviewDays).to.equal(30); // the default term (no COMPLAINT_REVIEW_DAYS in the test environment)
      expect(c.dueDate).to.equal('2025-04-09');
      const [row] = await testDb().ds.query(
        'SELECT participant_id, channel, body, filed_at FROM complaints WHERE id = $1',
        [c.id],
      );
      expect(row).to.deep.equal({
        participant_id: null,
        channel: 'ELECTRONIC',
        body: complaintInput().text,
        filed_at: T0,
      });
    });

    it("dates the filing in the authority's time zone (21:30 UTC is already the next day in Baku)", async function () {
      if ((await testServer()).services.config.timeZone !== 'Asia/Baku') this.skip();
      await setClock(new Date('2025-03-10T21:30:00.000Z'));
      const c = ok(await gql(FILE, { input: complaintInput() })).fileComplaint;
      expect(c.dueDate).to.equal(plusDays('2025-03-11', reviewDays));
    });

    it('accepts a workplace or a postal address alone in place of an address', async () => {
      const w = ok(
        await gql(FILE, { input: complaintInput({ address: null, workplace: 'AzərStat MMC' }) }),
      ).fileComplaint;
      expect([w.address, w.workplace]).to.deep.equal([null, 'AzərStat MMC']);
      const p = ok(
        await gql(FILE, { input: complaintInput({ address: '  ', postalAddress: 'AZ1000, a/q 15' }) }),
      ).fileComplaint;
      expect([p.address, p.postalAddress]).to.deep.equal([null, 'AZ1000, a/q 15']);
    });

    it('trims values, keeps letters of any script and composes decomposed ones (NFC)', async () => {
      const c = ok(
        await gql(FILE, {
          input: complaintInput({
            name: '  Gülşən ',
            patronymic: "O'Neil-Əli",
            surname: 'S\u0327ükürova',
            workplace: ' Ministry ',
            text: '  Line one.\nLine two.\tTabbed.  ',
          }),
        }),
      ).fileComplaint;
      expect(c).to.include({
        name: 'Gülşən',
        patronymic: "O'Neil-Əli",
        surname: 'Şükürova',
        workplace: 'Ministry',
        text: 'Line one.\nLine two.\tTabbed.',
      });
      const cyr = ok(
        await gql(FILE, { input: complaintInput({ name: 'Анна Мария', patronymic: 'Ивановна', surname: 'Иванова' }) }),
      );
      expect(cyr.fileComplaint.name).to.equal('Анна Мария');
    });

    it('accepts the longest allowed values (100-letter names, 300-character addresses, 5000-character text)', async () => {
      const c = ok(
        await gql(FILE, {
          input: complaintInput({
            name: 'ə'.repeat(100),
            address: 'x'.repeat(300),
            postalAddress: 'y'.repeat(300),
            workplace: 'z'.repeat(300),
            text: 'ş'.repeat(5000),
          }),
        }),
      ).fileComplaint;
      expect([...c.name]).to.have.length(100);
      expect([...c.text]).to.have.length(5000);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['an empty name', { name: '' }, 'input.name'],
      ['a blank name', { name: '   ' }, 'input.name'],
      ['a name with digits', { name: 'Anar2' }, 'input.name'],
      ['a name with other punctuation', { name: 'Anar<b>' }, 'input.name'],
      ['a name starting with a hyphen', { name: '-Anar' }, 'input.name'],
      ['a 101-letter name', { name: 'a'.repeat(101) }, 'input.name'],
      ['an empty patronymic', { patronymic: '' }, 'input.patronymic'],
      ['a patronymic with digits', { patronymic: 'R2' }, 'input.patronymic'],
      ['an empty surname', { surname: ' ' }, 'input.surname'],
      ['a surname with an @', { surname: 'Məmməd@v' }, 'input.surname'],
      [
        'none of address, postal address, workplace',
        { address: null, postalAddress: '', workplace: '  ' },
        'input.address',
      ],
      ['a 301-character address', { address: 'a'.repeat(301) }, 'input.address'],
      ['a 301-character postal address', { postalAddress: 'a'.repeat(301) }, 'input.postalAddress'],
      ['a 301-character workplace', { workplace: 'a'.repeat(301) }, 'input.workplace'],
      ['an e-mail without @', { email: 'anar.example.az' }, 'input.email'],
      ['an e-mail without a domain dot', { email: 'anar@localhost' }, 'input.email'],
      ['an e-mail with a space', { email: 'an ar@example.az' }, 'input.email'],
      ['an empty text', { text: '' }, 'input.text'],
      ['a blank text', { text: ' \n\t ' }, 'input.text'],
      ['a 5001-character text', { text: 'a'.repeat(5001) }, 'input.text'],
      ['a control character in the name', { name: 'An\u0007ar' }, 'input.name'],
      ['a line break in the surname', { surname: 'Məm\nmədov' }, 'input.surname'],
      ['a NUL in the address', { address: 'Bakı\u0000' }, 'input.address'],
      ['a control character in the workplace', { workplace: 'Office\u001b[31m' }, 'input.workplace'],
      ['a control character in the e-mail', { email: 'a@b.az\u0008' }, 'input.email'],
      ['an escape sequence in the text', { text: 'hello \u001b[2J world' }, 'input.text'],
      ['a bidirectional override in the text', { text: 'refund \u202Eevil' }, 'input.text'],
      ['a lone surrogate in the text', { text: 'broken \uD800 text' }, 'input.text'],
      ['a declaration reference without a login', { declarationNumber: 'A-1' }, 'input.declarationNumber'],
      ['an audit record reference without a login', { auditRecordId: '1' }, 'input.auditRecordId'],
    ];
    for (const [what, extra, field] of bad) {
      it(`rejects ${what} with BAD_USER_INPUT naming ${field}`, async () => {
        rejected(await gql(FILE, { input: complaintInput(extra) }), field);
        expect(await complaintCount()).to.equal(0);
      });
    }

    it('rejects a missing required field in a direct service call, naming it', async () => {
      // Over HTTP, GraphQL's own variable coercion refuses a missing non-null field before the resolver runs.
      const { services } = await testServer();
      const { name: _omit, ...rest } = complaintInput();
      let err: any;
      await services.complaints.file(rest as any, { participantId: null, clientIp: '192.0.2.1' }).catch((e) => {
        err = e;
      });
      expect(err?.code).to.equal('BAD_USER_INPUT');
      expect(err?.details).to.deep.equal({ field: 'input.name' });
      expect(await complaintCount()).to.equal(0);
    });

    it("records a logged-in trader's participant and accepts a reference to their own declaration", async () => {
      const c = ok(await gql(FILE, { input: complaintInput({ declarationNumber: ' A-1 ' }) }, tokenA)).fileComplaint;
      expect(c).to.deep.include({ declarationNumber: 'A-1', participant: { id: a }, channel: 'ELECTRONIC' });
      const [row] = await testDb().ds.query('SELECT participant_id::text AS p FROM complaints WHERE id = $1', [c.id]);
      expect(row.p).to.equal(a);
    });

    it("refuses a reference to another trader's declaration exactly as a non-existent one", async () => {
      const other = rejected(
        await gql(FILE, { input: complaintInput({ declarationNumber: 'B-1' }) }, tokenA),
        'input.declarationNumber',
      );
      const none = rejected(
        await gql(FILE, { input: complaintInput({ declarationNumber: 'Z-404' }) }, tokenA),
        'input.declarationNumber',
      );
      expect(other).to.equal(none);
      expect(await complaintCount()).to.equal(0);
      // B may reference it.
      ok(await gql(FILE, { input: complaintInput({ declarationNumber: 'B-1' }) }, tokenB));
    });

    it('refuses a non-numeric audit record id', async () => {
      rejected(await gql(FILE, { input: complaintInput({ auditRecordId: '12abc' }) }, tokenA), 'input.auditRecordId');
    });

    it("accepts a reference to the trader's own audit record and refuses another's exactly as a non-existent one", async function () {
      const { ds } = testDb();
      const [{ present }] = await ds.query(`SELECT to_regclass('audit_records') IS NOT NULL AS present`);
      if (!present) this.skip(); // without the audit table the reference is kept unchecked
      // Every request is accounted: one request each gives A and B an audit record of their own.
      ok(await gql('{ me { role } }', {}, tokenA));
      ok(await gql('{ me { role } }', {}, tokenB));
      const latest = async (p: string): Promise<string | undefined> =>
        (
          await ds.query(
            'SELECT id::text AS id FROM audit_records WHERE participant_id = $1 ORDER BY seq DESC LIMIT 1',
            [p],
          )
        )[0]?.id;
      const [ofA, ofB] = [await latest(a), await latest(b)];
      if (ofA === undefined || ofB === undefined) this.skip(); // requests are not being accounted in this build
      const [{ max }] = await ds.query('SELECT coalesce(max(id), 0) + 1000 AS max FROM audit_records');
      const own = ok(await gql(FILE, { input: complaintInput({ auditRecordId: ofA }) }, tokenA)).fileComplaint;
      expect(own).to.include({ auditRecordId: ofA });
      const other = rejected(
        await gql(FILE, { input: complaintInput({ auditRecordId: ofB }) }, tokenA),
        'input.auditRecordId',
      );
      const none = rejected(
        await gql(FILE, { input: complaintInput({ auditRecordId: String(max) }) }, tokenA),
        'input.auditRecordId',
      );
      expect(other).to.equal(none);
      expect(await complaintCount()).to.equal(1);
    });

    it('does not let an officer reference a declaration (only traders may, their own)', async () => {
      rejected(
        await gql(FILE, { input: complaintInput({ declarationNumber: 'A-1' }) }, officer),
        'input.declarationNumber',
      );
    });
  });

  describe('recordPaperComplaint', () => {
    it('records a PAPER complaint with the officer who typed it in and the same due date rule', async () => {
      const c = ok(
        await gql(PAPER, { input: complaintInput({ address: null, postalAddress: 'AZ1000' }) }, officer),
      ).recordPaperComplaint;
      expect(c).to.deep.include({
        channel: 'PAPER',
        status: 'RECEIVED',
        recordedBy: 'officer1',
        participant: null,
        postalAddress: 'AZ1000',
        filedAt: T0.toISOString(),
        dueDate: plusDays('2025-03-10', reviewDays),
      });
    });

    it('validates a paper complaint like an electronic one', async () => {
      rejected(await gql(PAPER, { input: complaintInput({ surname: '' }) }, officer), 'input.surname');
      rejected(
        await gql(PAPER, { input: complaintInput({ declarationNumber: 'A-1' }) }, officer),
        'input.declarationNumber',
      );
      expect(await complaintCount()).to.equal(0);
    });
  });

  describe('review and answer', () => {
    const file = async () => ok(await gql(FILE, { input: complaintInput() })).fileComplaint.id as string;

    it('moves RECEIVED → IN_REVIEW → ANSWERED, recording who and when', async () => {
      const id = await file();
      await setClock(new Date('2025-03-11T09:00:00.000Z'));
      const token = await officerToken('officer2');
      const s = ok(await gql(START, { id }, token)).startComplaintReview;
      expect(s).to.include({
        status: 'IN_REVIEW',
        reviewStartedAt: '2025-03-11T09:00:00.000Z',
        reviewStartedBy: 'officer2',
      });
      await setClock(new Date('2025-03-12T10:00:00.000Z'));
      const ans = ok(
        await gql(ANSWER, { id, answer: '  The page is fixed.  ' }, await officerToken('officer2')),
      ).answerComplaint;
      expect(ans).to.include({
        status: 'ANSWERED',
        answer: 'The page is fixed.',
        answeredAt: '2025-03-12T10:00:00.000Z',
        answeredBy: 'officer2',
        reviewStartedBy: 'officer2',
        overdue: false,
      });
    });

    it('answers a RECEIVED complaint directly', async () => {
      const id = await file();
      const ans = ok(await gql(ANSWER, { id, answer: 'Done.' }, officer)).answerComplaint;
      expect(ans).to.include({ status: 'ANSWERED', reviewStartedAt: null, answer: 'Done.' });
    });

    it('refuses to answer an ANSWERED complaint and keeps the first answer', async () => {
      const id = await file();
      ok(await gql(ANSWER, { id, answer: 'First.' }, officer));
      const msg = rejected(await gql(ANSWER, { id, answer: 'Second.' }, officer), 'id');
      expect(msg).to.match(/ANSWERED/);
      const [row] = await testDb().ds.query('SELECT answer FROM complaints WHERE id = $1', [id]);
      expect(row.answer).to.equal('First.');
    });

    it('refuses to start the review of a complaint already IN_REVIEW or ANSWERED', async () => {
      const id = await file();
      ok(await gql(START, { id }, officer));
      expect(rejected(await gql(START, { id }, officer), 'id')).to.match(/IN_REVIEW/);
      ok(await gql(ANSWER, { id, answer: 'Done.' }, officer));
      expect(rejected(await gql(START, { id }, officer), 'id')).to.match(/ANSWERED/);
      const [row] = await testDb().ds.query('SELECT status FROM complaints WHERE id = $1', [id]);
      expect(row.status).to.equal('ANSWERED');
    });

    it('refuses an unknown or malformed id and an empty or control-laden answer', async () => {
      const id = await file();
      rejected(await gql(START, { id: '999999' }, officer), 'id');
      rejected(await gql(ANSWER, { id: '999999', answer: 'x' }, officer), 'id');
      rejected(await gql(START, { id: '1 OR 1=1' }, officer), 'id');
      rejected(await gql(ANSWER, { id, answer: '   ' }, officer), 'answer');
      rejected(await gql(ANSWER, { id, answer: 'a'.repeat(5001) }, officer), 'answer');
      rejected(await gql(ANSWER, { id, answer: 'ok\u0007' }, officer), 'answer');
      const [row] = await testDb().ds.query('SELECT status FROM complaints WHERE id = $1', [id]);
      expect(row.status).to.equal('RECEIVED');
    });

    it('lets only one of two concurrent answers win', async () => {
      const id = await file();
      const results = await Promise.all([1, 2, 3].map((n) => gql(ANSWER, { id, answer: `Answer ${n}` }, officer)));
      expect(results.filter((r) => !r.errors)).to.have.length(1);
      expect(results.filter((r) => errorCode(r) === 'BAD_USER_INPUT')).to.have.length(2);
    });
  });

  describe('listing', () => {
    it('lists every complaint to officers, newest first, in pages without gaps or duplicates', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 5; n += 1) {
        await setClock(new Date(T0.getTime() + n * 60_000));
        ids.push(
          ok(await gql(FILE, { input: complaintInput({ text: `complaint ${n}` }) }, n % 2 ? tokenA : undefined))
            .fileComplaint.id,
        );
      }
      ids.push(ok(await gql(PAPER, { input: complaintInput() }, officer)).recordPaperComplaint.id);
      const seen = await walkPages(LIST, 'complaints', 2, officer, (n) => n.id);
      // The paper one was filed at the same instant as the last electronic one, and later (higher id).
      expect(seen).to.deep.equal([...ids].reverse());
      const page = ok(await gql(LIST, {}, officer)).complaints;
      expect(page.edges.find((e: any) => e.node.channel === 'PAPER').node.recordedBy).to.equal('officer1');
      expect(page.edges.filter((e: any) => e.node.participant?.id === a)).to.have.length(2);
    });

    it('filters by status', async () => {
      const [x, y, z] = await Promise.all(
        [1, 2, 3].map(
          async (n) => ok(await gql(FILE, { input: complaintInput({ text: `t${n}` }) })).fileComplaint.id as string,
        ),
      );
      ok(await gql(START, { id: y }, officer));
      ok(await gql(ANSWER, { id: z, answer: 'Done.' }, officer));
      const by = async (status: string) =>
        ok(await gql(LIST, { status }, officer)).complaints.edges.map((e: any) => e.node.id);
      expect(await by('RECEIVED')).to.deep.equal([x]);
      expect(await by('IN_REVIEW')).to.deep.equal([y]);
      expect(await by('ANSWERED')).to.deep.equal([z]);
    });

    it('lists as overdue the unanswered complaints whose due date has passed, from the day after it', async () => {
      const open = ok(await gql(FILE, { input: complaintInput({ text: 'open' }) })).fileComplaint.id;
      const reviewing = ok(await gql(FILE, { input: complaintInput({ text: 'reviewing' }) })).fileComplaint.id;
      const answered = ok(await gql(FILE, { input: complaintInput({ text: 'answered' }) })).fileComplaint.id;
      ok(await gql(START, { id: reviewing }, officer));
      ok(await gql(ANSWER, { id: answered, answer: 'Done.' }, officer));
      await setClock(new Date('2025-03-20T08:00:00.000Z'));
      const later = ok(await gql(FILE, { input: complaintInput({ text: 'later' }) })).fileComplaint.id;

      const overdue = async () => {
        const token = await officerToken(); // sessions expire as the clock moves
        const r = ok(await gql(LIST, { overdue: true }, token)).complaints.edges.map((e: any) => e.node);
        return r
          .map((n: any) => {
            expect(n.overdue).to.equal(true);
            return n.id;
          })
          .sort();
      };
      const due = plusDays('2025-03-10', reviewDays);
      // The last hour of the due date in Baku (UTC+4): not yet overdue.
      await setClock(new Date(`${due}T19:59:00.000Z`));
      expect(await overdue()).to.deep.equal([]);
      // Just past midnight in Baku on the day after the due date.
      await setClock(new Date(`${due}T20:01:00.000Z`));
      expect(await overdue()).to.deep.equal([open, reviewing].sort());
      const token = await officerToken();
      const notOverdue = ok(await gql(LIST, { overdue: false }, token))
        .complaints.edges.map((e: any) => e.node.id)
        .sort();
      expect(notOverdue).to.deep.equal([answered, later].sort());
      const receivedOverdue = ok(await gql(LIST, { overdue: true, status: 'RECEIVED' }, token)).complaints.edges;
      expect(receivedOverdue.map((e: any) => e.node.id)).to.deep.equal([open]);
      // Answering takes it off the list.
      ok(await gql(ANSWER, { id: open, answer: 'Late, but done.' }, token));
      expect(await overdue()).to.deep.equal([reviewing]);
    });

    it('rejects a foreign cursor and an out-of-range first', async () => {
      for (const after of ['garbage', Buffer.from('c1|2025-01-01T00:00:00.000Z|1 OR 1=1').toString('base64url')]) {
        rejected(await gql(LIST, { after }, officer), 'after');
      }
      rejected(await gql(LIST, { first: 501 }, officer), 'first');
      rejected(await gql(LIST, { first: -1 }, officer), 'first');
    });
  });

  describe('myComplaints', () => {
    it("shows a trader only their own participant's complaints, without officer names", async () => {
      const a1 = ok(await gql(FILE, { input: complaintInput({ text: 'a1' }) }, tokenA)).fileComplaint.id;
      await setClock(new Date(T0.getTime() + 1000));
      const a2 = ok(
        await gql(FILE, { input: complaintInput({ text: 'a2', declarationNumber: 'A-1' }) }, await traderToken(a)),
      ).fileComplaint.id;
      const b1 = ok(await gql(FILE, { input: complaintInput({ text: 'b1' }) }, tokenB)).fileComplaint.id;
      ok(await gql(FILE, { input: complaintInput({ text: 'anonymous' }) }));
      ok(await gql(PAPER, { input: complaintInput({ text: 'paper' }) }, officer));
      const off = await officerToken();
      ok(await gql(START, { id: a1 }, off));
      ok(await gql(ANSWER, { id: a1, answer: 'Answered for A.' }, off));

      const mineA = ok(await gql(MINE, {}, await traderToken(a))).myComplaints.edges.map((e: any) => e.node);
      expect(mineA.map((n: any) => n.id)).to.deep.equal([a2, a1]);
      expect(mineA.every((n: any) => n.participant.id === a)).to.equal(true);
      expect(mineA[1]).to.include({
        status: 'ANSWERED',
        answer: 'Answered for A.',
        answeredBy: null,
        reviewStartedBy: null,
      });
      const mineB = ok(await gql(MINE, {}, await traderToken(b))).myComplaints.edges.map((e: any) => e.node.id);
      expect(mineB).to.deep.equal([b1]);
      const answeredB = ok(await gql(MINE, { status: 'ANSWERED' }, await traderToken(b))).myComplaints.edges;
      expect(answeredB).to.deep.equal([]);
    });

    it("keeps other participants' rows away from a trader even without the participant filter (RLS)", async () => {
      ok(await gql(FILE, { input: complaintInput({ text: 'a' }) }, tokenA));
      ok(await gql(FILE, { input: complaintInput({ text: 'b' }) }, tokenB));
      ok(await gql(FILE, { input: complaintInput({ text: 'anonymous' }) }));
      const { ds, config } = testDb();
      const rdb = new RequestDb(ds, config.db.appRole);
      const seen = await rdb.run(traderScope(a), (sql) =>
        sql.query<{ body: string }>('SELECT body FROM complaints ORDER BY id'),
      );
      expect(seen.map((r) => r.body)).to.deep.equal(['a']);
      // Nor may a trader's transaction file in someone else's name, or change a complaint.
      let err: unknown;
      await rdb
        .run(traderScope(a), (sql) =>
          sql.query(
            `INSERT INTO complaints (channel, name, patronymic, surname, address, body, participant_id, filed_at, due_date)
         VALUES ('ELECTRONIC', 'X', 'Y', 'Z', 'addr', 'forged', $1, now(), current_date)`,
            [b],
          ),
        )
        .catch((e) => {
          err = e;
        });
      expect(String(err)).to.match(/row-level security/);
      const updated = await rdb.run(traderScope(a), (sql) =>
        sql.query(`UPDATE complaints SET status = 'IN_REVIEW' WHERE true RETURNING id`),
      );
      expect(updated).to.deep.equal([]);
    });
  });

  describe('access', () => {
    const officerOps: [string, string, () => Record<string, unknown>][] = [
      ['complaints', LIST, () => ({})],
      ['recordPaperComplaint', PAPER, () => ({ input: complaintInput() })],
      ['startComplaintReview', START, () => ({ id: '1' })],
      ['answerComplaint', ANSWER, () => ({ id: '1', answer: 'x' })],
    ];
    for (const [name, query, vars] of officerOps) {
      it(`refuses ${name} to a trader (FORBIDDEN) and without a session (UNAUTHENTICATED)`, async () => {
        ok(await gql(FILE, { input: complaintInput() }));
        expect(errorCode(await gql(query, vars(), tokenA))).to.equal('FORBIDDEN');
        expect(errorCode(await gql(query, vars()))).to.equal('UNAUTHENTICATED');
        const [row] = await testDb().ds.query('SELECT count(*)::int AS n, min(status) AS s FROM complaints');
        expect(row).to.deep.equal({ n: 1, s: 'RECEIVED' });
      });
    }

    it('refuses myComplaints without a session (UNAUTHENTICATED) and to an officer (FORBIDDEN)', async () => {
      expect(errorCode(await gql(MINE, {}))).to.equal('UNAUTHENTICATED');
      expect(errorCode(await gql(MINE, {}, officer))).to.equal('FORBIDDEN');
    });

    it('refuses fileComplaint with a one-time-password session until the password is changed', async () => {
      const s = await openSession({ role: 'TRADER', participantId: a, mustChangePassword: true });
      expect(errorCode(await gql(FILE, { input: complaintInput() }, s.token))).to.equal('PASSWORD_CHANGE_REQUIRED');
      expect(await complaintCount()).to.equal(0);
    });
  });
});
