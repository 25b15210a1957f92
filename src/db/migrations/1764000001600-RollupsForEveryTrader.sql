-- Statistics rollups for every trader (issue 9: STATS_ROLLUP_MIN_ITEMS now defaults to 0, so the importer
-- lists every trader it loads). Traders whose items were loaded before this change, under the old threshold
-- of 20,000 items, are listed here and get their rollups now, so every trader's statistics read the rollups
-- from the first start after the upgrade rather than after their next import. Already listed traders are
-- left as they are. The statements are those of migration 1764000000500 (the SQL src/statistics/rollups.ts
-- computes), limited to the newly listed traders; on a new database they insert nothing.

-- migrate:up
CREATE TEMP TABLE rollup_newcomers ON COMMIT DROP AS
SELECT DISTINCT i.participant_id FROM declaration_items i
 WHERE NOT EXISTS (SELECT 1 FROM rollup_participants r WHERE r.participant_id = i.participant_id);

INSERT INTO rollup_participants (participant_id) SELECT participant_id FROM rollup_newcomers;

SET LOCAL work_mem = '256MB';

DROP TABLE IF EXISTS rollup_base;

CREATE TEMP TABLE rollup_base ON COMMIT DROP AS
SELECT i.participant_id, i.declaration_id, date_trunc('month', i.registration_date)::date AS registration_date,
       i.direction, i.customs_post_code, i.procedure_code, left(i.hs_code, 4) AS hs4, i.partner_country,
       count(*)::int AS item_count, sum(i.customs_value_azn) AS customs_value_azn,
       sum(i.statistical_value_usd) AS statistical_value_usd, sum(i.net_weight_kg) AS net_weight_kg,
       sum(i.gross_weight_kg) AS gross_weight_kg
  FROM declaration_items i
 WHERE i.participant_id IN (SELECT participant_id FROM rollup_newcomers)
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

ANALYZE rollup_base;

-- The six grains, as in migration 1764000000500: grain = 2 × (index of the HS level 0, 2, 4) + (1 when the partner country is
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

DROP TABLE rollup_newcomers;

-- migrate:down
-- Rollups are derived data: going back leaves them (and the listing) in place, which is still exact.
SELECT 1;
