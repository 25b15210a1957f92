import { MigrationInterface, QueryRunner } from 'typeorm';
import { getConfig } from '../../config';
import { refreshAllRollups } from '../../statistics/rollups';

/**
 * Pre-aggregated statistics, maintained by the importer in the same transaction as the items.
 * One row per (participant, grain, month, direction, post, procedure[, HS prefix][, country]);
 * `grain` says which item-level columns are kept (src/statistics/rollups.ts). Only participants
 * listed in rollup_participants (enough items to pay off) have rows.
 * Columns are named as in declaration_items so the same dimension SQL applies to both.
 */
export class TradeRollups1764000000500 implements MigrationInterface {
  name = 'TradeRollups1764000000500';

  async up(q: QueryRunner): Promise<void> {
    const role = getConfig().db.appRole;
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
    await refreshAllRollups((text, params) => q.query(text, params));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS trade_rollups');
  }
}
