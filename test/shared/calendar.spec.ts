import { expect } from 'chai';
import { DateScalar } from '../../src/graphql/scalars';
import { isCalendarDate, MAX_DOCUMENT_YEAR } from '../../src/shared/calendar';

/**
 * The one isCalendarDate (src/shared/calendar.ts). There used to be two: the GraphQL scalar's
 * accepted any year from 1900 on (9999-12-31 included, an open end clients use); the importer's
 * stopped at 2999. Both rules stay, as the one function's upper-year parameter.
 */
describe('isCalendarDate', () => {
  it('accepts real dates from 1900-01-01 to 9999-12-31', () => {
    for (const d of ['1900-01-01', '2024-03-15', '2025-12-31', '2999-12-31', '3000-01-01', '9999-12-31'])
      expect(isCalendarDate(d), d).to.equal(true);
  });

  it('rejects years before 1900, and after the upper year the caller names', () => {
    for (const d of ['1899-12-31', '0001-01-01']) expect(isCalendarDate(d), d).to.equal(false);
    expect(isCalendarDate('2999-12-31', MAX_DOCUMENT_YEAR)).to.equal(true);
    for (const d of ['3000-01-01', '9999-12-31']) expect(isCalendarDate(d, MAX_DOCUMENT_YEAR), d).to.equal(false);
  });

  it('knows the Gregorian leap days', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    expect(isCalendarDate('2000-02-29')).to.equal(true); // divisible by 400
    expect(isCalendarDate('1900-02-29')).to.equal(false); // divisible by 100, not by 400
    expect(isCalendarDate('2100-02-29')).to.equal(false);
    expect(isCalendarDate('2023-02-29')).to.equal(false);
  });

  it('rejects days and months that do not exist', () => {
    for (const d of ['2023-02-30', '2023-04-31', '2023-00-10', '2023-13-01', '2023-01-00', '2023-01-32'])
      expect(isCalendarDate(d), d).to.equal(false);
  });

  it('rejects other shapes', () => {
    for (const d of ['2023-1-01', '20230101', '2023-01-01T00:00:00Z', ' 2023-01-01', '２０２３-01-01', ''])
      expect(isCalendarDate(d), d).to.equal(false);
  });

  it('is the rule of the GraphQL Date scalar too', () => {
    expect(DateScalar.parseValue('9999-12-31')).to.equal('9999-12-31');
    expect(() => DateScalar.parseValue('1899-12-31')).to.throw(/calendar date/);
    expect(() => DateScalar.parseValue('2023-02-29')).to.throw(/calendar date/);
  });
});
