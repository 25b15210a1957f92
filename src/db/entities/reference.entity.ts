import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** ISO 3166-1 country with names in Azerbaijani, English and Russian. */
@Entity({ name: 'countries' })
@Check('countries_code_check', "code ~ '^[A-Z]{2}$'")
export class CountryEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ type: 'char', length: 3 }) alpha3: string;
  @Column({ name: 'name_az', type: 'text' }) nameAz: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
  @Column({ name: 'name_ru', type: 'text' }) nameRu: string;
}

/** Harmonized System section (Roman numeral), loaded from data/hs/sections.csv. */
@Entity({ name: 'hs_sections' })
@Check('hs_sections_code_check', "code ~ '^[IVX]+$'")
export class HsSectionEntity {
  @PrimaryColumn({ type: 'text' }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}

/** Harmonized System chapter (2 digits). Names in az/ru are null until a translation is loaded. */
@Entity({ name: 'hs_chapters' })
@Check('hs_chapters_code_check', "code ~ '^[0-9]{2}$'")
export class HsChapterEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
  @Column({ name: 'section_code', type: 'text', nullable: true })
  @ForeignKey(() => HsSectionEntity, { name: 'hs_chapters_section_code_fkey' })
  sectionCode: string | null;
  @Column({ name: 'name_az', type: 'text', nullable: true }) nameAz: string | null;
  @Column({ name: 'name_ru', type: 'text', nullable: true }) nameRu: string | null;
}

/** Harmonized System heading (4 digits). */
@Entity({ name: 'hs_headings' })
@Check('hs_headings_code_check', "code ~ '^[0-9]{4}$'")
export class HsHeadingEntity {
  @PrimaryColumn({ type: 'char', length: 4 }) code: string;
  @Column({ name: 'chapter_code', type: 'char', length: 2 })
  @ForeignKey(() => HsChapterEntity, { name: 'hs_headings_chapter_code_fkey' })
  chapterCode: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
  @Column({ name: 'name_az', type: 'text', nullable: true }) nameAz: string | null;
  @Column({ name: 'name_ru', type: 'text', nullable: true }) nameRu: string | null;
}

/** Harmonized System subheading (6 digits). */
@Entity({ name: 'hs_subheadings' })
@Check('hs_subheadings_code_check', "code ~ '^[0-9]{6}$'")
export class HsSubheadingEntity {
  @PrimaryColumn({ type: 'char', length: 6 }) code: string;
  @Column({ name: 'heading_code', type: 'char', length: 4 })
  @ForeignKey(() => HsHeadingEntity, { name: 'hs_subheadings_heading_code_fkey' })
  headingCode: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
  @Column({ name: 'name_az', type: 'text', nullable: true }) nameAz: string | null;
  @Column({ name: 'name_ru', type: 'text', nullable: true }) nameRu: string | null;
}

/** A customs post (office) where declarations are lodged. */
@Entity({ name: 'customs_posts' })
export class CustomsPostEntity {
  @PrimaryColumn({ type: 'text' }) code: string;
  @Column({ name: 'name_az', type: 'text' }) nameAz: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}

/** A customs procedure code (2 digits, e.g. 40 release for free circulation). */
@Entity({ name: 'customs_procedures' })
@Check('customs_procedures_code_check', "code ~ '^[0-9]{2}$'")
export class CustomsProcedureEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}

/** Mode of transport at the border (1 digit). */
@Entity({ name: 'transport_modes' })
@Check('transport_modes_code_check', "code ~ '^[0-9]$'")
export class TransportModeEntity {
  @PrimaryColumn({ type: 'char', length: 1 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}
