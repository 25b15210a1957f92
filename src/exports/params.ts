/**
 * The query string of an export, read into the same filter and groupBy as `tradeStatistics` takes.
 *
 * The URL contract (the workbench's download buttons are built against it): keys are the TradeFilter
 * input field names with the GraphQL value syntax (`direction=IMPORT`, `from=2024-01-01`), `groupBy` a
 * comma-separated list of TradeDimension values (statistics only; required there, empty = no
 * dimensions, one totals row, as `groupBy: []`), `lang=az|en|ru` for country names (default az), and
 * `bom=1` for a UTF-8 byte order mark (Excel). Anything else — an unknown or repeated key, a bad
 * value — is BAD_USER_INPUT naming the key, as the GraphQL field names its argument.
 */
import { isCalendarDate } from '../shared/calendar';
import { BadUserInputError } from '../shared/errors';
import { DIMENSIONS, type TradeDimension } from '../statistics/dimensions';
import { validateGroupBy } from '../statistics/statistics.service';
import type { TradeFilter } from '../statistics/trade-filter';

export type ExportKind = 'statistics' | 'declarations';
export type ExportFormat = 'csv' | 'xlsx';
export type ExportLang = 'az' | 'en' | 'ru';

export interface ExportParams {
  /** Not validated against the reference tables yet (unknown country): see validateTradeFilter. */
  filter: TradeFilter;
  /** Statistics only (empty for declarations). */
  groupBy: TradeDimension[];
  lang: ExportLang;
  bom: boolean;
  /** The parameters as given, sorted by key (the audit record's `variables`). */
  canonical: Record<string, string>;
}

/** The TradeFilter input field names: the only filter keys. */
export const FILTER_KEYS = [
  'countryCode',
  'customsPostCode',
  'direction',
  'from',
  'to',
  'hsCodePrefix',
  'procedureCode',
  'transportMode',
] as const;

const OTHER_KEYS: Record<ExportKind, readonly string[]> = {
  statistics: ['groupBy', 'lang', 'bom'],
  declarations: ['lang', 'bom'],
};

/** A longer query string is refused (the longest valid one is far shorter). */
const MAX_QUERY_CHARS = 2000;

/** Reads and checks the query string (`search`, with or without its `?`) of an export of `kind`. */
export function parseExportParams(kind: ExportKind, search: string): ExportParams {
  if (search.length > MAX_QUERY_CHARS) throw new BadUserInputError('the query string is too long');
  const given = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (!(FILTER_KEYS as readonly string[]).includes(k) && !OTHER_KEYS[kind].includes(k)) {
      const allowed = [...FILTER_KEYS, ...OTHER_KEYS[kind]].join(', ');
      throw new BadUserInputError(`unknown parameter ${JSON.stringify(k)}: use ${allowed}`, k.slice(0, 100));
    }
    if (given.has(k)) throw new BadUserInputError(`parameter ${k} given twice`, k);
    given.set(k, v);
  }
  const filter: TradeFilter = {};
  for (const k of FILTER_KEYS) {
    const v = given.get(k);
    if (v === undefined) continue;
    if (k === 'direction') {
      if (v !== 'IMPORT' && v !== 'EXPORT') {
        throw new BadUserInputError(`direction must be IMPORT or EXPORT, got ${JSON.stringify(v)}`, 'filter.direction');
      }
      filter.direction = v === 'IMPORT' ? 'IM' : 'EX';
    } else if (k === 'from' || k === 'to') {
      if (!isCalendarDate(v)) {
        throw new BadUserInputError(
          `${k} must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(v)}`,
          `filter.${k}`,
        );
      }
      filter[k] = v;
    } else {
      filter[k] = v;
    }
  }
  let groupBy: TradeDimension[] = [];
  if (kind === 'statistics') {
    const g = given.get('groupBy');
    if (g === undefined) {
      throw new BadUserInputError('groupBy is required: comma-separated dimensions such as HS2,YEAR', 'groupBy');
    }
    groupBy = g === '' ? [] : (g.split(',').map((d) => d.trim()) as TradeDimension[]);
    for (const d of groupBy) {
      if (!Object.prototype.hasOwnProperty.call(DIMENSIONS, d)) {
        throw new BadUserInputError(
          `groupBy: unknown dimension ${JSON.stringify(d)}: use ${Object.keys(DIMENSIONS).join(', ')}`,
          'groupBy',
        );
      }
    }
    validateGroupBy(groupBy, 0);
  }
  const langText = (given.get('lang') ?? 'az').toLowerCase();
  if (langText !== 'az' && langText !== 'en' && langText !== 'ru') {
    throw new BadUserInputError(`lang must be az, en or ru, got ${JSON.stringify(given.get('lang'))}`, 'lang');
  }
  const bomText = given.get('bom');
  if (bomText !== undefined && bomText !== '0' && bomText !== '1') {
    throw new BadUserInputError('bom must be 0 or 1', 'bom');
  }
  const canonical: Record<string, string> = {};
  for (const k of [...given.keys()].sort()) canonical[k] = given.get(k)!;
  return { filter, groupBy, lang: langText, bom: bomText === '1', canonical };
}
