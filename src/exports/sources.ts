/**
 * What an export reads: the statement, its columns and how a database row becomes cells. The
 * statistics statement is tradeStatistics' own (buildStatisticsQuery, rollups chosen the same way),
 * so the file and the GraphQL answer cannot drift apart; the declarations statement lists the items
 * tradeStatistics aggregates (itemConditions), one row per item.
 *
 * Rows are read through a server-side cursor (DECLARE … CURSOR / FETCH) inside the request
 * transaction (request role, tenant set, statement timeout per FETCH), a batch at a time: memory
 * stays constant whatever the trader's size.
 */
import type { Sql } from '../db/tenant';
import { BadUserInputError } from '../shared/errors';
import { DIMENSIONS, type TradeDimension } from '../statistics/dimensions';
import { MEASURES } from '../statistics/measures';
import { buildStatisticsQuery, MAX_STATISTICS_ROWS, useRollupsFor } from '../statistics/statistics.service';
import { itemConditions, Params, type TradeFilter } from '../statistics/trade-filter';
import type { CellValue, Column } from './cells';
import type { ExportLang } from './params';

/** Rows fetched from the cursor at a time. */
export const FETCH_BATCH = 2000;

export interface CountryNames {
  readonly az: string;
  readonly en: string;
  readonly ru: string;
}

/** An export's statement, its columns, and its rows as cells. */
export interface ExportSource {
  readonly columns: readonly Column[];
  readonly text: string;
  readonly values: unknown[];
  /** null: the row is not part of the file (the statistics totals row). */
  toCells(row: Record<string, unknown>): CellValue[] | null;
}

const text = (name: string): Column => ({ name, kind: 'text' });
const num = (name: string): Column => ({ name, kind: 'number' });

/** The measures of tradeStatistics, in its field order. */
export const MEASURE_COLUMNS: readonly Column[] = MEASURES.map((m) => (m.numeric ? num(m.field) : text(m.field)));

const MEASURE_SQL = MEASURES.map((m) => m.column);

/** The key columns one dimension gives (COUNTRY: its code and its name in the chosen language). */
function keyColumns(d: TradeDimension): Column[] {
  switch (d) {
    case 'YEAR':
    case 'QUARTER':
    case 'MONTH':
      return [num(DIMENSIONS[d].key)];
    case 'COUNTRY':
      return [text('countryCode'), text('countryName')];
    default:
      return [text(DIMENSIONS[d].key)];
  }
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v).trim());
const direction = (v: unknown): string | null => (v === 'IM' ? 'IMPORT' : v === 'EX' ? 'EXPORT' : str(v));

/**
 * tradeStatistics as a file: every group (at most MAX_STATISTICS_ROWS, its `first` limit; more is
 * refused before anything is sent), in the same order, with every measure. The statement is
 * wrapped to count its rows (`count(*) OVER ()`), so the first FETCH says whether the cap holds.
 */
export async function statisticsSource(
  sql: Sql,
  participantId: string,
  filter: TradeFilter,
  groupBy: TradeDimension[],
  lang: ExportLang,
  countries: ReadonlyMap<string, CountryNames>,
): Promise<ExportSource> {
  const rollups = await useRollupsFor(sql, participantId, filter, groupBy);
  const q = buildStatisticsQuery(participantId, filter, groupBy, MAX_STATISTICS_ROWS, { rollups });
  const order = groupBy.map((_, n) => `s.d${n} NULLS LAST`);
  const wrapped = `SELECT s.*, count(*) OVER ()::int AS export_rows FROM (${q.text}) s
    ORDER BY ${['s.is_total DESC', ...order].join(', ')}`;
  const columns = [...groupBy.flatMap(keyColumns), ...MEASURE_COLUMNS];
  return {
    columns,
    text: wrapped,
    values: q.values,
    toCells(row) {
      if (Number(row.is_total) === 1 && groupBy.length > 0) return null;
      // Without dimensions the one row is the totals (tradeStatistics: one row when any item matched).
      if (groupBy.length === 0 && Number(row.item_count) === 0) return null;
      const cells: CellValue[] = [];
      groupBy.forEach((d, n) => {
        const v = row[`d${n}`];
        if (d === 'DIRECTION') cells.push(direction(v));
        else if (d === 'YEAR' || d === 'QUARTER' || d === 'MONTH') cells.push(v === null ? null : Number(v));
        else if (d === 'COUNTRY') {
          const code = str(v);
          cells.push(code, code === null ? null : (countries.get(code)?.[lang] ?? null));
        } else cells.push(str(v));
      });
      for (const m of MEASURE_SQL) {
        const v = row[m];
        cells.push(v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));
      }
      // The supplementary quantity exists only at HS10 level (tradeStatistics: null in the totals).
      if (groupBy.length === 0) cells.splice(cells.length - 2, 2, null, null);
      return cells;
    },
  };
}

