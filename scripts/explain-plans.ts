/**
 * `npm run explain-plans [-- --participant ID]`: the plans of the service's own statistics and
 * declaration queries, run exactly as a request runs them (the request role, `app.participant_id`
 * set, row-level security on), for docs/indexes.md. Same database rule as every CLI. Without
 * --participant it takes the participant with the most items.
 */
import { runCli, UsageError } from '../src/cli/bootstrap';
import { RequestDb, type Sql, traderScope } from '../src/db/tenant';
import { listDeclarations } from '../src/statistics/declarations.service';
import { buildStatisticsQuery } from '../src/statistics/statistics.service';

const EXPLAIN = 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)';

void runCli('explain-plans', async ({ config, db }) => {
  const args = process.argv.slice(2);
  const i = args.indexOf('--participant');
  let pid = i >= 0 ? args[i + 1] : undefined;
  if (i >= 0 && !/^[0-9]+$/.test(pid ?? '')) throw new UsageError('usage: explain-plans [--participant ID]');
  pid ??= (
    await db.ds.query(
      `SELECT participant_id::text AS pid FROM declaration_items GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    )
  )[0]?.pid;
  if (!pid) throw new UsageError('no declarations: import some first (npm start loads the demo data)');
  const [{ items, rollups }] = await db.ds.query(
    `SELECT (SELECT count(*) FROM declaration_items WHERE participant_id = $1)::int AS items,
            EXISTS (SELECT 1 FROM rollup_participants WHERE participant_id = $1) AS rollups`,
    [pid],
  );
  const [{ version }] = await db.ds.query(`SELECT current_setting('server_version') AS version`);
  process.stdout.write(
    `PostgreSQL ${version}, participant ${pid}: ${items} items, rollups ${rollups ? 'kept' : 'not kept'}\n`,
  );

  const rdb = new RequestDb(db.ds, config.db.appRole);
  const show = (title: string, text: string, values: unknown[]) =>
    rdb.run(traderScope(pid!), async (sql) => {
      const plan = await sql.query<{ 'QUERY PLAN': string }>(`${EXPLAIN} ${text}`, values);
      process.stdout.write(`\n--- ${title}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    });
  // The declarations page exactly as the service builds it: its one query is explained instead of run.
  await rdb.run(traderScope(pid), async (sql) => {
    const explaining: Sql = {
      query: async <R>(text: string, values?: unknown[]) => {
        const plan = await sql.query<{ 'QUERY PLAN': string }>(`${EXPLAIN} ${text}`, values);
        process.stdout.write(
          `\n--- declarations page (newest first, cursor order)\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n`,
        );
        return [] as R[];
      },
    };
    await listDeclarations(explaining, pid!, {}, 50, undefined);
  });
  const [{ hs2 }] = await db.ds.query(
    `SELECT left(hs_code, 2) AS hs2 FROM declaration_items WHERE participant_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    [pid],
  );
  // Why the HS prefix is a range: LIKE is not leakproof, so under RLS it cannot reach the index.
  await show(
    `raw items, HS prefix ${hs2} as LIKE under RLS (not used by the service)`,
    `SELECT count(*) FROM declaration_items i WHERE i.participant_id = $1 AND i.hs_code LIKE $2`,
    [pid, `${hs2}%`],
  );
  const stats = (
    title: string,
    filter: Parameters<typeof buildStatisticsQuery>[1],
    groupBy: Parameters<typeof buildStatisticsQuery>[2],
    useRollups: boolean,
  ) => {
    const q = buildStatisticsQuery(pid!, filter, groupBy, 10_000, { rollups: useRollups });
    return show(`${title} [reads ${q.source}]`, q.text, q.values);
  };
  await stats(
    `raw items, DIRECTION x MONTH, HS prefix ${hs2} as a range`,
    { hsCodePrefix: hs2 },
    ['DIRECTION', 'MONTH'],
    false,
  );
  const [{ month }] = await db.ds.query(
    `SELECT to_char(max(registration_date), 'YYYY-MM') AS month FROM declaration_items WHERE participant_id = $1`,
    [pid],
  );
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  await stats(`raw items, HS4, date range ${month}-01..${last}`, { from: `${month}-01`, to: last }, ['HS4'], false);
  // The service reads the rollups only for participants listed in rollup_participants.
  await stats('HS2 x COUNTRY x YEAR', {}, ['HS2', 'COUNTRY', 'YEAR'], rollups);
});
