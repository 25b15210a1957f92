import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ParticipantKind = 'LEGAL_ENTITY' | 'NATURAL_PERSON';

/** A foreign-trade participant: a legal entity (VÖEN) or a natural person (FIN, VÖEN or GÖÖEN). */
@Entity({ name: 'participants' })
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
