/** The exports' pure parts: cells (numbers vs guarded text), the URL contract, the statistics row cap. */
import { expect } from 'chai';
import { csvCell, xlsxCell } from '../../src/exports/cells';
import { parseExportParams } from '../../src/exports/params';
import { checkStatisticsRows } from '../../src/exports/sources';
import { MAX_STATISTICS_ROWS } from '../../src/statistics/statistics.service';

describe('exports: cells', () => {
  it('writes plain decimals in number columns as they are, negative ones included', () => {
    expect(csvCell('number', '1600.24')).to.equal('1600.24');
    expect(csvCell('number', '-12.50')).to.equal('-12.50');
    expect(csvCell('number', 2023)).to.equal('2023');
    expect(csvCell('number', null)).to.equal('');
  });

  it('guards anything in a number column that is not a plain decimal', () => {
    expect(csvCell('number', '-1+1')).to.equal(`"'-1+1"`);
    expect(csvCell('number', '=1')).to.equal(`"'=1"`);
    expect(csvCell('number', '1e5')).to.equal('1e5');
    expect(csvCell('number', '+5')).to.equal(`"'+5"`);
  });

  it('guards text that begins with = + - @ tab or CR, even when it looks like a number', () => {
    for (const v of ['=SUM(A1)', '+1', '-12.5', '@x', '\tx', '\rx']) {
      expect(csvCell('text', v)).to.equal(`"'${v}"`);
      expect(xlsxCell('text', v)).to.equal(`'${v}`);
    }
    expect(csvCell('text', 'a,"b"')).to.equal('"a,""b"""');
    expect(csvCell('text', 'plain')).to.equal('plain');
  });

  it('XLSX: a number cell only when Excel keeps the decimal exactly (≤ 15 significant digits), else exact text', () => {
    expect(xlsxCell('number', '1600.24')).to.equal(1600.24);
    expect(xlsxCell('number', '-12.50')).to.equal(-12.5);
    expect(xlsxCell('number', '0.000')).to.equal(0);
    expect(xlsxCell('number', '999999999999999')).to.equal(999999999999999);
    expect(xlsxCell('number', '1234567890123456')).to.equal('1234567890123456');
    expect(xlsxCell('number', '123456789012345.678')).to.equal('123456789012345.678');
    expect(xlsxCell('number', '-1+1')).to.equal(`'-1+1`);
  });
});

describe('exports: the URL contract', () => {
  it('reads every filter key with the GraphQL value syntax, groupBy, lang and bom', () => {
    const p = parseExportParams(
      'statistics',
      'groupBy=HS2,YEAR&direction=EXPORT&from=2024-01-01&to=2024-12-31&hsCodePrefix=84&countryCode=TR&customsPostCode=10100&procedureCode=40&transportMode=3&lang=RU&bom=1',
    );
    expect(p.groupBy).to.deep.equal(['HS2', 'YEAR']);
    expect(p.filter).to.deep.equal({
      direction: 'EX',
      from: '2024-01-01',
      to: '2024-12-31',
      hsCodePrefix: '84',
      countryCode: 'TR',
      customsPostCode: '10100',
      procedureCode: '40',
      transportMode: '3',
    });
    expect([p.lang, p.bom]).to.deep.equal(['ru', true]);
    expect(Object.keys(p.canonical)).to.deep.equal([...Object.keys(p.canonical)].sort());
  });

  it('an empty groupBy is no dimension (one totals row), a missing one an error', () => {
    expect(parseExportParams('statistics', 'groupBy=').groupBy).to.deep.equal([]);
    expect(() => parseExportParams('statistics', '')).to.throw(/groupBy is required/);
    expect(parseExportParams('declarations', '').groupBy).to.deep.equal([]);
  });

  it('refuses an overlong query string', () => {
    expect(() => parseExportParams('declarations', `customsPostCode=${'1'.repeat(3000)}`)).to.throw(/too long/);
  });
});

describe('exports: the statistics row cap', () => {
  it(`refuses more than ${MAX_STATISTICS_ROWS} groups (the totals row does not count)`, () => {
    expect(() => checkStatisticsRows({ export_rows: MAX_STATISTICS_ROWS + 1 })).not.to.throw();
    expect(() => checkStatisticsRows({ export_rows: MAX_STATISTICS_ROWS + 2 })).to.throw(/more than 10000 groups/);
    expect(() => checkStatisticsRows(undefined)).not.to.throw();
  });
});
