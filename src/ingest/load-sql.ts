/**
 * The set-based statements a batch runs against the staging tables (staging.ts) and the
 * declaration tables, in the order BatchLoader (batch-loader.ts) runs them.
 */
/** Matches declarants to participants: by VÖEN, else FIN, else GÖÖEN. */
export const RESOLVE_IDENTS = `
  UPDATE ingest_idents i SET participant_id = COALESCE(
      (SELECT p.id FROM participants p WHERE p.voen = i.voen),
      (SELECT p.id FROM participants p WHERE p.fin = i.fin),
      (SELECT p.id FROM participants p WHERE p.gooen = i.gooen))
   WHERE i.participant_id IS NULL`;

/**
 * For each staged declaration number that the database already holds: whether it belongs to
 * another participant, and the declarant's own declaration (id and header). The aggregate keeps
 * the lateral subquery a probe of declarations_number_idx per declaration; a join could read
 * the whole table once per batch. At most one row per (participant, number) exists, so max()
 * of a column is that row's value.
 */
export const PROBE_DECLARATIONS = `
  SELECT s.decl_idx, f.*
    FROM ingest_decls s
    JOIN ingest_idents i USING (ident_idx)
    CROSS JOIN LATERAL (
      SELECT bool_or(d.participant_id IS DISTINCT FROM i.participant_id) AS foreign,
             max(d.id) FILTER (WHERE d.participant_id = i.participant_id)::text AS id,
             to_char(max(d.registration_date) FILTER (WHERE d.participant_id = i.participant_id), 'YYYY-MM-DD') AS registration_date,
             max(d.direction) FILTER (WHERE d.participant_id = i.participant_id)::text AS direction,
             max(d.customs_post_code) FILTER (WHERE d.participant_id = i.participant_id) AS customs_post_code,
             max(d.procedure_code) FILTER (WHERE d.participant_id = i.participant_id)::text AS procedure_code,
             max(d.declarant_name) FILTER (WHERE d.participant_id = i.participant_id) AS declarant_name
        FROM declarations d WHERE d.number = s.number) f
   WHERE f.foreign IS NOT NULL`;

/**
 * New participants, one per unmatched identity still in use, in order of first appearance
 * (name = declarant_name of that row). ON CONFLICT DO NOTHING: an identity sharing a FIN or
 * GÖÖEN with one created just before resolves to it in the next RESOLVE_IDENTS.
 */
export const CREATE_PARTICIPANTS = `
  WITH ins AS (
    INSERT INTO participants (kind, name, voen, fin, gooen, created_at)
    SELECT CASE WHEN i.voen IS NOT NULL AND i.fin IS NULL THEN 'LEGAL_ENTITY' ELSE 'NATURAL_PERSON' END,
           i.name, i.voen, i.fin, i.gooen, $1
      FROM ingest_idents i
     WHERE i.participant_id IS NULL
       AND EXISTS (SELECT 1 FROM ingest_decls s WHERE s.ident_idx = i.ident_idx)
     ORDER BY i.first_line
    ON CONFLICT DO NOTHING
    RETURNING id)
  SELECT count(*)::int AS n FROM ins`;

export const UPDATE_DECLARATIONS = `
  UPDATE declarations d
     SET registration_date = s.registration_date, direction = s.direction, customs_post_code = s.customs_post_code,
         procedure_code = s.procedure_code, declarant_name = s.declarant_name, imported_at = $1
    FROM ingest_changed s
   WHERE d.participant_id = s.participant_id AND d.id = s.declaration_id`;

export const ITEM_COLUMNS = `participant_id, declaration_id, item_number, registration_date, direction, customs_post_code,
  procedure_code, hs_code, description, origin_country, partner_country, transport_mode, net_weight_kg,
  gross_weight_kg, supplementary_quantity, supplementary_unit, invoice_value, invoice_currency,
  customs_value_azn, statistical_value_usd, unknown_reference`;
const ITEM_DATA_COLUMNS = ITEM_COLUMNS.split(',')
  .map((c) => c.trim())
  .slice(3);

