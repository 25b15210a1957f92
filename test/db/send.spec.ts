/**
 * RequestDb.send(): one statement in a request transaction of its own, in one round trip, with its
 * parameters inlined as literals. What must hold: the value that arrives is exactly the value
 * sent (hostile text included, never run as SQL), the tenant setting and the request role apply,
 * and a failure leaves nothing written and a clean connection behind.
 */
import { expect } from 'chai';
import pg from 'pg';
import { poolOf } from '../../src/db/pool';
import { ANONYMOUS, RequestDb, inlineParams, traderScope } from '../../src/db/tenant';
import { resetData, testDb } from '../support/db';
import { roundTrips } from '../support/round-trips';
import { insertOneImport, insertParticipant } from '../support/fixtures';

const HOSTILE = [
  "O'Brien",
  "'); DROP TABLE declarations; --",
  'back\\slash \\x41 and \\',
  "E'\\'' $1 $$ -- not a comment",
  'line\nbreak\ttab\r',
  'Azərbaycan ünvanı, Ğ Ş İ ı ə',
  '$2',
  '',
];

describe('RequestDb.send (one round trip)', () => {
  let db: RequestDb;
  before(() => {
    const { ds, config } = testDb();
    db = new RequestDb(ds, config.db.appRole);
  });
  beforeEach(resetData);

  describe('inlineParams', () => {
    it('replaces each $n by a quoted literal, longest number first', () => {
      const params = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);
      expect(inlineParams('SELECT $1, $11, $10', params)).to.equal("SELECT 'v1', 'v11', 'v10'");
    });

    it('leaves $n inside strings, quoted identifiers and comments alone', () => {
      const text = `SELECT '$1' AS "col$1", $1 -- $1\nFROM t WHERE a = 'it''s $1'`;
      expect(inlineParams(text, ['x'])).to.equal(`SELECT '$1' AS "col$1", 'x' -- $1\nFROM t WHERE a = 'it''s $1'`);
    });

    it('writes NULL, numbers, dates, arrays and buffers as pg would send them', () => {
      const d = new Date('2025-03-04T05:06:07.089Z');
      const out = inlineParams('$1 $2 $3 $4 $5 $6', [null, undefined, 42, d, ['a', "b'c"], Buffer.from([0, 255])]);
      expect(out).to.match(/^NULL NULL '42' '2025-03-04T\d\d:\d\d:07\.089[+-]\d\d:\d\d' '\{"a","b''c"\}' '\\x00ff'$/);
    });

    it('refuses a missing value, an unterminated quote and dollar quoting', () => {
      expect(() => inlineParams('SELECT $2', ['a'])).to.throw(/no value for \$2/);
      expect(() => inlineParams('SELECT $0', ['a'])).to.throw(/no value for \$0/);
      expect(() => inlineParams("SELECT 'abc", [])).to.throw(/unterminated/);
      expect(() => inlineParams('SELECT $$x$$', [])).to.throw(/dollar quoting/);
    });
  });

  it('delivers every value exactly as sent, hostile text included, and runs none of it', async () => {
    for (const v of HOSTILE) {
      const [row] = await db.send<{ v: string; n: number }>(ANONYMOUS, 'SELECT $1::text AS v, length($1)::int AS n', [
        v,
      ]);
      expect(row.v).to.equal(v);
      expect(row.n).to.equal([...v].length);
    }
    const [t] = await testDb().ds.query(`SELECT to_regclass('public.declarations') IS NOT NULL AS ok`);
    expect(t.ok).to.equal(true);
  });

  it('gives the same rows as run() with the same parameters (dates, numbers, bytea, arrays, nulls)', async () => {
    const text = `SELECT $1::timestamptz AS at, $2::numeric AS n, $3::bytea AS b, $4::text[] AS a, $5::int AS z,
                          $6::jsonb AS j`;
    const params = [
      new Date('2024-12-31T23:59:59.999Z'),
      '12345678901234567890.123',
      Buffer.from('ä\0b'),
      ['x', null, 'y"'],
      null,
      { k: "it's" },
    ];
    const viaSend = await db.send(ANONYMOUS, text, params);
    const viaRun = await db.run(ANONYMOUS, (sql) => sql.query(text, params));
    expect(viaSend).to.deep.equal(viaRun);
  });

  it('is one round trip to the server', async () => {
    const { trips } = await roundTrips(() => db.send(ANONYMOUS, 'SELECT $1::int + 1 AS v', [1]));
    expect(trips).to.equal(1);
  });

  it('runs as the request role with the tenant setting: a trader sees their own rows only, no scope sees none', async () => {
    const a = await insertParticipant('1000000001');
    const b = await insertParticipant('1000000002');
    await insertOneImport(a, 'A-1', '2025-01-10', ['0101210000', 'TR', '1', '1', '10', '6']);
    await insertOneImport(b, 'B-1', '2025-01-10', ['0101210000', 'TR', '1', '1', '10', '6']);
    const all = 'SELECT number, current_user::text AS who FROM declarations ORDER BY number';
    const mine = await db.send<{ number: string; who: string }>(traderScope(a), all);
    expect(mine.map((r) => r.number)).to.deep.equal(['A-1']);
    expect(mine[0].who).to.equal(testDb().config.db.appRole);
    expect(await db.send(ANONYMOUS, all)).to.deep.equal([]);
  });

  it('leaves a clean connection behind when the statement fails: no open transaction, no role, no scope', async () => {
    const a = await insertParticipant('1000000003');
    // One connection only, so what runs next surely gets the connection that failed.
    const one = new pg.Pool({ ...poolOf(testDb().ds).options, max: 1 });
    const single = new (class extends RequestDb {
      protected override pool() {
        return one;
      }
    })(testDb().ds, testDb().config.db.appRole);
    try {
      let err: unknown;
      await single
        .send(traderScope(a), 'SELECT 1 / (count(*) - count(*)) FROM declarations')
        .catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/division by zero/);
      const { rows } = await one.query(
        `SELECT current_user::text AS who, coalesce(current_setting('app.participant_id', true), '') AS pid,
                now() = statement_timestamp() AS fresh_tx`,
      );
      expect(rows[0].who).to.not.equal(testDb().config.db.appRole);
      expect(rows[0].pid).to.equal('');
      expect(rows[0].fresh_tx).to.equal(true);
      const [again] = await single.send<{ v: number }>(ANONYMOUS, 'SELECT 2 AS v');
      expect(again.v).to.equal(2);
    } finally {
      await one.end();
    }
  });
});
