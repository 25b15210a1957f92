/**
 * The HS 2022 nomenclature shipped in data/hs/ (English only; source and licence in data/hs/SOURCE.md),
 * read and checked once per process. A file that does not hold what SOURCE.md says (a code of the wrong
 * shape, a level that disagrees with it, a parent that is not the code's prefix or not in the file, an
 * unknown section) stops the start-up with the line that is wrong: reference data is never loaded half.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/** data/hs/ from src/db/reference (ts) and from dist/db/reference (the build): three levels up is the checkout. */
export const HS_DATA_DIR = path.resolve(__dirname, '..', '..', '..', 'data', 'hs');

export interface HsNomenclature {
  /** [Roman numeral, English name] */
  sections: [string, string][];
  /** [code (2 digits), section (null for chapter 99, which no section holds), English description] */
  chapters: [string, string | null, string][];
  /** [code (4 digits), chapter code, English description] */
  headings: [string, string, string][];
  /** [code (6 digits), heading code, English description] */
  subheadings: [string, string, string][];
}

function records(file: string): string[][] {
  return parse(fs.readFileSync(path.join(HS_DATA_DIR, file)), { bom: true, skip_empty_lines: true }) as string[][];
}

/** Parses and checks the two files (see the module comment); the arguments only for tests of broken files. */
export function parseHsNomenclature(
  harmonized: string[][] = records('harmonized-system.csv'),
  sectionRows: string[][] = records('sections.csv'),
): HsNomenclature {
  const fail = (file: string, line: number, why: string): never => {
    throw new Error(`data/hs/${file} line ${line}: ${why}`);
  };
  const [sHeader, ...sRows] = sectionRows;
  if (sHeader?.join(',') !== 'section,name') fail('sections.csv', 1, 'header is not section,name');
  const sections: [string, string][] = sRows.map((r, i) => {
    if (r.length !== 2 || !/^[IVX]+$/.test(r[0]) || !r[1].trim()) fail('sections.csv', i + 2, 'not a section row');
    return [r[0], r[1]];
  });
  const sectionSet = new Set(sections.map((s) => s[0]));
  const [hHeader, ...hRows] = harmonized;
  if (hHeader?.join(',') !== 'section,hscode,description,parent,level')
    fail('harmonized-system.csv', 1, 'header is not section,hscode,description,parent,level');
  const out: HsNomenclature = { sections, chapters: [], headings: [], subheadings: [] };
  const seen = new Set<string>();
  hRows.forEach((r, i) => {
    const line = i + 2;
    if (r.length !== 5) fail('harmonized-system.csv', line, `${r.length} fields, not 5`);
    const [section, code, description, parent, level] = r;
    // The data package's grand-total row (level 5): not a commodity.
    if (code === 'TOTAL' && level === '5') return;
    if (!/^(\d{2}|\d{4}|\d{6})$/.test(code))
      fail('harmonized-system.csv', line, `code "${code}" is not 2, 4 or 6 digits`);
    if (String(code.length) !== level) fail('harmonized-system.csv', line, `level ${level} for code ${code}`);
    // Chapter 99 (commodities not specified according to kind, in Comtrade's data) is in no section.
    const noSection = section === 'TOTAL' && code.startsWith('99');
    if (!noSection && !sectionSet.has(section)) fail('harmonized-system.csv', line, `unknown section "${section}"`);
    if (!description.trim()) fail('harmonized-system.csv', line, 'empty description');
    if (seen.has(code)) fail('harmonized-system.csv', line, `code ${code} repeated`);
    if (code.length === 2) {
      if (parent !== 'TOTAL') fail('harmonized-system.csv', line, `chapter ${code} with parent ${parent}`);
      out.chapters.push([code, noSection ? null : section, description]);
    } else {
      if (parent !== code.slice(0, code.length - 2) || !seen.has(parent))
        fail('harmonized-system.csv', line, `parent ${parent} of ${code} is not its prefix listed before it`);
      (code.length === 4 ? out.headings : out.subheadings).push([code, parent, description]);
    }
    seen.add(code);
  });
  return out;
}

let cached: HsNomenclature | undefined;

/** The shipped nomenclature, parsed once per process. */
export function hsNomenclature(): HsNomenclature {
  return (cached ??= parseHsNomenclature());
}
