import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ParticipantEntity } from './participant.entity';

export type ComplaintStatus = 'RECEIVED' | 'IN_REVIEW' | 'ANSWERED';
export type ComplaintChannel = 'ELECTRONIC' | 'PAPER';

/**
 * A complaint (regulation 3.5.1–3.5.3), filed electronically or recorded from paper by an officer.
 * Row-level security keeps a trader's complaints to that trader (migration 1764000000300).
 */
@Entity({ name: 'complaints' })
// Officers page newest first; traders page their own newest first; the overdue list reads open ones by due date.
@Index('complaints_page_idx', ['filedAt', 'id'])
@Index('complaints_participant_idx', ['participantId', 'filedAt', 'id'], { where: 'participant_id IS NOT NULL' })
@Index('complaints_open_due_idx', ['dueDate'], { where: "status <> 'ANSWERED'" })
@Check('complaints_channel_check', "channel IN ('ELECTRONIC', 'PAPER')")
@Check('complaints_status_check', "status IN ('RECEIVED', 'IN_REVIEW', 'ANSWERED')")
@Check('complaints_name_check', 'char_length(name) BETWEEN 1 AND 100')
@Check('complaints_patronymic_check', 'char_length(patronymic) BETWEEN 1 AND 100')
@Check('complaints_surname_check', 'char_length(surname) BETWEEN 1 AND 100')
@Check('complaints_address_check', 'char_length(address) BETWEEN 1 AND 300')
@Check('complaints_postal_address_check', 'char_length(postal_address) BETWEEN 1 AND 300')
@Check('complaints_workplace_check', 'char_length(workplace) BETWEEN 1 AND 300')
@Check('complaints_email_check', 'char_length(email) BETWEEN 3 AND 254')
@Check('complaints_declaration_number_check', 'char_length(declaration_number) BETWEEN 1 AND 100')
@Check('complaints_body_check', 'char_length(body) BETWEEN 1 AND 5000')
@Check('complaints_answer_check', 'char_length(answer) BETWEEN 1 AND 5000')
@Check('complaints_check', 'address IS NOT NULL OR postal_address IS NOT NULL OR workplace IS NOT NULL')
@Check('complaints_check1', "(channel = 'PAPER') = (recorded_by IS NOT NULL)")
@Check('complaints_check2', "channel = 'ELECTRONIC' OR participant_id IS NULL")
@Check('complaints_check3', 'participant_id IS NOT NULL OR (declaration_number IS NULL AND audit_record_id IS NULL)')
@Check(
  'complaints_check4',
  "(status = 'ANSWERED') = (answer IS NOT NULL AND answered_at IS NOT NULL AND answered_by IS NOT NULL)",
)
@Check('complaints_check5', "status <> 'IN_REVIEW' OR review_started_at IS NOT NULL")
@Check(
  'complaints_receipt_check',
  '(receipt_seq IS NULL) = (receipt_leaf_hash IS NULL) AND (receipt_seq IS NULL OR participant_id IS NOT NULL)',
)
export class ComplaintEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ type: 'text' }) channel: ComplaintChannel;
  @Column({ type: 'text', default: 'RECEIVED' }) status: ComplaintStatus;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) patronymic: string;
  @Column({ type: 'text' }) surname: string;
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ name: 'postal_address', type: 'text', nullable: true }) postalAddress: string | null;
  @Column({ type: 'text', nullable: true }) workplace: string | null;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ name: 'declaration_number', type: 'text', nullable: true }) declarationNumber: string | null;
  @Column({ name: 'audit_record_id', type: 'bigint', nullable: true }) auditRecordId: string | null;
  @Column({ type: 'text' }) body: string;
  /** The filer's participant when a trader filed it logged in (taken from the session). */
  @Column({ name: 'participant_id', type: 'bigint', nullable: true })
  @ForeignKey(() => ParticipantEntity, { name: 'complaints_participant_id_fkey' })
  participantId: string | null;
  /** The officer (session username) who typed in a paper complaint. */
  @Column({ name: 'recorded_by', type: 'text', nullable: true }) recordedBy: string | null;
  @Column({ name: 'filed_at', type: 'timestamptz' }) filedAt: Date;
  @Column({ name: 'due_date', type: 'date' }) dueDate: string;
  @Column({ name: 'review_started_at', type: 'timestamptz', nullable: true }) reviewStartedAt: Date | null;
  @Column({ name: 'review_started_by', type: 'text', nullable: true }) reviewStartedBy: string | null;
  @Column({ type: 'text', nullable: true }) answer: string | null;
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true }) answeredAt: Date | null;
  @Column({ name: 'answered_by', type: 'text', nullable: true }) answeredBy: string | null;
  /** A receipt the filer cited (migration 1764000001100): its chain position and leaf hash, checked on filing. */
  @Column({ name: 'receipt_seq', type: 'bigint', nullable: true }) receiptSeq: string | null;
  @Column({ name: 'receipt_leaf_hash', type: 'bytea', nullable: true }) receiptLeafHash: Buffer | null;
}
