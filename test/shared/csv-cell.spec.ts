import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { csvLine, reportCsvCell, reportCsvLine } from '../../src/shared/csv-cell';

/** Reads CSV text back with csv-parse (an independent reader). */
function readBack(text: string): string[][] {
  return parse(text, { relax_column_count: true }) as string[][];
}

describe('CSV cells (src/shared/csv-cell.ts)', () => {
  it('prefixes a single quote to cells that begin with = + - @ tab or carriage return, and quotes them', () => {
    const cells = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")'];
    const line = reportCsvLine(cells);
    expect(line).to.match(/^"'=cmd\|' \/C calc'!A0","'\+1\+1","'-2\+3","'@SUM\(A1\)","'\t=1","'\r=1",/);
    expect(readBack(line)).to.deep.equal([cells.map((c) => `'${c}`)]);
  });

  it('treats a negative number like any other cell that begins with -: quoted and marked (OWASP)', () => {
    expect(reportCsvCell('-12.5')).to.equal(`"'-12.5"`);
    expect(readBack(reportCsvLine(['-12.5', '12.5']))).to.deep.equal([["'-12.5", '12.5']]);
  });

  it('leaves other cells as RFC 4180 has them', () => {
    const cells = ['plain', 'a, b', 'say "hi"', 'two\nlines', '', ' =not first', "it's", '1-2'];
    expect(reportCsvLine(cells)).to.equal(csvLine(cells));
    expect(readBack(reportCsvLine(cells))).to.deep.equal([cells]);
  });

  it('plain csvLine (import data, the generator) does not touch formula-like cells', () => {
    expect(csvLine(['=1+1', '-5'])).to.equal('=1+1,-5\n');
  });
});
