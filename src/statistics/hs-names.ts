/**
 * Names of HS codes from the reference nomenclature (hs_chapters, hs_headings, hs_subheadings): the
 * batched look-up behind `hsDescription` (one statement for any number of codes), and which code of the
 * nomenclature describes a code as it appears in statistics and declarations.
 */
import type { Sql } from '../db/tenant';

export interface HsNameRecord {
  code: string;
  nameEn: string;
  /** Null until an authoritative translation is loaded (data/hs/SOURCE.md). */
  nameAz: string | null;
  nameRu: string | null;
}

/**
 * The code of the nomenclature that describes `code`: a chapter, heading or subheading (2, 4, 6 digits)
 * itself; a national code (more than 6 digits) by its 6-digit HS subheading, with `national: true`.
 */
export function describedHsCode(code: string): { code: string; national: boolean } {
  return code.length > 6 ? { code: code.slice(0, 6), national: true } : { code, national: false };
}

/** Every code of `codes` that the nomenclature has, with its names: one statement. */
export async function hsNames(sql: Sql, codes: readonly string[]): Promise<HsNameRecord[]> {
  const valid = [...new Set(codes.filter((c) => /^(\d{2}|\d{4}|\d{6})$/.test(c)))];
  if (valid.length === 0) return [];
  const part = (table: string) =>
    `SELECT code::text AS code, name_en AS "nameEn", name_az AS "nameAz", name_ru AS "nameRu"
       FROM ${table} WHERE code = ANY($1::bpchar[])`;
  return sql.query<HsNameRecord>(
    `${part('hs_chapters')} UNION ALL ${part('hs_headings')} UNION ALL ${part('hs_subheadings')}`,
    [valid],
  );
}
