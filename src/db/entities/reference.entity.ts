import { Column, Entity, PrimaryColumn } from 'typeorm';

/** ISO 3166-1 country with names in Azerbaijani, English and Russian. */
@Entity({ name: 'countries' })
export class CountryEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ type: 'char', length: 3 }) alpha3: string;
  @Column({ name: 'name_az', type: 'text' }) nameAz: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
  @Column({ name: 'name_ru', type: 'text' }) nameRu: string;
}

/** Harmonized System chapter (2 digits). */
@Entity({ name: 'hs_chapters' })
export class HsChapterEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}

/** Harmonized System heading (4 digits). */
@Entity({ name: 'hs_headings' })
export class HsHeadingEntity {
  @PrimaryColumn({ type: 'char', length: 4 }) code: string;
  @Column({ name: 'chapter_code', type: 'char', length: 2 }) chapterCode: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
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
export class CustomsProcedureEntity {
  @PrimaryColumn({ type: 'char', length: 2 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}

/** Mode of transport at the border (1 digit). */
@Entity({ name: 'transport_modes' })
export class TransportModeEntity {
  @PrimaryColumn({ type: 'char', length: 1 }) code: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn: string;
}
