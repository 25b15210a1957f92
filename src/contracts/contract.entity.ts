import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ContractStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';

/** A contract registered by an officer (regulation 2.6 (1)); credentials are due one month after signing. */
@Entity({ name: 'contracts' })
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
    insert: false,
    update: false,
  })
  credentialsDueDate: string;
  @Column({ name: 'participant_id', type: 'bigint' }) participantId: string;
  @Column({ type: 'text' }) status: ContractStatus;
  @Column({ name: 'status_reason', type: 'text', nullable: true }) statusReason: string | null;
  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true }) statusChangedAt: Date | null;
  @Column({ name: 'status_changed_by', type: 'bigint', nullable: true }) statusChangedBy: string | null;
  @Column({ name: 'non_commercial', type: 'boolean' }) nonCommercial: boolean;
  @Column({ type: 'text', array: true }) documents: string[];
  @Column({ name: 'credentials_issued_at', type: 'timestamptz', nullable: true }) credentialsIssuedAt: Date | null;
  @Column({ name: 'registered_by', type: 'bigint', nullable: true }) registeredBy: string | null;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt: Date;
}
