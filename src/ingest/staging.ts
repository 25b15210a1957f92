/**
 * The import's staging tables: TEMP tables of the import's own transaction (ON COMMIT DROP),
 * emptied before every batch.
 */
import type { PoolClient } from 'pg';

/** Empties the staging tables before a batch. */
export const TRUNCATE_STAGING = 'TRUNCATE ingest_items, ingest_decls, ingest_idents, ingest_changed, ingest_upserted';

export async function createStagingTables(client: PoolClient): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ingest_decls (
      decl_idx integer PRIMARY KEY,
      number text NOT NULL,
      ident_idx integer NOT NULL
    ) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_idents (
      ident_idx integer PRIMARY KEY,
      voen char(10),
      fin char(7),
      gooen text,
      name text NOT NULL,
      first_line integer NOT NULL,
      participant_id bigint
    ) ON COMMIT DROP`);
  // Existing declarations whose header changes.
  await client.query(`
    CREATE TEMP TABLE ingest_changed (
      participant_id bigint NOT NULL,
      declaration_id bigint NOT NULL,
      registration_date date NOT NULL,
      direction char(2) NOT NULL,
      customs_post_code text NOT NULL,
      procedure_code char(2) NOT NULL,
      declarant_name text NOT NULL,
      decl_flags text[] NOT NULL
    ) ON COMMIT DROP`);
  // Items of declarations that already exist, keys included, before the upsert.
  await client.query(`CREATE TEMP TABLE ingest_items (LIKE declaration_items) ON COMMIT DROP`);
  await client.query(`
    CREATE TEMP TABLE ingest_upserted (
      inserted boolean NOT NULL,
      participant_id bigint NOT NULL,
      declaration_id bigint NOT NULL,
      registration_date date NOT NULL
    ) ON COMMIT DROP`);
}
