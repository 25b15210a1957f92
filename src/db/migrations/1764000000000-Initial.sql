-- Participants, declarations and their items (the tenant tables), reference data, sessions,
-- and the request role with row-level security.
--
-- Tenant tables carry participant_id first in every key so that a distributed PostgreSQL
-- (Citus) could shard them by participant later. Index choice for the statistics queries is
-- explained in docs/indexes.md with EXPLAIN output.

-- migrate:up
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{app_role}}') THEN
    CREATE ROLE {{app_role}} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;

GRANT {{app_role}} TO CURRENT_USER;

CREATE TABLE countries (
  code char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
  alpha3 char(3) NOT NULL,
  name_az text NOT NULL,
  name_en text NOT NULL,
  name_ru text NOT NULL
);

CREATE TABLE hs_chapters (
  code char(2) PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name_en text NOT NULL
);

CREATE TABLE hs_headings (
  code char(4) PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
  chapter_code char(2) NOT NULL REFERENCES hs_chapters(code),
  name_en text NOT NULL
);

CREATE TABLE customs_posts (
  code text PRIMARY KEY,
  name_az text NOT NULL,
  name_en text NOT NULL
);

CREATE TABLE customs_procedures (
  code char(2) PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name_en text NOT NULL
);

CREATE TABLE transport_modes (
  code char(1) PRIMARY KEY CHECK (code ~ '^[0-9]$'),
  name_en text NOT NULL
);

CREATE TABLE participants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('LEGAL_ENTITY', 'NATURAL_PERSON')),
  name text NOT NULL,
  voen char(10) CHECK (voen ~ '^[0-9]{10}$'),
  fin char(7) CHECK (fin ~ '^[0-9A-Z]{7}$'),
  gooen text,
  created_at timestamptz NOT NULL,
  CHECK (voen IS NOT NULL OR fin IS NOT NULL OR gooen IS NOT NULL)
);

-- A VÖEN, FIN or GÖÖEN identifies at most one participant.
CREATE UNIQUE INDEX participants_voen_key ON participants (voen) WHERE voen IS NOT NULL;

CREATE UNIQUE INDEX participants_fin_key ON participants (fin) WHERE fin IS NOT NULL;

CREATE UNIQUE INDEX participants_gooen_key ON participants (gooen) WHERE gooen IS NOT NULL;

CREATE TABLE declarations (
  participant_id bigint NOT NULL REFERENCES participants(id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  number text NOT NULL,
  registration_date date NOT NULL,
  direction char(2) NOT NULL CHECK (direction IN ('IM', 'EX')),
  customs_post_code text NOT NULL,
  procedure_code char(2) NOT NULL,
  declarant_name text NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (participant_id, id),
  UNIQUE (participant_id, number)
);

-- Declarations page newest first: (participant, date desc, id desc) is the cursor order.
CREATE INDEX declarations_page_idx ON declarations (participant_id, registration_date DESC, id DESC);

-- The import looks a declaration number up across participants (a number belongs to one declarant).
CREATE INDEX declarations_number_idx ON declarations (number);

-- Items repeat the declaration-level columns they are grouped by (date, direction, post,
-- procedure): statistics then read one table. The import keeps them equal to the declaration's.
CREATE TABLE declaration_items (
  participant_id bigint NOT NULL,
  declaration_id bigint NOT NULL,
  item_number integer NOT NULL CHECK (item_number >= 1),
  registration_date date NOT NULL,
  direction char(2) NOT NULL CHECK (direction IN ('IM', 'EX')),
  customs_post_code text NOT NULL,
  procedure_code char(2) NOT NULL,
  hs_code char(10) NOT NULL CHECK (hs_code ~ '^[0-9]{10}$'),
  description text,
  origin_country char(2),
  partner_country char(2) NOT NULL,
  transport_mode char(1),
  net_weight_kg numeric(18,3) NOT NULL CHECK (net_weight_kg >= 0),
  gross_weight_kg numeric(18,3) NOT NULL CHECK (gross_weight_kg >= net_weight_kg),
  supplementary_quantity numeric(18,3) CHECK (supplementary_quantity >= 0),
  supplementary_unit text,
  invoice_value numeric(18,2) CHECK (invoice_value >= 0),
  invoice_currency char(3),
  customs_value_azn numeric(18,2) NOT NULL CHECK (customs_value_azn >= 0),
  statistical_value_usd numeric(18,2) NOT NULL CHECK (statistical_value_usd >= 0),
  -- Reference flags: formats are validated on import, membership is only flagged.
  unknown_reference text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (participant_id, declaration_id, item_number),
  FOREIGN KEY (participant_id, declaration_id) REFERENCES declarations (participant_id, id) ON DELETE CASCADE
);

-- Statistics always filter by participant and usually by a date range.
CREATE INDEX declaration_items_stats_idx ON declaration_items (participant_id, registration_date);

CREATE INDEX declaration_items_hs_idx ON declaration_items (participant_id, hs_code);

CREATE TABLE sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  participant_id bigint REFERENCES participants(id),
  user_account_id bigint,
  role text NOT NULL CHECK (role IN ('TRADER', 'OFFICER')),
  auth_method text NOT NULL CHECK (auth_method IN ('PASSWORD', 'SIGNATURE', 'PORTAL')),
  username text,
  must_change_password boolean NOT NULL DEFAULT false,
  authn_detail jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  CHECK (role <> 'TRADER' OR participant_id IS NOT NULL)
);

CREATE INDEX sessions_participant_idx ON sessions (participant_id) WHERE revoked_at IS NULL;

ALTER TABLE declarations ENABLE ROW LEVEL SECURITY;

CREATE POLICY declarations_tenant ON declarations FOR ALL TO {{app_role}}
USING (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint)
WITH CHECK (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

GRANT SELECT ON declarations TO {{app_role}};

ALTER TABLE declaration_items ENABLE ROW LEVEL SECURITY;

CREATE POLICY declaration_items_tenant ON declaration_items FOR ALL TO {{app_role}}
USING (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint)
WITH CHECK (participant_id = NULLIF(current_setting('app.participant_id', true), '')::bigint);

GRANT SELECT ON declaration_items TO {{app_role}};

GRANT SELECT ON countries, hs_chapters, hs_headings, customs_posts, customs_procedures, transport_modes, participants TO {{app_role}};

GRANT SELECT, INSERT, UPDATE ON sessions TO {{app_role}};

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {{app_role}};

-- migrate:down
DROP TABLE IF EXISTS sessions;

DROP TABLE IF EXISTS declaration_items;

DROP TABLE IF EXISTS declarations;

DROP TABLE IF EXISTS participants;

DROP TABLE IF EXISTS transport_modes;

DROP TABLE IF EXISTS customs_procedures;

DROP TABLE IF EXISTS customs_posts;

DROP TABLE IF EXISTS hs_headings;

DROP TABLE IF EXISTS hs_chapters;

DROP TABLE IF EXISTS countries;
