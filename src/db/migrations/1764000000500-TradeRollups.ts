import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pre-aggregated statistics, maintained by the importer in the same transaction as the items.
 * One row per (participant, grain, month, direction, post, procedure[, HS prefix][, country]);
 * `grain` says which item-level columns are kept (0/1: no HS, 2/3: HS2, 4/5: HS4; odd: with the
 * partner country; see src/statistics/rollups.ts). Only participants
 * listed in rollup_participants (enough items to pay off) have rows.
 * Columns are named as in declaration_items so the same dimension SQL applies to both.
 */
export class TradeRollups1764000000500 implements MigrationInterface {
  name = 'TradeRollups1764000000500';

  /** `role`: the request role (DB_APP_ROLE), passed in by migrations(appRole). */
  constructor(private readonly role: string) {}

  async up(q: QueryRunner): Promise<void> {
    const role = this.role;
    await q.query(`
      CREATE TABLE trade_rollups (
        participant_id bigint NOT NULL,
        grain smallint NOT NULL,
        registration_date date NOT NULL,          -- first day of the month
        direction char(2) NOT NULL,
        customs_post_code text NOT NULL,
        procedure_code char(2) NOT NULL,
        hs_code text,                              -- HS prefix at the grain's level, or null
        partner_country char(2),
        declaration_count integer NOT NULL,
        item_count integer NOT NULL,
        customs_value_azn numeric NOT NULL,
        statistical_value_usd numeric NOT NULL,
        net_weight_kg numeric NOT NULL,
        gross_weight_kg numeric NOT NULL
      )`);
    await q.query(`CREATE INDEX trade_rollups_lookup_idx ON trade_rollups (participant_id, grain, registration_date)`);
    await q.query(`ALTER TABLE trade_rollups ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY trade_rollups_tenant ON trade_rollups FOR ALL TO ${role}
      USING (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint)`);
    await q.query(`GRANT SELECT ON trade_rollups TO ${role}`);
    await q.query(`
      CREATE TABLE rollup_participants (
        participant_id bigint PRIMARY KEY REFERENCES participants(id)
      )`);
    await q.query(`GRANT SELECT ON rollup_participants TO ${role}`);
    await fillRollups(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS trade_rollups');
  }
}

/** Items a participant needed for rollups when this migration shipped (STATS_ROLLUP_MIN_ITEMS' default then). */
const MIN_ITEMS = 20_000;

/**
 * The rollups of the participants that already had MIN_ITEMS items, computed with the SQL
 * src/statistics/rollups.ts ran on the day this migration shipped (frozen here: later versions of
 * that module compute the same rows differently, and a migration must keep doing what it did).
 */
async function fillRollups(q: QueryRunner): Promise<void> {
  const joining = (
    (await q.query(
      `SELECT i.participant_id::text AS pid FROM declaration_items i GROUP BY i.participant_id HAVING count(*) >= $1`,
      [MIN_ITEMS],
    )) as { pid: string }[]
  ).map((r) => r.pid);
  if (joining.length === 0) return;
  await q.query(`INSERT INTO rollup_participants (participant_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING`, [
    joining,
  ]);
  await q.query(`SET LOCAL work_mem = '256MB'`);
  await q.query('DROP TABLE IF EXISTS rollup_base');
  await q.query(
    `CREATE TEMP TABLE rollup_base ON COMMIT DROP AS
    SELECT i.participant_id, i.declaration_id, date_trunc('month', i.registration_date)::date AS registration_date,
           i.direction, i.customs_post_code, i.procedure_code, left(i.hs_code, 4) AS hs4, i.partner_country,
           count(*)::int AS item_count, sum(i.customs_value_azn) AS customs_value_azn,
           sum(i.statistical_value_usd) AS statistical_value_usd, sum(i.net_weight_kg) AS net_weight_kg,
           sum(i.gross_weight_kg) AS gross_weight_kg
      FROM declaration_items i
     WHERE i.participant_id = ANY($1::bigint[])
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    [joining],
  );
  await q.query('ANALYZE rollup_base');
  const keys =
    'participant_id, registration_date, direction, customs_post_code, procedure_code, hs_code, partner_country';
  // The six grains of that day: id = 2 × (index of the HS level 0, 2, 4) + (1 when the partner country is kept).
  for (const [id, hsLevel, country] of [
    [0, 0, false],
    [1, 0, true],
    [2, 2, false],
    [3, 2, true],
    [4, 4, false],
    [5, 4, true],
  ] as const) {
    const hs = hsLevel === 0 ? 'NULL::text' : `left(hs4, ${hsLevel})`;
    const partner = country ? 'partner_country' : 'NULL::char(2)';
    await q.query(`INSERT INTO trade_rollups (${keys}, grain, declaration_count, item_count, customs_value_azn,
                 statistical_value_usd, net_weight_kg, gross_weight_kg)
      SELECT ${keys}, ${id}, count(*), sum(item_count), sum(customs_value_azn), sum(statistical_value_usd),
             sum(net_weight_kg), sum(gross_weight_kg)
        FROM (SELECT participant_id, declaration_id, registration_date, direction, customs_post_code, procedure_code,
                     ${hs} AS hs_code, ${partner} AS partner_country,
                     sum(item_count) AS item_count, sum(customs_value_azn) AS customs_value_azn,
                     sum(statistical_value_usd) AS statistical_value_usd, sum(net_weight_kg) AS net_weight_kg,
                     sum(gross_weight_kg) AS gross_weight_kg
                FROM rollup_base GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) per_declaration
       GROUP BY ${keys}`);
  }
  await q.query('DROP TABLE rollup_base');
}
