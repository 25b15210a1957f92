import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ParticipantEntity } from './participant.entity';
import { UserAccountEntity } from './user-account.entity';

export type ContractStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';

/** A contract registered by an officer (regulation 2.6 (1)); credentials are due one month after signing. */
@Entity({ name: 'contracts' })
// A participant has at most one contract that is not terminated.
@Index('contracts_open_participant_key', ['participantId'], { unique: true, where: "status <> 'TERMINATED'" })
// The overdue list: active contracts still waiting for credentials, by signing date.
@Index('contracts_awaiting_credentials_idx', ['credentialsDueDate'], { where: 'credentials_issued_at IS NULL' })
@Check('contracts_number_key_check', "number_key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'")
@Check('contracts_status_check', "status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')")
export class ContractEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ type: 'text' }) number: string;
  @Column({ name: 'number_key', type: 'text', unique: true }) numberKey: string;
  @Column({ name: 'signed_date', type: 'date' }) signedDate: string;
  @Column({
    name: 'credentials_due_date',
    type: 'date',
    generatedType: 'STORED',
    asExpression: `(signed_date + interval '1 month')::date`,
    // Nullable in the catalogue like every generated column without NOT NULL; never null, as signed_date is not.
    nullable: true,
    insert: false,
    update: false,
  })
  credentialsDueDate: string;
  @Column({ name: 'participant_id', type: 'bigint' })
  @ForeignKey(() => ParticipantEntity, { name: 'contracts_participant_id_fkey' })
  participantId: string;
  @Column({ type: 'text', default: 'ACTIVE' }) status: ContractStatus;
  @Column({ name: 'status_reason', type: 'text', nullable: true }) statusReason: string | null;
  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true }) statusChangedAt: Date | null;
  @Column({ name: 'status_changed_by', type: 'bigint', nullable: true })
  @ForeignKey(() => UserAccountEntity, { name: 'contracts_status_changed_by_fkey' })
  statusChangedBy: string | null;
  @Column({ name: 'non_commercial', type: 'boolean', default: false }) nonCommercial: boolean;
  @Column({ type: 'text', array: true }) documents: string[];
  @Column({ name: 'credentials_issued_at', type: 'timestamptz', nullable: true }) credentialsIssuedAt: Date | null;
  /** The officer who first issued the credentials (with credentials_issued_at). */
  @Column({ name: 'credentials_issued_by', type: 'bigint', nullable: true })
  @ForeignKey(() => UserAccountEntity, { name: 'contracts_credentials_issued_by_fkey' })
  credentialsIssuedBy: string | null;
  /** The latest issue (first or re-issue, which replaces the password) and its officer. */
  @Column({ name: 'credentials_last_issued_at', type: 'timestamptz', nullable: true })
  credentialsLastIssuedAt: Date | null;
  @Column({ name: 'credentials_last_issued_by', type: 'bigint', nullable: true })
  @ForeignKey(() => UserAccountEntity, { name: 'contracts_credentials_last_issued_by_fkey' })
  credentialsLastIssuedBy: string | null;
  @Column({ name: 'registered_by', type: 'bigint', nullable: true })
  @ForeignKey(() => UserAccountEntity, { name: 'contracts_registered_by_fkey' })
  registeredBy: string | null;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt: Date;
}
