/**
 * tradeStatistics: the viewer's items grouped by any combination of dimensions, with exact
 * decimal measures, totals over every matching row, and truncation at `first` groups.
 */
import type { Sql } from '../db/tenant';
import { BadUserInputError } from '../shared/errors';
import { measuresSql, toMeasures, type MeasureRow, type TradeMeasures } from './measures';
import { chooseGrain, rollupConditions, rollupMeasuresSql, type Grain } from './rollups';
import { itemConditions, Params, type TradeFilter } from './trade-filter';
import { DIMENSIONS, type DimensionDef, type TradeDimension, type TradeGroupKey } from './dimensions';

export type { TradeDimension, TradeGroupKey };

export interface TradeStatistics {
  rows: { key: TradeGroupKey; measures: TradeMeasures }[];
  totals: TradeMeasures;
  truncated: boolean;
}

export const MAX_STATISTICS_ROWS = 10_000;

export function validateGroupBy(groupBy: TradeDimension[], first: number): void {
  if (!Number.isInteger(first) || first < 0 || first > MAX_STATISTICS_ROWS) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_STATISTICS_ROWS}`, 'first');
  }
  const seen = new Set<TradeDimension>();
  for (const d of groupBy) {
    if (seen.has(d)) throw new BadUserInputError(`groupBy lists ${d} twice`, 'groupBy');
    seen.add(d);
  }
  const hs = groupBy.filter((d) => d.startsWith('HS'));
  if (hs.length > 1) {
    throw new BadUserInputError(`groupBy may hold one HS level, got ${hs.join(', ')}`, 'groupBy');
  }
}

export interface StatisticsQuery {
  readonly text: string;
  readonly values: unknown[];
  readonly dims: DimensionDef[];
  readonly first: number;
  /**
   * Which table answers: the rollups when asked for and a grain fits exactly, else the raw items;
   * 'listed': both statements in one text, each guarded by whether the participant is listed in
   * rollup_participants (an InitPlan evaluated once: only the branch it allows executes).
   */
  readonly source: 'items' | 'rollups' | 'listed';
}

/**
 * Whether the statistics may read the rollups: true when the caller has checked that the
 * participant has them (useRollupsFor), false for the raw items, 'listed' to let the statement
 * itself decide from rollup_participants (no separate probe: one statement, one round trip).
 */
export type RollupChoice = boolean | 'listed';

/**
 * The one statement behind tradeStatistics: grouping sets (groups, ()) so that the totals cover
 * every matching row, including groups cut by `first`. The benchmark runs this same text
 * directly through pg as its baseline.
 */
export function buildStatisticsQuery(
  participantId: string,
  filter: TradeFilter,
  groupBy: TradeDimension[],
  first: number,
  opts: { rollups?: RollupChoice } = {},
): StatisticsQuery {
  validateGroupBy(groupBy, first);
  const dims = groupBy.map((d) => DIMENSIONS[d]);
  const grains = opts.rollups ? rollupGrains(filter, groupBy) : null;
  const p = new Params();
  const done = (text: string, source: StatisticsQuery['source']): StatisticsQuery => ({
    text,
    values: p.values,
    dims,
    first,
    source,
  });
  if (!grains) return done(itemsText(participantId, filter, groupBy, first, p), 'items');
  if (opts.rollups !== 'listed') return done(rollupText(participantId, filter, groupBy, first, grains, p), 'rollups');
  // Both branches, the rollups' first; the guard has no column of the branch, so PostgreSQL makes it a
  // one-time filter (a gating Result over the branch): the branch whose guard is false is never executed.
  const listed = `(SELECT EXISTS (SELECT 1 FROM rollup_participants WHERE participant_id = ${p.add(participantId)}))`;
  const fromRollups = rollupText(participantId, filter, groupBy, first, grains, p);
  const fromItems = itemsText(participantId, filter, groupBy, first, p);
  const order = dims.length ? ` ORDER BY is_total DESC, ${dims.map((_, n) => `d${n} NULLS LAST`).join(', ')}` : '';
  return done(
    `SELECT * FROM (
        SELECT * FROM (${fromRollups}) r WHERE ${listed}
        UNION ALL
        SELECT * FROM (${fromItems}) i WHERE NOT ${listed}
      ) s${order}`,
    'listed',
  );
}

/** The grains of the groups and of the totals, when the rollups can answer this query exactly. */
function rollupGrains(filter: TradeFilter, groupBy: TradeDimension[]): { group: Grain; total: Grain } | null {
  const group = chooseGrain(filter, groupBy);
  const total = group && chooseGrain(filter, []);
  return group && total ? { group, total } : null;
}

/** The statement over the raw items. */
function itemsText(participantId: string, filter: TradeFilter, groupBy: TradeDimension[], first: number, p: Params) {
  const dims = groupBy.map((d) => DIMENSIONS[d]);
  const where = itemConditions(participantId, filter, p).join(' AND ');
  if (dims.length === 0) {
    return `SELECT 1 AS is_total, ${measuresSql(false)} FROM declaration_items i WHERE ${where}`;
  }
  const withQuantity = groupBy.includes('HS10');
  const cols = dims.map((d, n) => `${d.sql('i')} AS d${n}`).join(', ');
  const groupCols = dims.map((_, n) => `d${n}`);
  const limit = p.add(first + 2); // the totals row, `first` groups, one more to detect truncation
  return `SELECT GROUPING(${groupCols[0]}) AS is_total, ${groupCols.join(', ')}, ${measuresSql(withQuantity, 'i')}
       FROM (SELECT i.*, ${cols} FROM declaration_items i WHERE ${where}) i
      GROUP BY GROUPING SETS ((${groupCols.join(', ')}), ())
      ORDER BY is_total DESC, ${groupCols.map((c) => `${c} NULLS LAST`).join(', ')}
      LIMIT ${limit}`;
}

/**
 * The same result from trade_rollups (src/statistics/rollups.ts): groups from the grain of the
 * grouped and filtered item-level columns, totals from the grain of the filtered ones only (a
 * declaration spread over several groups counts once in the totals).
 */
function rollupText(
  participantId: string,
  filter: TradeFilter,
  groupBy: TradeDimension[],
  first: number,
  grains: { group: Grain; total: Grain },
  p: Params,
): string {
  const dims = groupBy.map((d) => DIMENSIONS[d]);
  const totalWhere = rollupConditions(participantId, grains.total, filter, p).join(' AND ');
  if (dims.length === 0) {
    return `SELECT 1 AS is_total, ${rollupMeasuresSql()} FROM trade_rollups r WHERE ${totalWhere}`;
  }
  const groupWhere = rollupConditions(participantId, grains.group, filter, p).join(' AND ');
  const cols = dims.map((d, n) => `${d.sql('r')} AS d${n}`).join(', ');
  const groupCols = dims.map((_, n) => `d${n}`);
  const limit = p.add(first + 1);
  return `SELECT * FROM (
        (SELECT 1 AS is_total, ${groupCols.map((c) => `NULL AS ${c}`).join(', ')}, ${rollupMeasuresSql()}
           FROM trade_rollups r WHERE ${totalWhere})
        UNION ALL
        (SELECT 0 AS is_total, ${groupCols.join(', ')}, ${rollupMeasuresSql()}
           FROM (SELECT r.*, ${cols} FROM trade_rollups r WHERE ${groupWhere}) r
          GROUP BY ${groupCols.join(', ')}
          ORDER BY ${groupCols.map((c) => `${c} NULLS LAST`).join(', ')}
          LIMIT ${limit})
      ) u ORDER BY is_total DESC, ${groupCols.map((c) => `${c} NULLS LAST`).join(', ')}`;
}

/** Shapes the statement's rows: the first is the totals row, then the groups in key order. */
export function shapeStatistics(q: StatisticsQuery, rows: (MeasureRow & Record<string, unknown>)[]): TradeStatistics {
  const [totalRow, ...groups] = rows;
  const totals = toMeasures(totalRow);
  totals.supplementaryQuantity = null;
  totals.supplementaryUnit = null;
  if (q.dims.length === 0) {
    const any = totals.itemCount > 0;
    return { rows: any && q.first > 0 ? [{ key: {}, measures: totals }] : [], totals, truncated: any && q.first === 0 };
  }
  return {
    rows: groups.slice(0, q.first).map((r) => {
      const key: TradeGroupKey = {};
      q.dims.forEach((d, n) => {
        (key as Record<string, unknown>)[d.key] = d.parse(r[`d${n}`]);
      });
      return { key, measures: toMeasures(r) };
    }),
    totals,
    truncated: groups.length > q.first,
  };
}

/**
 * Whether this query reads the rollups: a grain fits it exactly and the participant has rollups
 * (those listed in rollup_participants: every trader the importer has loaded since rollups are kept
 * for all, see rollups.ts). A statement of its own; the statistics export uses it, tradeStatistics
 * folds the same test into its one statement instead (RollupChoice 'listed').
 */
export async function useRollupsFor(
  sql: Sql,
  participantId: string,
  filter: TradeFilter,
  groupBy: TradeDimension[],
): Promise<boolean> {
  if (!chooseGrain(filter, groupBy)) return false;
  const [r] = await sql.query<{ listed: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM rollup_participants WHERE participant_id = $1) AS listed',
    [participantId],
  );
  return r.listed;
}

/**
 * The statistics in ONE statement (sql.query is called once): from the rollups when a grain fits
 * and the participant is listed, decided inside the statement, else from the raw items. With a
 * one-statement Sql (RequestDb.sending) the whole request is one round trip. `rollups: false` forces the
 * raw items (the tests' reference computation).
 */
export async function tradeStatistics(
  sql: Sql,
  participantId: string,
  filter: TradeFilter,
  groupBy: TradeDimension[],
  first: number,
  opts: { rollups?: boolean } = {},
): Promise<TradeStatistics> {
  const q = buildStatisticsQuery(participantId, filter, groupBy, first, {
    rollups: opts.rollups === false ? false : 'listed',
  });
  return shapeStatistics(q, await sql.query<MeasureRow & Record<string, unknown>>(q.text, q.values));
}
