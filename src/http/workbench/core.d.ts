/** Types of core.js (plain JavaScript, run by the page as is and by the node tests through require). */
import type * as graphqlJs from 'graphql';

export interface Column {
  id: string;
  label: string;
  kind: 'key' | 'measure' | 'other';
  numeric: boolean;
}
export type Row = Record<string, unknown>;
export interface Table {
  columns: Column[];
  rows: Row[];
  totals: Row | null;
  truncated: boolean;
}
export interface Found {
  responseKey: string;
  groupBy: string[];
  filter: Record<string, unknown>;
  answer: unknown;
}
export interface ChartSpec {
  type: 'bar' | 'line';
  labels: string[];
  datasets: { label: string; data: (string | null)[] }[];
  omitted: number;
  measure: string;
}

export const LANGS: string[];
export function isDecimal(v: unknown): boolean;
export function compareDecimal(a: string, b: string): -1 | 0 | 1;
export function formatDecimal(value: string | number | null | undefined, lang: string): string;
export function separators(lang: string): { group: string; decimal: string };
export function findStatistics(
  graphql: Pick<typeof graphqlJs, 'parse' | 'valueFromASTUntyped'>,
  query: string,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  data: unknown,
): Found[];
export function toTable(answer: unknown): Table;
export function sortRows(rows: Row[], column: Column, direction: 'asc' | 'desc'): Row[];
export function cellText(column: Column, value: unknown, lang: string): string;
export function chartSpec(
  table: Table,
  groupBy: string[],
  measureId: string,
  opts?: { maxBars?: number; maxSeries?: number },
): ChartSpec | null;
export function exportUrl(
  format: string,
  groupBy: string[],
  filter: Record<string, unknown>,
  lang: string,
  bom: boolean,
): string;
export function downloadName(contentDisposition: string | null, format: string, groupBy: string[]): string;
export function acceptLanguage(lang: string): string;
