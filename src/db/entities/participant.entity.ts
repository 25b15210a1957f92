import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ParticipantKind = 'LEGAL_ENTITY' | 'NATURAL_PERSON';

/** A foreign-trade participant: a legal entity (VÖEN) or a natural person (FIN, VÖEN or GÖÖEN). */
@Entity({ name: 'participants' })
// A VÖEN, FIN or GÖÖEN identifies at most one participant.
@Index('participants_voen_key', ['voen'], { unique: true, where: 'voen IS NOT NULL' })
@Index('participants_fin_key', ['fin'], { unique: true, where: 'fin IS NOT NULL' })
@Index('participants_gooen_key', ['gooen'], { unique: true, where: 'gooen IS NOT NULL' })
@Check('participants_kind_check', "kind IN ('LEGAL_ENTITY', 'NATURAL_PERSON')")
@Check('participants_voen_check', "voen ~ '^[0-9]{10}$'")
@Check('participants_fin_check', "fin ~ '^[0-9A-Z]{7}$'")
@Check('participants_check', 'voen IS NOT NULL OR fin IS NOT NULL OR gooen IS NOT NULL')
export class ParticipantEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'text' })
  kind: ParticipantKind;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'char', length: 10, nullable: true })
  voen: string | null;

  @Column({ type: 'char', length: 7, nullable: true })
  fin: string | null;

  @Column({ type: 'text', nullable: true })
  gooen: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
