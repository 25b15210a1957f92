import countries from 'i18n-iso-countries';
import type { DataSource } from 'typeorm';
import { CUSTOMS_POSTS, CUSTOMS_PROCEDURES, HS_CHAPTERS, HS_HEADINGS, TRANSPORT_MODES } from './data';

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

/** Inserts or updates every reference row (idempotent; runs at every start after migrations). */
export async function syncReferenceData(ds: DataSource): Promise<void> {
  await ds.transaction(async (m) => {
    const upsert = async (table: string, cols: string[], rows: ReadonlyArray<ReadonlyArray<string>>) => {
      if (rows.length === 0) return;
      const params: string[] = [];
      const tuples = rows.map(
        (r) =>
          `(${r
            .map((v) => {
              params.push(v);
              return `$${params.length}`;
            })
            .join(',')})`,
      );
      const updates = cols
        .slice(1)
        .map((c) => `${c} = EXCLUDED.${c}`)
        .join(', ');
      await m.query(
        `INSERT INTO ${table} (${cols.join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (${cols[0]}) DO UPDATE SET ${updates}`,
        params,
      );
    };
    await upsert('countries', ['code', 'alpha3', 'name_az', 'name_en', 'name_ru'], countryRows());
    await upsert('hs_chapters', ['code', 'name_en'], HS_CHAPTERS);
    await upsert(
      'hs_headings',
      ['code', 'chapter_code', 'name_en'],
      HS_HEADINGS.map(([c, n]) => [c, c.slice(0, 2), n]),
    );
    await upsert('customs_posts', ['code', 'name_az', 'name_en'], CUSTOMS_POSTS);
    await upsert('customs_procedures', ['code', 'name_en'], CUSTOMS_PROCEDURES);
    await upsert('transport_modes', ['code', 'name_en'], TRANSPORT_MODES);
  });
}
