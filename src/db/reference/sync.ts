import countries from 'i18n-iso-countries';
import type { DataSource } from 'typeorm';
import { CUSTOMS_POSTS, CUSTOMS_PROCEDURES, TRANSPORT_MODES } from './data';
import { hsNomenclature } from './hs';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- one JSON locale file per language
for (const lang of ['az', 'en', 'ru']) countries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`));

/** ISO 3166-1 countries with names in Azerbaijani, English and Russian. */
export function countryRows(): [string, string, string, string, string][] {
  return Object.keys(countries.getAlpha2Codes())
    .sort()
    .map((code) => [
      code,
      countries.alpha2ToAlpha3(code) ?? code,
      countries.getName(code, 'az') ?? countries.getName(code, 'en') ?? code,
      countries.getName(code, 'en') ?? code,
      countries.getName(code, 'ru') ?? countries.getName(code, 'en') ?? code,
    ]);
}

/**
 * Inserts or updates every reference row (idempotent; runs at every start after migrations). Rows that
 * already hold the same values are left alone. The HS names in az/ru are not touched: they are not in
 * the shipped data (data/hs/SOURCE.md).
 */
export async function syncReferenceData(ds: DataSource): Promise<void> {
  const hs = hsNomenclature();
  await ds.transaction(async (m) => {
    const upsert = async (table: string, cols: string[], rows: ReadonlyArray<ReadonlyArray<string | null>>) => {
      if (rows.length === 0) return;
      const params: (string | null)[] = [];
      const tuples = rows.map(
        (r) =>
          `(${r
            .map((v) => {
              params.push(v);
              return `$${params.length}`;
            })
            .join(',')})`,
      );
      const rest = cols.slice(1);
      const updates = rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
      const changed = `(${rest.map((c) => `${table}.${c}`).join(',')}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(',')})`;
      await m.query(
        `INSERT INTO ${table} (${cols.join(',')}) VALUES ${tuples.join(',')}
         ON CONFLICT (${cols[0]}) DO UPDATE SET ${updates} WHERE ${changed}`,
        params,
      );
    };
    await upsert('countries', ['code', 'alpha3', 'name_az', 'name_en', 'name_ru'], countryRows());
    await upsert('hs_sections', ['code', 'name_en'], hs.sections);
    await upsert('hs_chapters', ['code', 'section_code', 'name_en'], hs.chapters);
    await upsert('hs_headings', ['code', 'chapter_code', 'name_en'], hs.headings);
    await upsert('hs_subheadings', ['code', 'heading_code', 'name_en'], hs.subheadings);
    await upsert('customs_posts', ['code', 'name_az', 'name_en'], CUSTOMS_POSTS);
    await upsert('customs_procedures', ['code', 'name_en'], CUSTOMS_PROCEDURES);
    await upsert('transport_modes', ['code', 'name_en'], TRANSPORT_MODES);
  });
}
