/** The measures every statistic returns, as exact decimal strings from PostgreSQL. */
export interface TradeMeasures {
  declarationCount: number;
  itemCount: number;
  customsValueAzn: string;
  statisticalValueUsd: string;
  netWeightKg: string;
  grossWeightKg: string;
  /** Only when grouped by HS10 and every item of the group has a quantity in the same unit. */
  supplementaryQuantity: string | null;
  supplementaryUnit: string | null;
}

/**
 * SQL select-list of the measures over declaration_items (alias i). `withQuantity` adds the
 * supplementary quantity (meaningful only at HS10 level).
 */
export function measuresSql(withQuantity: boolean, alias = 'i'): string {
  const q = withQuantity
    ? `CASE WHEN count(${alias}.supplementary_quantity) = count(*) AND count(DISTINCT ${alias}.supplementary_unit) = 1
            THEN sum(${alias}.supplementary_quantity) END AS supplementary_quantity,
       CASE WHEN count(${alias}.supplementary_quantity) = count(*) AND count(DISTINCT ${alias}.supplementary_unit) = 1
            THEN min(${alias}.supplementary_unit) END AS supplementary_unit`
    : 'NULL::numeric AS supplementary_quantity, NULL::text AS supplementary_unit';
  return `count(DISTINCT ${alias}.declaration_id)::int AS declaration_count,
       count(*)::int AS item_count,
       COALESCE(sum(${alias}.customs_value_azn), 0.00) AS customs_value_azn,
       COALESCE(sum(${alias}.statistical_value_usd), 0.00) AS statistical_value_usd,
       COALESCE(sum(${alias}.net_weight_kg), 0.000) AS net_weight_kg,
       COALESCE(sum(${alias}.gross_weight_kg), 0.000) AS gross_weight_kg,
       ${q}`;
}

export interface MeasureRow {
  declaration_count: number;
  item_count: number;
  customs_value_azn: string;
  statistical_value_usd: string;
  net_weight_kg: string;
  gross_weight_kg: string;
  supplementary_quantity: string | null;
  supplementary_unit: string | null;
}

/**
 * Every measure in the API's field order (TradeMeasures), with its column in the SQL rows and whether it is a
 * number: the one list the exports' columns and the extracts' figures are made from.
 */
export const MEASURES: readonly { field: keyof TradeMeasures; column: keyof MeasureRow; numeric: boolean }[] = [
  { field: 'declarationCount', column: 'declaration_count', numeric: true },
  { field: 'itemCount', column: 'item_count', numeric: true },
  { field: 'customsValueAzn', column: 'customs_value_azn', numeric: true },
  { field: 'statisticalValueUsd', column: 'statistical_value_usd', numeric: true },
  { field: 'netWeightKg', column: 'net_weight_kg', numeric: true },
  { field: 'grossWeightKg', column: 'gross_weight_kg', numeric: true },
  { field: 'supplementaryQuantity', column: 'supplementary_quantity', numeric: true },
  { field: 'supplementaryUnit', column: 'supplementary_unit', numeric: false },
];

export function toMeasures(r: MeasureRow): TradeMeasures {
  return {
    declarationCount: Number(r.declaration_count),
    itemCount: Number(r.item_count),
    customsValueAzn: r.customs_value_azn,
    statisticalValueUsd: r.statistical_value_usd,
    netWeightKg: r.net_weight_kg,
    grossWeightKg: r.gross_weight_kg,
    supplementaryQuantity: r.supplementary_quantity,
    supplementaryUnit: r.supplementary_unit,
  };
}