/** Checks the statistics row count the first FETCH reported (totals row included). */
export function checkStatisticsRows(firstRow: Record<string, unknown> | undefined): void {
  const rows = Number(firstRow?.export_rows ?? 0);
  const groups = rows - 1;
  if (groups > MAX_STATISTICS_ROWS) {
    throw new BadUserInputError(
      `the export would hold more than ${MAX_STATISTICS_ROWS} groups (the limit of tradeStatistics): narrow the filter or group by fewer dimensions`,
      'groupBy',
    );
  }
}

export const DECLARATION_COLUMNS: readonly Column[] = [
  text('declarationNumber'),
  text('registrationDate'),
  text('direction'),
  text('customsPostCode'),
  text('procedureCode'),
  text('declarantName'),
  num('itemNumber'),
  text('hsCode'),
  text('description'),
  text('originCountryCode'),
  text('partnerCountryCode'),
  text('partnerCountryName'),
  text('transportMode'),
  num('netWeightKg'),
  num('grossWeightKg'),
  num('supplementaryQuantity'),
  text('supplementaryUnit'),
  num('customsValueAzn'),
  num('statisticalValueUsd'),
];

/**
 * One row per item of the viewer's declarations that matches the filter (the items tradeStatistics
 * sums), in declaration and item order: the primary key's order, so the cursor streams from the
 * index without a sort.
 */
export function declarationsSource(
  participantId: string,
  filter: TradeFilter,
  lang: ExportLang,
  countries: ReadonlyMap<string, CountryNames>,
): ExportSource {
  const p = new Params();
  const where = itemConditions(participantId, filter, p, 'i').join(' AND ');
  const sqlText = `SELECT d.number, to_char(i.registration_date, 'YYYY-MM-DD') AS registration_date, i.direction,
         i.customs_post_code, i.procedure_code, d.declarant_name, i.item_number, i.hs_code, i.description,
         i.origin_country, i.partner_country, i.transport_mode, i.net_weight_kg, i.gross_weight_kg,
         i.supplementary_quantity, i.supplementary_unit, i.customs_value_azn, i.statistical_value_usd
    FROM declaration_items i
    JOIN declarations d ON d.participant_id = i.participant_id AND d.id = i.declaration_id
   WHERE ${where} AND d.participant_id = ${p.add(participantId)}
   ORDER BY i.participant_id, i.declaration_id, i.item_number`;
  const dec = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    columns: DECLARATION_COLUMNS,
    text: sqlText,
    values: p.values,
    toCells(r) {
      const partner = str(r.partner_country);
      return [
        str(r.number),
        str(r.registration_date),
        direction(r.direction),
        str(r.customs_post_code),
        str(r.procedure_code),
        r.declarant_name === null ? null : String(r.declarant_name),
        Number(r.item_number),
        str(r.hs_code),
        r.description === null ? null : String(r.description),
        str(r.origin_country),
        partner,
        partner === null ? null : (countries.get(partner)?.[lang] ?? null),
        str(r.transport_mode),
        dec(r.net_weight_kg),
        dec(r.gross_weight_kg),
        dec(r.supplementary_quantity),
        r.supplementary_unit === null ? null : String(r.supplementary_unit),
        dec(r.customs_value_azn),
        dec(r.statistical_value_usd),
      ];
    },
  };
}

/** Reference country names (a few hundred rows) for the name columns. */
export async function loadCountries(sql: Sql): Promise<Map<string, CountryNames>> {
  const rows = await sql.query<{ code: string; az: string; en: string; ru: string }>(
    `SELECT code, name_az AS az, name_en AS en, name_ru AS ru FROM countries`,
  );
  return new Map(rows.map((r) => [r.code.trim(), { az: r.az, en: r.en, ru: r.ru }]));
}

/** The cursor over an export's statement, fetched a batch at a time (closed by the transaction's end). */
export async function* cursorRows(
  sql: Sql,
  source: Pick<ExportSource, 'text' | 'values'>,
  batch = FETCH_BATCH,
): AsyncGenerator<Record<string, unknown>[]> {
  await sql.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${source.text}`, source.values);
  for (;;) {
    const rows = await sql.query<Record<string, unknown>>(`FETCH FORWARD ${Math.floor(batch)} FROM export_cursor`);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
  }
}
