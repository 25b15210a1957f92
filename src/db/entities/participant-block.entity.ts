import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ParticipantEntity } from './participant.entity';
import { UserAccountEntity } from './user-account.entity';

/**
 * An officer's block of a participant (blockParticipant), kept after it is lifted. While a block is
 * open (unblocked_at null), every login of the participant is refused and the session look-up
 * refuses its sessions. Migration 1764000000900.
 */
@Entity({ name: 'participant_blocks' })
// At most one open block per participant: what the login and the session look-up check.
@Index('participant_blocks_open_key', ['participantId'], { unique: true, where: 'unblocked_at IS NULL' })
@Check('participant_blocks_reason_check', 'char_length(reason) BETWEEN 1 AND 2000')
@Check('participant_blocks_check', '(unblocked_at IS NULL) = (unblocked_by IS NULL)')
export class ParticipantBlockEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'participant_id', type: 'bigint' })
  @ForeignKey(() => ParticipantEntity, { name: 'participant_blocks_participant_id_fkey' })
  participantId: string;
  @Column({ type: 'text' }) reason: string;
  @Column({ name: 'blocked_at', type: 'timestamptz' }) blockedAt: Date;
  @Column({ name: 'blocked_by', type: 'bigint' })
  @ForeignKey(() => UserAccountEntity, { name: 'participant_blocks_blocked_by_fkey' })
  blockedBy: string;
  @Column({ name: 'unblocked_at', type: 'timestamptz', nullable: true }) unblockedAt: Date | null;
  @Column({ name: 'unblocked_by', type: 'bigint', nullable: true })
  @ForeignKey(() => UserAccountEntity, { name: 'participant_blocks_unblocked_by_fkey' })
  unblockedBy: string | null;
}
