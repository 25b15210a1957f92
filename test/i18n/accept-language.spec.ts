/**
 * Choosing the language (src/shared/lang.ts) and reading the HS files (src/db/reference/hs.ts): pure
 * functions, no database.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { HS_DATA_DIR, parseHsNomenclature } from '../../src/db/reference/hs';
import { inLanguage, parseAcceptLanguage } from '../../src/shared/lang';

describe('Accept-Language', () => {
  const pick = (h: string | undefined) => parseAcceptLanguage(h);

  it('is Azerbaijani when absent or empty', () => {
    for (const h of [undefined, '', '   ', ',']) expect(pick(h), JSON.stringify(h)).to.deep.equal({ language: 'AZ' });
  });

  it('takes the primary subtag of region and script tags, in any case', () => {
    expect(pick('ru-RU').language).to.equal('RU');
    expect(pick('en-GB').language).to.equal('EN');
    expect(pick('az-Latn-AZ').language).to.equal('AZ');
    expect(pick('EN-us').language).to.equal('EN');
    expect(pick('ru-RU')).to.deep.equal({ language: 'RU' });
  });

  it('takes the highest q-value among our languages, the first listed on a tie', () => {
    expect(pick('en;q=0.5, ru;q=0.9, az;q=0.1').language).to.equal('RU');
    expect(pick('az;q=0.3,en;q=0.7').language).to.equal('EN');
    expect(pick('ru, en').language).to.equal('RU');
    expect(pick('en;q=0.8, ru;q=0.8').language).to.equal('EN');
    // A browser's usual header: German first, then English, then Russian.
    expect(pick('de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7,ru;q=0.6').language).to.equal('EN');
    expect(pick('en;q=1.000, ru;q=0.999').language).to.equal('EN');
    expect(pick('fr;q=1, en;q=0.5').language).to.equal('EN'); // a language we lack outweighs nothing
  });

  it('treats q=0 as "not this one"', () => {
    expect(pick('ru;q=0, en;q=0.1').language).to.equal('EN');
    expect(pick('en;q=0.000')).to.deep.equal({ language: 'AZ' });
  });

  it('gives Azerbaijani for languages it does not have, and for `*`', () => {
    expect(pick('de, fr;q=0.5')).to.deep.equal({ language: 'AZ' });
    expect(pick('tr')).to.deep.equal({ language: 'AZ' });
    // `*` is what Node's fetch sends when the caller sets nothing: no choice made.
    expect(pick('*')).to.deep.equal({ language: 'AZ' });
    expect(pick('ru;q=0.5, *')).to.deep.equal({ language: 'AZ' });
    expect(pick('de, *;q=0.1, ru;q=0.5').language).to.equal('RU');
  });

  it('skips garbage: malformed ranges and weights do not count, the rest of the header does', () => {
    expect(pick('ru;q=2, en').language).to.equal('EN'); // q above 1
    expect(pick('ru;q=abc, en;q=0.1').language).to.equal('EN');
    expect(pick('ru;q=0.12345, en;q=0.1').language).to.equal('EN'); // more than three decimals
    expect(pick('ru;q=-1')).to.deep.equal({ language: 'AZ' });
    expect(pick('r u, e$n, 12, en_US')).to.deep.equal({ language: 'AZ' });
    expect(pick('english, russian')).to.deep.equal({ language: 'AZ' }); // subtags of 1–8 letters, not names
    expect(pick(';;;,,,;q=1')).to.deep.equal({ language: 'AZ' });
    expect(pick('ru;level=1').language).to.equal('RU'); // an unknown parameter is ignored, not fatal
    expect(pick('\u0000ru, en').language).to.equal('EN');
  });

  it('reads at most 32 ranges of an oversized header', () => {
    const filler = Array.from({ length: 40 }, () => 'de').join(',');
    expect(pick(`${filler},ru`)).to.deep.equal({ language: 'AZ' });
    expect(pick(`${filler.slice(0, 3 * 31)}ru`).language).to.equal('RU');
  });
});

describe('texts in a language with an English fallback', () => {
  it('gives the requested text when there is one, else the English one and says so', () => {
    expect(inLanguage({ AZ: 'Atlar', EN: 'Horses', RU: null }, 'AZ')).to.deep.equal({ text: 'Atlar', language: 'AZ' });
    expect(inLanguage({ AZ: 'Atlar', EN: 'Horses', RU: null }, 'RU')).to.deep.equal({ text: 'Horses', language: 'EN' });
    expect(inLanguage({ AZ: '', EN: 'Horses', RU: null }, 'AZ')).to.deep.equal({ text: 'Horses', language: 'EN' });
    expect(inLanguage({ EN: 'Horses' }, 'EN')).to.deep.equal({ text: 'Horses', language: 'EN' });
  });
});

describe('the HS files in data/hs', () => {
  const read = (f: string) =>
    parse(fs.readFileSync(path.join(HS_DATA_DIR, f)), { bom: true, skip_empty_lines: true }) as string[][];
  const hs = () => read('harmonized-system.csv');
  const sections = () => read('sections.csv');

  it('hold 21 sections, 97 chapters, 1,229 headings and 5,613 subheadings; the TOTAL row is skipped', () => {
    const n = parseHsNomenclature();
    expect([n.sections.length, n.chapters.length, n.headings.length, n.subheadings.length]).to.deep.equal([
      21, 97, 1229, 5613,
    ]);
    expect([...n.chapters, ...n.headings, ...n.subheadings].some((r) => r[0] === 'TOTAL')).to.equal(false);
    expect(n.chapters.find((c) => c[0] === '01')).to.deep.equal(['01', 'I', 'Animals; live']);
    expect(n.chapters.find((c) => c[0] === '99')).to.deep.equal([
      '99',
      null,
      'Commodities not specified according to kind',
    ]);
    expect(n.chapters.some((c) => c[0] === '77')).to.equal(false); // reserved in HS 2022
    expect(n.subheadings.find((s) => s[0] === '010121')).to.deep.equal([
      '010121',
      '0101',
      'Horses; live, pure-bred breeding animals',
    ]);
  });

  it('are refused, naming the line, when a row is wrong', () => {
    const broken = (edit: (rows: string[][]) => void) => {
      const rows = hs();
      edit(rows);
      return () => parseHsNomenclature(rows, sections());
    };
    expect(broken((r) => (r[3][1] = '01012'))).to.throw(/line 4: code "01012" is not 2, 4 or 6 digits/);
    expect(broken((r) => (r[3][4] = '4'))).to.throw(/line 4: level 4 for code 010121/);
    expect(broken((r) => (r[3][3] = '0102'))).to.throw(/line 4: parent 0102 of 010121/);
    expect(broken((r) => (r[2][0] = 'XXII'))).to.throw(/line 3: unknown section "XXII"/);
    expect(broken((r) => (r[2][2] = ' '))).to.throw(/line 3: empty description/);
    expect(broken((r) => r.push([...r[3]]))).to.throw(/code 010121 repeated/);
    expect(broken((r) => (r[0][1] = 'code'))).to.throw(/line 1: header/);
    expect(broken((r) => r[5].pop())).to.throw(/line 6: 4 fields, not 5/);
    // A heading listed before its chapter: its parent is not known yet.
    expect(broken((r) => r.splice(1, 0, r.splice(2, 1)[0]))).to.throw(/line 2: parent 01 of 0101/);
    const badSection = sections();
    badSection[3] = ['3', 'x'];
    expect(() => parseHsNomenclature(hs(), badSection)).to.throw(/sections.csv line 4/);
  });
});
