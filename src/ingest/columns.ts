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

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE_ALL = /"/g;

/** One CSV field per RFC 4180: quoted only when it holds a comma, quote or line break. */
export function csvField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(QUOTE_ALL, '""')}"` : v;
}

/** One CSV record with a trailing CRLF-free newline. */
export function csvLine(fields: ReadonlyArray<string>): string {
  let s = csvField(fields[0]);
  for (let i = 1; i < fields.length; i++) s += ',' + csvField(fields[i]);
  return s + '\n';
}
