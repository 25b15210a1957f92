-- Pre-aggregated statistics, maintained by the importer in the same transaction as the items.
-- One row per (participant, grain, month, direction, post, procedure[, HS prefix][, country]);
-- `grain` says which item-level columns are kept (0/1: no HS, 2/3: HS2, 4/5: HS4; odd: with the
-- partner country; see src/statistics/rollups.ts). Only participants
-- listed in rollup_participants (enough items to pay off) have rows.
-- Columns are named as in declaration_items so the same dimension SQL applies to both.

-- migrate:up
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
);

CREATE INDEX trade_rollups_lookup_idx ON trade_rollups (participant_id, grain, registration_date);

ALTER TABLE trade_rollups ENABLE ROW LEVEL SECURITY;

CREATE POLICY trade_rollups_tenant ON trade_rollups FOR ALL TO {{app_role}}
USING (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

GRANT SELECT ON trade_rollups TO {{app_role}};

CREATE TABLE rollup_participants (
  participant_id bigint PRIMARY KEY REFERENCES participants(id)
);

GRANT SELECT ON rollup_participants TO {{app_role}};

-- The rollups of the participants that already had 20,000 items (STATS_ROLLUP_MIN_ITEMS' default
-- when this migration shipped), computed with the SQL src/statistics/rollups.ts ran on that day.
-- On a new database there are no items yet and the statements below insert nothing.
INSERT INTO rollup_participants (participant_id)
SELECT i.participant_id FROM declaration_items i GROUP BY i.participant_id HAVING count(*) >= 20000;

SET LOCAL work_mem = '256MB';

DROP TABLE IF EXISTS rollup_base;

CREATE TEMP TABLE rollup_base ON COMMIT DROP AS
SELECT i.participant_id, i.declaration_id, date_trunc('month', i.registration_date)::date AS registration_date,
       i.direction, i.customs_post_code, i.procedure_code, left(i.hs_code, 4) AS hs4, i.partner_country,
       count(*)::int AS item_count, sum(i.customs_value_azn) AS customs_value_azn,
       sum(i.statistical_value_usd) AS statistical_value_usd, sum(i.net_weight_kg) AS net_weight_kg,
       sum(i.gross_weight_kg) AS gross_weight_kg
  FROM declaration_items i
 WHERE i.participant_id IN (SELECT participant_id FROM rollup_participants)
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

ANALYZE rollup_base;

-- The six grains of that day: grain = 2 × (index of the HS level 0, 2, 4) + (1 when the partner country is
-- kept). A row counts the declarations of its group: items are summed per declaration first.
INSERT INTO trade_rollups (participant_id, registration_date, direction, customs_post_code, procedure_code, hs_code,
                           partner_country, grain, declaration_count, item_count, customs_value_azn,
                           statistical_value_usd, net_weight_kg, gross_weight_kg)
SELECT participant_id, registration_date, direction, customs_post_code, procedure_code, hs_code, partner_country,
       grain, count(*), sum(item_count), sum(customs_value_azn), sum(statistical_value_usd), sum(net_weight_kg),
       sum(gross_weight_kg)
  FROM (SELECT b.participant_id, b.declaration_id, b.registration_date, b.direction, b.customs_post_code,
               b.procedure_code, CASE WHEN g.hs_level = 0 THEN NULL ELSE left(b.hs4, g.hs_level) END AS hs_code,
               CASE WHEN g.with_country THEN b.partner_country END AS partner_country, g.grain,
               sum(b.item_count) AS item_count, sum(b.customs_value_azn) AS customs_value_azn,
               sum(b.statistical_value_usd) AS statistical_value_usd, sum(b.net_weight_kg) AS net_weight_kg,
               sum(b.gross_weight_kg) AS gross_weight_kg
          FROM rollup_base b
         CROSS JOIN (VALUES (0, 0, false), (1, 0, true), (2, 2, false), (3, 2, true), (4, 4, false), (5, 4, true))
               AS g (grain, hs_level, with_country)
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) per_declaration
 GROUP BY participant_id, registration_date, direction, customs_post_code, procedure_code, hs_code, partner_country,
          grain;

DROP TABLE rollup_base;

-- migrate:down
DROP TABLE IF EXISTS trade_rollups;
