import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ParticipantEntity } from './participant.entity';

export type DirectionCode = 'IM' | 'EX';

/**
 * The declaration-level columns a declaration and each of its items carry alike (the items repeat them
 * so that statistics group and filter items without a join).
 */
export abstract class DeclarationLevelColumns {
  @Column({ name: 'registration_date', type: 'date' })
  registrationDate: string;

  @Column({ type: 'char', length: 2 })
  direction: DirectionCode;

  @Column({ name: 'customs_post_code', type: 'text' })
  customsPostCode: string;

  @Column({ name: 'procedure_code', type: 'char', length: 2 })
  procedureCode: string;
}

/** A customs declaration of one participant (tenant table: participant_id leads the key). */
@Entity({ name: 'declarations' })
@Unique('declarations_participant_id_number_key', ['participantId', 'number'])
// Declarations page newest first: (participant, date desc, id desc) is the cursor order.
@Index('declarations_page_idx', ['participantId', 'registrationDate', 'id'])
// The import looks a declaration number up across participants (a number belongs to one declarant).
@Index('declarations_number_idx', ['number'])
@Check('declarations_direction_check', "direction IN ('IM', 'EX')")
export class DeclarationEntity extends DeclarationLevelColumns {
  @PrimaryColumn({ name: 'participant_id', type: 'bigint' })
  @ForeignKey(() => ParticipantEntity, { name: 'declarations_participant_id_fkey' })
  participantId: string;

  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'text' })
  number: string;

  @Column({ name: 'declarant_name', type: 'text' })
  declarantName: string;

  @Column({ name: 'imported_at', type: 'timestamptz' })
  importedAt: Date;
}
