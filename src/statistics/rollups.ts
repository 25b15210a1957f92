/**
 * Statistics rollups: the same measures as the raw items, pre-aggregated so that a large trader's
 * statistics read thousands of rows instead of millions — and still exactly equal.
 *
 * Why the declaration count stays exact: registration date (so month), direction, customs post
 * and procedure belong to the declaration, so one declaration lies in exactly one value of each.
 * The item-level columns (HS code, partner country, transport mode) do not: a declaration with
 * items in two HS chapters counts once in each chapter but once in their sum. So there is one
 * grain per combination of item-level columns kept (HS level 0/2/4 × partner country),
 * each row counting the distinct declarations of its key, and a query reads the grain whose
 * item-level columns are exactly those it groups by or pins with a filter. Summing over the
 * declaration-level columns is then exact. Anything else (HS6/HS10, transport mode, an
 * odd-length HS prefix, a date range not aligned to months, the supplementary quantity) goes to
 * the raw items.
 *
 * Every participant the importer loads gets rollups (listed in rollup_participants) by default:
 * aggregating even 5,000 raw items per request costs PostgreSQL far more than reading a few
 * hundred pre-summed rows, and the raw aggregation was what capped small and mid traders' request
 * rates (issue 9). STATS_ROLLUP_MIN_ITEMS (`minItems`, default 0) can still hold them back for
 * traders below a size. A participant not listed (below that size, or whose items were loaded before
 * rollups were kept for everyone and not imported since) is answered from the raw items: the
 * statistics statement tests the listing itself (statistics.service.ts, RollupChoice 'listed').
 * The importer refreshes the affected (participant, month) pairs inside its transaction;
 * declaration_items has no other writer.
 */
import type { TradeDimension } from './dimensions';
import { Params, type TradeFilter } from './trade-filter';

export const HS_LEVELS = [0, 2, 4] as const;

/** Items a participant needs before statistics rollups are kept for them (STATS_ROLLUP_MIN_ITEMS): 0, everyone. */
export const DEFAULT_ROLLUP_MIN_ITEMS = 0;

export interface Grain {
  readonly id: number;
  readonly hs: 0 | 2 | 4;
  readonly country: boolean;
}

export const GRAINS: Grain[] = HS_LEVELS.flatMap((hs, h) =>
  [false, true].map((country) => ({
    id: h * 2 + (country ? 1 : 0),
    hs,
    country,
  })),
);

type Run = (text: string, params?: unknown[]) => Promise<unknown>;

/**
 * Keeps the rollups of the affected (participant, month) pairs current: participants already
 * listed are refreshed for those months; a participant reaching `minItems` is listed and refreshed
 * for every month it has; the others are left to the raw items.
 */
export async function refreshRollups(
  run: Run,
  affected: { participantId: string; month: string }[],
  opts: { minItems?: number } = {},
): Promise<void> {
  if (affected.length === 0) return;
  const minItems = opts.minItems ?? DEFAULT_ROLLUP_MIN_ITEMS;
  const pids = [...new Set(affected.map((a) => a.participantId))];
  // Without a threshold the item counts are not needed (a count over a large trader's items saved).
  const status = (await run(
    minItems > 0
      ? `SELECT i.participant_id::text AS pid, count(*)::int AS items,
            EXISTS (SELECT 1 FROM rollup_participants r WHERE r.participant_id = i.participant_id) AS listed
       FROM declaration_items i WHERE i.participant_id = ANY($1::bigint[]) GROUP BY i.participant_id`
      : `SELECT a.pid::text AS pid, 0 AS items,
            EXISTS (SELECT 1 FROM rollup_participants r WHERE r.participant_id = a.pid) AS listed
       FROM unnest($1::bigint[]) AS a(pid)`,
    [pids],
  )) as { pid: string; items: number; listed: boolean }[];
  const listed = new Set(status.filter((r) => r.listed).map((r) => r.pid));
  const joining = status.filter((r) => !r.listed && r.items >= minItems).map((r) => r.pid);
  const pairs = affected.filter((a) => listed.has(a.participantId));
  if (joining.length > 0) {
    await run(`INSERT INTO rollup_participants (participant_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING`, [
      joining,
    ]);
    pairs.push(
      ...((await run(
        `SELECT DISTINCT participant_id::text AS "participantId",
        to_char(date_trunc('month', registration_date), 'YYYY-MM-DD') AS month
        FROM declaration_items WHERE participant_id = ANY($1::bigint[])`,
        [joining],
      )) as { participantId: string; month: string }[]),
    );
  }
  if (pairs.length > 0) await rebuild(run, pairs);
}

