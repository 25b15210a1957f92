-- TypeORM reads the expression of a generated column from its own `typeorm_metadata` table (the
-- catalogue's text is formatted differently). contracts.credentials_due_date was created by plain
-- SQL in 1764000000100, so the row was missing and TypeORM's schema diff wanted to drop and re-add
-- the column. This records it, as TypeORM's own DDL would have; the value is the entity's
-- `asExpression` (src/db/entities/contract.entity.ts) verbatim.

-- migrate:up
CREATE TABLE IF NOT EXISTS typeorm_metadata (
  "type" varchar NOT NULL,
  "database" varchar,
  "schema" varchar,
  "table" varchar,
  "name" varchar,
  "value" text
);

INSERT INTO typeorm_metadata ("type", "database", "schema", "table", "name", "value")
SELECT 'GENERATED_COLUMN', current_database(), current_schema(), 'contracts', 'credentials_due_date',
       '(signed_date + interval ''1 month'')::date'
 WHERE NOT EXISTS (SELECT 1 FROM typeorm_metadata
                    WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'contracts' AND "name" = 'credentials_due_date');

-- migrate:down
DELETE FROM typeorm_metadata WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'contracts' AND "name" = 'credentials_due_date';
