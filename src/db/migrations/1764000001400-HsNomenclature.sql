-- The whole HS 2022 nomenclature as reference data (loaded from data/hs/ at every start, like the other
-- reference tables): its 21 sections, each chapter's section, and the 6-digit subheadings under the
-- headings. Chapters, headings and subheadings get `name_az` and `name_ru` next to `name_en`, empty
-- until an authoritative translation is loaded: the API falls back to English and says so, it never
-- invents a name.

-- migrate:up
CREATE TABLE hs_sections (
  code text PRIMARY KEY CONSTRAINT hs_sections_code_check CHECK (code ~ '^[IVX]+$'),
  name_en text NOT NULL
);

ALTER TABLE hs_chapters
  ADD COLUMN section_code text CONSTRAINT hs_chapters_section_code_fkey REFERENCES hs_sections(code),
  ADD COLUMN name_az text,
  ADD COLUMN name_ru text;

ALTER TABLE hs_headings ADD COLUMN name_az text, ADD COLUMN name_ru text;

CREATE TABLE hs_subheadings (
  code char(6) PRIMARY KEY CONSTRAINT hs_subheadings_code_check CHECK (code ~ '^[0-9]{6}$'),
  heading_code char(4) NOT NULL CONSTRAINT hs_subheadings_heading_code_fkey REFERENCES hs_headings(code),
  name_en text NOT NULL,
  name_az text,
  name_ru text
);

GRANT SELECT ON hs_sections, hs_subheadings TO {{app_role}};

-- migrate:down
DROP TABLE hs_subheadings;

ALTER TABLE hs_headings DROP COLUMN name_az, DROP COLUMN name_ru;

ALTER TABLE hs_chapters DROP COLUMN section_code, DROP COLUMN name_az, DROP COLUMN name_ru;

DROP TABLE hs_sections;