/**
 * Recomputes the given (participant, month) pairs: one pass over their items into a
 * per-declaration table at the finest grain (HS4 × partner country, so each row is one
 * declaration's part of one key), then the finest grain from it (its rows are one per
 * declaration and key, so count(*) counts declarations). The coarser grains' sums are sums of
 * the finest grain's rows (addition does not care about declarations; those rows are few);
 * their declaration counts come from the distinct (declaration, key) pairs of the
 * per-declaration rows, hashed (count(DISTINCT …) would sort them with the text collation: 5× slower).
 */
async function rebuild(run: Run, affected: { participantId: string; month: string }[]): Promise<void> {
  const pids = affected.map((a) => a.participantId);
  const months = affected.map((a) => a.month);
  await run(
    `DELETE FROM trade_rollups r USING unnest($1::bigint[], $2::date[]) AS a(pid, m)
              WHERE r.participant_id = a.pid AND r.registration_date = a.m`,
    [pids, months],
  );
  // Aggregation in memory rather than spilling (this transaction only).
  await run(`SET LOCAL work_mem = '256MB'`);
  await run('DROP TABLE IF EXISTS rollup_base, rollup_fine');
  await run(
    `CREATE TEMP TABLE rollup_base ON COMMIT DROP AS
    SELECT i.participant_id, i.declaration_id, a.m AS registration_date, i.direction, i.customs_post_code, i.procedure_code,
           left(i.hs_code, 4) AS hs4, i.partner_country,
           count(*)::int AS item_count, sum(i.customs_value_azn) AS customs_value_azn,
           sum(i.statistical_value_usd) AS statistical_value_usd, sum(i.net_weight_kg) AS net_weight_kg,
           sum(i.gross_weight_kg) AS gross_weight_kg
      FROM declaration_items i
      JOIN unnest($1::bigint[], $2::date[]) AS a(pid, m)
        ON i.participant_id = a.pid AND date_trunc('month', i.registration_date)::date = a.m
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    [pids, months],
  );
  await run('ANALYZE rollup_base');
  const finest = GRAINS.find((g) => g.hs === 4 && g.country)!;
  await run(`CREATE TEMP TABLE rollup_fine ON COMMIT DROP AS
    SELECT ${DECL_KEYS.join(', ')}, hs4 AS hs_code, partner_country, count(*)::int AS declaration_count, ${SUMS}
      FROM rollup_base GROUP BY ${DECL_KEYS.join(', ')}, hs4, partner_country`);
  await run(`${INSERT} SELECT ${KEYS}, ${finest.id}::smallint, declaration_count, item_count, customs_value_azn,
                 statistical_value_usd, net_weight_kg, gross_weight_kg FROM rollup_fine`);
  for (const g of GRAINS) if (g !== finest) await run(coarseGrainSql(g));
  await run('DROP TABLE rollup_base, rollup_fine');
}

const DECL_KEYS = ['participant_id', 'registration_date', 'direction', 'customs_post_code', 'procedure_code'];
const KEYS = [...DECL_KEYS, 'hs_code', 'partner_country'].join(', ');
const SUMS = `sum(item_count) AS item_count, sum(customs_value_azn) AS customs_value_azn,
           sum(statistical_value_usd) AS statistical_value_usd, sum(net_weight_kg) AS net_weight_kg,
           sum(gross_weight_kg) AS gross_weight_kg`;
const INSERT = `INSERT INTO trade_rollups (${KEYS}, grain, declaration_count, item_count, customs_value_azn,
                 statistical_value_usd, net_weight_kg, gross_weight_kg)`;

/**
 * A coarser grain's rows: sums from rollup_fine, declaration counts from the distinct
 * (declaration, key) pairs of rollup_base.
 */
function coarseGrainSql(g: Grain): string {
  // The grain's key over a source whose HS column is `hs` (rollup_fine.hs_code, rollup_base.hs4),
  // grouped by expression: a GROUP BY name would mean the source's own (longer) HS column.
  const key = (hs: string) => [
    ...DECL_KEYS,
    ...(g.hs ? [`left(${hs}, ${g.hs})`] : []),
    ...(g.country ? ['partner_country'] : []),
  ];
  const named = (hs: string) =>
    key(hs)
      .map((c) => (c.startsWith('left(') ? `${c} AS hs_code` : c))
      .join(', ');
  const own = [...DECL_KEYS, ...(g.hs ? ['hs_code'] : []), ...(g.country ? ['partner_country'] : [])].join(', ');
  return `${INSERT}
      SELECT ${DECL_KEYS.join(', ')}, ${g.hs ? 'hs_code' : 'NULL::text'}, ${g.country ? 'partner_country' : 'NULL::char(2)'},
             ${g.id}::smallint, c.declaration_count, s.item_count, s.customs_value_azn,
             s.statistical_value_usd, s.net_weight_kg, s.gross_weight_kg
        FROM (SELECT ${named('hs_code')}, ${SUMS} FROM rollup_fine GROUP BY ${key('hs_code').join(', ')}) s
        JOIN (SELECT ${own}, count(*)::int AS declaration_count
                FROM (SELECT DISTINCT declaration_id, ${named('hs4')} FROM rollup_base) d GROUP BY ${own}) c USING (${own})`;
}

/** Brings every participant's rollups up to date (migrations, repairs); run inside a transaction. */
export async function refreshAllRollups(run: Run, opts: { minItems?: number } = {}): Promise<void> {
  const rows = (await run(`SELECT DISTINCT participant_id::text AS "participantId",
      to_char(date_trunc('month', registration_date), 'YYYY-MM-DD') AS month FROM declaration_items`)) as {
    participantId: string;
    month: string;
  }[];
  await refreshRollups(run, rows, opts);
}

const HS_GROUP_LEVEL: Partial<Record<TradeDimension, number>> = { HS2: 2, HS4: 4, HS6: 6, HS10: 10 };

function isMonthStart(d: string): boolean {
  return d.endsWith('-01');
}

function isMonthEnd(d: string): boolean {
  const [y, m, day] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate() === day;
}

/** The grain that answers this query exactly, or null (then the raw items do). */
export function chooseGrain(filter: TradeFilter, groupBy: TradeDimension[]): Grain | null {
  if (filter.from && !isMonthStart(filter.from)) return null;
  if (filter.to && !isMonthEnd(filter.to)) return null;
  let groupHs = 0;
  for (const d of groupBy) groupHs = Math.max(groupHs, HS_GROUP_LEVEL[d] ?? 0);
  const filterHs = filter.hsCodePrefix?.length ?? 0;
  const hs = Math.max(groupHs, filterHs);
  if (hs !== 0 && hs !== 2 && hs !== 4) return null;
  if (filterHs !== 0 && filterHs !== 2 && filterHs !== 4) return null;
  if (groupBy.includes('TRANSPORT_MODE') || filter.transportMode !== undefined) return null;
  const country = groupBy.includes('COUNTRY') || filter.countryCode !== undefined;
  return GRAINS.find((g) => g.hs === hs && g.country === country) ?? null;
}

/** Conditions on trade_rollups (alias r) for the participant, grain and filter. */
export function rollupConditions(participantId: string, grain: Grain, f: TradeFilter, p: Params): string[] {
  const c = [`r.participant_id = ${p.add(participantId)}`, `r.grain = ${p.add(grain.id)}`];
  if (f.direction) c.push(`r.direction = ${p.add(f.direction)}`);
  if (f.from) c.push(`r.registration_date >= ${p.add(f.from)}::date`);
  if (f.to) c.push(`r.registration_date <= ${p.add(f.to)}::date`);
  if (f.hsCodePrefix) c.push(`left(r.hs_code, ${f.hsCodePrefix.length}) = ${p.add(f.hsCodePrefix)}`);
  if (f.countryCode) c.push(`r.partner_country = ${p.add(f.countryCode)}`);
  if (f.customsPostCode) c.push(`r.customs_post_code = ${p.add(f.customsPostCode)}`);
  if (f.procedureCode) c.push(`r.procedure_code = ${p.add(f.procedureCode)}`);
  return c;
}

/** Measures over rollup rows: sums of the stored sums and counts. */
export function rollupMeasuresSql(): string {
  return `COALESCE(sum(r.declaration_count), 0)::int AS declaration_count,
       COALESCE(sum(r.item_count), 0)::int AS item_count,
       COALESCE(sum(r.customs_value_azn), 0.00) AS customs_value_azn,
       COALESCE(sum(r.statistical_value_usd), 0.00) AS statistical_value_usd,
       COALESCE(sum(r.net_weight_kg), 0.000) AS net_weight_kg,
       COALESCE(sum(r.gross_weight_kg), 0.000) AS gross_weight_kg,
       NULL::numeric AS supplementary_quantity, NULL::text AS supplementary_unit`;
}
