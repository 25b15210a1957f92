/**
 * Every paged field refuses a cursor it did not write with BAD_USER_INPUT naming `after`: overflowing
 * ids, impossible dates, other lists' prefixes, text that is not base64url. None may reach the
 * database (where they used to fail as INTERNAL_SERVER_ERROR).
 */
import { expect } from 'chai';
import { cursorCodec } from '../../src/shared/cursor';
import { BadUserInputError } from '../../src/shared/errors';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { gql, officerToken, traderToken } from '../support/server';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Forged forms that apply to every list, given the list's own prefix and a well-formed key text. */
function commonForms(prefix: string, key: string): Record<string, string> {
  return {
    'an id over the bigint range': b64(`${prefix}${key.replace(/[0-9]+$/, '9999999999999999999')}`),
    'an id of 20 digits': b64(`${prefix}${key.replace(/[0-9]+$/, '12345678901234567890')}`),
    'a negative id': b64(`${prefix}${key.replace(/[0-9]+$/, '-1')}`),
    'another prefix': b64(`z9|${key}`),
    'no prefix': b64(key),
    'a trailing field': b64(`${prefix}${key}|1`),
    'not base64url': '%%%not a cursor%%%',
    'a valid cursor with stray characters': `${b64(`${prefix}${key}`)}!!`,
    'a padded cursor': `${b64(`${prefix}${key}`)}=`,
    'an over-long cursor': b64(`${prefix}${key}`) + 'A'.repeat(300),
    'an empty key': b64(prefix),
    'an id of letters': b64(`${prefix}${key.replace(/[0-9]+$/, 'abc')}`),
  };
}

interface PagedField {
  name: string;
  query: string;
  officer: boolean;
  forms: Record<string, string>;
}

const FIELDS: PagedField[] = [
  {
    name: 'declarations',
    query: 'query($a: String) { declarations(first: 5, after: $a) { edges { cursor } } }',
    officer: false,
    forms: {
      ...commonForms('v1|', '2025-12-31|1'),
      'the issue example (v1|2025-12-31|9999999999999999999)': b64('v1|2025-12-31|9999999999999999999'),
      'an impossible date (2025-02-30)': b64('v1|2025-02-30|1'),
      'a month 13': b64('v1|2025-13-01|1'),
      'year zero': b64('v1|0000-01-01|1'),
    },
  },
  {
    name: 'myComplaints',
    query: 'query($a: String) { myComplaints(first: 5, after: $a) { edges { cursor } } }',
    officer: false,
    forms: {
      ...commonForms('c1|', '2025-12-31T10:00:00.000Z|1'),
      'an impossible date (2025-02-30)': b64('c1|2025-02-30T10:00:00.000Z|1'),
      'hour 25': b64('c1|2025-03-01T25:00:00.000Z|1'),
      'year zero': b64('c1|0000-01-01T00:00:00.000Z|1'),
      'a date without time': b64('c1|2025-03-01|1'),
    },
  },
  {
    name: 'complaints',
    query: 'query($a: String) { complaints(first: 5, after: $a) { edges { cursor } } }',
    officer: true,
    forms: {
      ...commonForms('c1|', '2025-12-31T10:00:00.000Z|1'),
      'an impossible date (2025-02-30)': b64('c1|2025-02-30T10:00:00.000Z|1'),
      'year zero': b64('c1|0000-01-01T00:00:00.000Z|1'),
    },
  },
  {
    name: 'myQueryHistory',
    query: 'query($a: String) { myQueryHistory(first: 5, after: $a) { edges { cursor } } }',
    officer: false,
    forms: { ...commonForms('a1|', '1'), 'a declarations cursor': b64('v1|2025-12-31|1') },
  },
  {
    name: 'auditLog',
    query: 'query($a: String) { auditLog(first: 5, after: $a) { edges { cursor } } }',
    officer: true,
    forms: { ...commonForms('a1|', '1'), 'a declarations cursor': b64('v1|2025-12-31|1') },
  },
  {
    name: 'contracts',
    query: 'query($a: String) { contracts(first: 5, after: $a) { edges { cursor } } }',
    officer: true,
    forms: { ...commonForms('contract:', '1'), 'an audit cursor': b64('a1|1') },
  },
];

describe('forged cursors on every paged field', () => {
  let trader: string;
  let officer: string;

  before(async () => {
    await resetData();
    trader = await traderToken(await insertParticipant('1000000001', 'Alpha MMC'));
    officer = await officerToken();
  });

  for (const f of FIELDS) {
    describe(f.name, () => {
      it('accepts no cursor and its own cursors (the control)', async () => {
        const r = await gql(f.query, { a: null }, f.officer ? officer : trader);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      });

      for (const [form, cursor] of Object.entries(f.forms)) {
        it(`refuses ${form} with BAD_USER_INPUT naming after`, async () => {
          const r = await gql(f.query, { a: cursor }, f.officer ? officer : trader);
          expect(r.data?.[f.name] ?? null).to.equal(null);
          expect(r.errors, JSON.stringify(r.errors)).to.have.length(1);
          expect(r.errors![0].extensions?.code, JSON.stringify(r.errors)).to.equal('BAD_USER_INPUT');
          expect(r.errors![0].message).to.match(/^after: /);
          expect(r.errors![0].extensions?.field).to.equal('after');
        });
      }
    });
  }
});

describe('cursor codec (unit)', () => {
  const codec = cursorCodec('t1|', { day: 'date', at: 'timestamp', id: 'id' });
  const key = { day: '2024-02-29', at: new Date('2025-03-10T08:00:00.123Z'), id: '9223372036854775807' };

  it('round-trips a key, the largest bigint and a leap day included', () => {
    expect(codec.decode(codec.encode(key))).to.deep.equal(key);
  });

  it('names the argument it decodes', () => {
    const bad = b64('t1|2023-02-29|2025-03-10T08:00:00.123Z|1');
    expect(() => codec.decode(bad, 'before'))
      .to.throw(BadUserInputError, /^before: not a cursor returned by this API$/)
      .with.property('field', 'before');
  });
});
