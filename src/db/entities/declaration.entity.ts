import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DirectionCode = 'IM' | 'EX';

/** A customs declaration of one participant (tenant table: participant_id leads the key). */
@Entity({ name: 'declarations' })
export class DeclarationEntity {
  @PrimaryColumn({ name: 'participant_id', type: 'bigint' })
  participantId: string;

  @PrimaryColumn({ type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'text' })
  number: string;

  @Column({ name: 'registration_date', type: 'date' })
  registrationDate: string;

  @Column({ type: 'char', length: 2 })
  direction: DirectionCode;

  @Column({ name: 'customs_post_code', type: 'text' })
  customsPostCode: string;

  @Column({ name: 'procedure_code', type: 'char', length: 2 })
  procedureCode: string;

  @Column({ name: 'declarant_name', type: 'text' })
  declarantName: string;

  @Column({ name: 'imported_at', type: 'timestamptz' })
  importedAt: Date;
}
