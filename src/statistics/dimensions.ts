/**
 * The dimensions tradeStatistics groups by: their names, the key fields they fill and their SQL.
 * A low module: statistics.service.ts and rollups.ts both read it, so rollups.ts (which the
 * service uses) does not import the service back.
 */
export type TradeDimension =
  | 'DIRECTION'
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'HS2'
  | 'HS4'
  | 'HS6'
  | 'HS10'
  | 'COUNTRY'
  | 'CUSTOMS_POST'
  | 'PROCEDURE'
  | 'TRANSPORT_MODE';

export interface TradeGroupKey {
  direction?: 'IM' | 'EX';
  year?: number;
  quarter?: number;
  month?: number;
  hsCode?: string;
  countryCode?: string;
  customsPostCode?: string;
  procedureCode?: string;
  transportMode?: string;
}

export interface DimensionDef {
  sql: (alias: string) => string;
  key: keyof TradeGroupKey;
  parse: (v: unknown) => TradeGroupKey[keyof TradeGroupKey];
}

const int = (v: unknown) => Number(v);
const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v).trim());

export const DIMENSIONS: Record<TradeDimension, DimensionDef> = {
  DIRECTION: { sql: (a) => `${a}.direction`, key: 'direction', parse: (v) => String(v) as 'IM' | 'EX' },
  YEAR: { sql: (a) => `extract(year FROM ${a}.registration_date)::int`, key: 'year', parse: int },
  QUARTER: { sql: (a) => `extract(quarter FROM ${a}.registration_date)::int`, key: 'quarter', parse: int },
  MONTH: { sql: (a) => `extract(month FROM ${a}.registration_date)::int`, key: 'month', parse: int },
  HS2: { sql: (a) => `left(${a}.hs_code, 2)`, key: 'hsCode', parse: text },
  HS4: { sql: (a) => `left(${a}.hs_code, 4)`, key: 'hsCode', parse: text },
  HS6: { sql: (a) => `left(${a}.hs_code, 6)`, key: 'hsCode', parse: text },
  HS10: { sql: (a) => `${a}.hs_code::text`, key: 'hsCode', parse: text },
  COUNTRY: { sql: (a) => `${a}.partner_country::text`, key: 'countryCode', parse: text },
  CUSTOMS_POST: { sql: (a) => `${a}.customs_post_code`, key: 'customsPostCode', parse: text },
  PROCEDURE: { sql: (a) => `${a}.procedure_code::text`, key: 'procedureCode', parse: text },
  TRANSPORT_MODE: { sql: (a) => `${a}.transport_mode::text`, key: 'transportMode', parse: text },
};
