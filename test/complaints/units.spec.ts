import { expect } from 'chai';
import { validateComplaint } from '../../src/complaints/complaint.validation';
import { addDays, complaintCursor } from '../../src/complaints/complaints.service';
import { localDate } from '../../src/shared/calendar';
import { clientKey, windowStart } from '../../src/complaints/rate-limit';
import { AppError, BadUserInputError } from '../../src/shared/errors';

const base = { name: 'Anar', patronymic: 'Rəşid', surname: 'Məmmədov', address: 'Bakı', text: 'x' };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BadUserInputError);
    return (e as AppError).details?.field as string;
  }
  throw new Error('expected a rejection');
}

describe('complaint validation (unit)', () => {
  it('turns blank optional fields into null and keeps the given ones trimmed', () => {
    expect(
      validateComplaint({
        ...base,
        postalAddress: ' ',
        workplace: null,
        email: ' a.b@mail.az ',
        declarationNumber: '',
      }),
    ).to.deep.equal({
      name: 'Anar',
      patronymic: 'Rəşid',
      surname: 'Məmmədov',
      address: 'Bakı',
      postalAddress: null,
      workplace: null,
      email: 'a.b@mail.az',
      declarationNumber: null,
      auditRecordId: null,
      text: 'x',
    });
  });

  it('accepts the Azerbaijani letters ə ğ ı ö ş ü ç (either case) in names', () => {
    const v = validateComplaint({ ...base, name: 'Əğıöşüç', patronymic: 'ƏĞIÖŞÜÇ İ', surname: "Qız'ı-Ağa" });
    expect([v.name, v.patronymic, v.surname]).to.deep.equal(['Əğıöşüç', 'ƏĞIÖŞÜÇ İ', "Qız'ı-Ağa"]);
  });

  it('counts characters, not UTF-16 units: 100 astral letters are one name', () => {
    const gothic = '\u{10330}'.repeat(100); // GOTHIC LETTER AHSA, a letter outside the BMP
    expect(validateComplaint({ ...base, name: gothic }).name).to.equal(gothic);
    expect(fieldOf(() => validateComplaint({ ...base, name: gothic + '\u{10330}' }))).to.equal('input.name');
  });

  it('checks fields in input order and names the first wrong one', () => {
    expect(fieldOf(() => validateComplaint({ ...base, name: '1', surname: '' }))).to.equal('input.name');
    expect(fieldOf(() => validateComplaint({ ...base, address: null, email: 'bad' }))).to.equal('input.address');
    expect(fieldOf(() => validateComplaint({ ...base, auditRecordId: '0' }))).to.equal('input.auditRecordId');
    expect(fieldOf(() => validateComplaint({ ...base, auditRecordId: '9223372036854775808' }))).to.equal(
      'input.auditRecordId',
    );
  });

  it('rejects a pathological name quickly (no catastrophic backtracking)', () => {
    const started = Date.now();
    expect(fieldOf(() => validateComplaint({ ...base, name: `a${"-'".repeat(40)}1` }))).to.equal('input.name');
    expect(Date.now() - started).to.be.below(250);
  });
});

describe('complaint calendar and cursors (unit)', () => {
  it("dates an instant in the authority's time zone and adds days across months and years", () => {
    expect(localDate(new Date('2025-03-10T19:59:59Z'), 'Asia/Baku')).to.equal('2025-03-10');
    expect(localDate(new Date('2025-03-10T20:00:00Z'), 'Asia/Baku')).to.equal('2025-03-11');
    expect(addDays('2025-12-15', 30)).to.equal('2026-01-14');
    expect(addDays('2024-02-01', 30)).to.equal('2024-03-02');
  });

  it('round-trips a cursor and refuses tampered ones', () => {
    const c = complaintCursor.encode({ filedAt: new Date('2025-03-10T08:00:00.123Z'), id: '42' });
    expect(complaintCursor.decode(c)).to.deep.equal({ filedAt: new Date('2025-03-10T08:00:00.123Z'), id: '42' });
    expect(() => complaintCursor.decode(Buffer.from('c1|2025-03-10|42').toString('base64url'))).to.throw(
      BadUserInputError,
    );
  });
});

describe('complaint rate-limit keys (unit)', () => {
  it('keys IPv4 (also IPv4-mapped) by address and IPv6 by its /64', () => {
    expect(clientKey('203.0.113.7')).to.equal('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).to.equal('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
    expect(clientKey('::1')).to.equal('0:0:0:0::/64');
  });

  it('aligns windows to the window length', () => {
    expect(windowStart(new Date('2025-06-02T10:09:59.999Z'), 10).toISOString()).to.equal('2025-06-02T10:00:00.000Z');
    expect(windowStart(new Date('2025-06-02T10:10:00.000Z'), 10).toISOString()).to.equal('2025-06-02T10:10:00.000Z');
  });
});
