/**
 * The declaration CSV format (docs/import-format.md): one row per goods item.
 * The generator writes the columns in this order; the importer accepts them in any order.
 */
export const DECLARATION_COLUMNS = [
  'declaration_number',
  'item_number',
  'registration_date',
  'direction',
  'declarant_voen',
  'declarant_fin',
  'declarant_gooen',
  'declarant_name',
  'customs_post_code',
  'procedure_code',
  'hs_code',
  'description',
  'origin_country',
  'partner_country',
  'transport_mode',
  'net_weight_kg',
  'gross_weight_kg',
  'supplementary_quantity',
  'supplementary_unit',
  'invoice_value',
  'invoice_currency',
  'customs_value_azn',
  'statistical_value_usd',
] as const;

export type DeclarationColumn = (typeof DECLARATION_COLUMNS)[number];

/** The header line (no trailing newline). */
export const DECLARATION_CSV_HEADER = DECLARATION_COLUMNS.join(',');

/** Index of each column in DECLARATION_COLUMNS (the generator's order). */
export const COL = Object.fromEntries(DECLARATION_COLUMNS.map((c, i) => [c, i])) as Record<DeclarationColumn, number>;

/**
 * RFC 4180 quoting without the formula guard (src/shared/csv-cell.ts): the generator writes import
 * data, which must reach the importer unchanged. The rejects file, which people open in a
 * spreadsheet, uses reportCsvLine instead.
 */
export { csvField, csvLine } from '../shared/csv-cell';