/** Items of existing declarations: insert, or replace when any value differs. */
export const UPSERT_EXISTING_ITEMS = `
  WITH up AS (
    INSERT INTO declaration_items (${ITEM_COLUMNS})
    SELECT ${ITEM_COLUMNS} FROM ingest_items
    ON CONFLICT (participant_id, declaration_id, item_number) DO UPDATE
       SET ${ITEM_DATA_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
     WHERE (${ITEM_DATA_COLUMNS.map((c) => `declaration_items.${c}`).join(', ')})
           IS DISTINCT FROM (${ITEM_DATA_COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})
    RETURNING xmax = 0 AS inserted, participant_id, declaration_id, registration_date)
  INSERT INTO ingest_upserted SELECT * FROM up`;

/**
 * Items of a changed declaration that were not in the file take the new header values; the
 * declaration-level reference flags are recomputed, the item-level ones kept.
 */
export const PROPAGATE_HEADERS = `
  UPDATE declaration_items di
     SET registration_date = s.registration_date, direction = s.direction,
         customs_post_code = s.customs_post_code, procedure_code = s.procedure_code,
         unknown_reference = ARRAY(
           SELECT f FROM unnest(ARRAY['customs_post', 'procedure', 'hs_heading', 'transport_mode']) WITH ORDINALITY AS u(f, o)
            WHERE CASE WHEN f IN ('customs_post', 'procedure') THEN f = ANY (s.decl_flags) ELSE f = ANY (di.unknown_reference) END
            ORDER BY o)
    FROM ingest_changed s
   WHERE di.participant_id = s.participant_id AND di.declaration_id = s.declaration_id
     AND (di.registration_date, di.direction, di.customs_post_code, di.procedure_code)
         IS DISTINCT FROM (s.registration_date, s.direction, s.customs_post_code, s.procedure_code)`;

/** Existing declarations with inserted or replaced items: imported_at = now. */
export const TOUCH_DECLARATIONS = `
  UPDATE declarations d SET imported_at = $1
    FROM (SELECT DISTINCT participant_id, declaration_id FROM ingest_upserted) u
   WHERE d.participant_id = u.participant_id AND d.id = u.declaration_id AND d.imported_at IS DISTINCT FROM $1`;

/** Months of the items the upsert inserted or replaced. */
export const UPSERTED_MONTHS = `
  SELECT DISTINCT participant_id::text AS participant_id, to_char(registration_date, 'YYYY-MM') AS month FROM ingest_upserted`;

/** Participant of each staged declarant identity (after RESOLVE_IDENTS). */
export const IDENT_OWNERS = 'SELECT ident_idx, participant_id::text AS participant_id FROM ingest_idents';

/** Drops staged declarations whose number belongs to another participant. */
export const DROP_CONFLICTS = 'DELETE FROM ingest_decls WHERE decl_idx = ANY ($1)';

/** The declarations.id identity's sequence. */
export const ID_SEQUENCE = `SELECT pg_get_serial_sequence('declarations', 'id') AS seq`;

/** $1 ids from sequence $2, in one row. */
export const ALLOCATE_IDS = `SELECT string_agg(nextval($2::regclass)::text, ',') AS ids FROM generate_series(1, $1)`;

/** What the upsert did: items inserted and items replaced. */
export const UPSERT_COUNTS = `SELECT count(*) FILTER (WHERE inserted)::int AS ins, count(*) FILTER (WHERE NOT inserted)::int AS upd FROM ingest_upserted`;

export const COPY_STAGED_DECLS = 'COPY ingest_decls (decl_idx, number, ident_idx) FROM STDIN';
export const COPY_STAGED_IDENTS = 'COPY ingest_idents (ident_idx, voen, fin, gooen, name, first_line) FROM STDIN';
/** COPY writes identity values as given (like INSERT … OVERRIDING SYSTEM VALUE). */
export const COPY_NEW_DECLARATIONS = `COPY declarations (participant_id, id, number, registration_date, direction,
          customs_post_code, procedure_code, declarant_name, imported_at) FROM STDIN`;
export const COPY_CHANGED = `COPY ingest_changed (participant_id, declaration_id, registration_date, direction,
          customs_post_code, procedure_code, declarant_name, decl_flags) FROM STDIN`;
export const COPY_NEW_ITEMS = `COPY declaration_items (${ITEM_COLUMNS}) FROM STDIN`;
export const COPY_EXISTING_ITEMS = `COPY ingest_items (${ITEM_COLUMNS}) FROM STDIN`;
