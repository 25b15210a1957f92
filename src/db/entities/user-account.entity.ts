import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ContractEntity } from './contract.entity';
import { ParticipantEntity } from './participant.entity';
import type { Role } from './session.entity';

/**
 * A username/password account: an officer, or the holder of one contract (trader). Only the
 * argon2id hash of the password is stored; the username is stored normalised (lower case).
 */
@Entity({ name: 'user_accounts' })
@Check('user_accounts_username_check', "username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'")
@Check('user_accounts_password_hash_check', "password_hash LIKE '$argon2id$%'")
@Check('user_accounts_role_check', "role IN ('TRADER', 'OFFICER')")
@Check('user_accounts_check', "(role = 'TRADER') = (participant_id IS NOT NULL AND contract_id IS NOT NULL)")
export class UserAccountEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ type: 'text', unique: true }) username: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash: string;
  @Column({ type: 'text' }) role: Role;
  @Column({ name: 'participant_id', type: 'bigint', nullable: true })
  @ForeignKey(() => ParticipantEntity, { name: 'user_accounts_participant_id_fkey' })
  participantId: string | null;
  @Column({ name: 'contract_id', type: 'bigint', nullable: true, unique: true })
  @ForeignKey(() => ContractEntity, { name: 'user_accounts_contract_id_fkey' })
  contractId: string | null;
  @Column({ name: 'must_change_password', type: 'boolean', default: true }) mustChangePassword: boolean;
  @Column({ name: 'password_changed_at', type: 'timestamptz' }) passwordChangedAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt: Date | null;
}

/** A failed-login counter, per username string (its SHA-256) or per client address. */
@Entity({ name: 'login_throttle' })
@Index('login_throttle_age_idx', ['lastFailureAt'])
@Check('login_throttle_scope_check', "scope IN ('USERNAME', 'ADDRESS')")
@Check('login_throttle_failures_check', 'failures >= 0')
export class LoginThrottleEntity {
  @Column({ type: 'text', primary: true }) scope: 'USERNAME' | 'ADDRESS';
  @Column({ type: 'text', primary: true }) key: string;
  @Column({ type: 'integer', default: 0 }) failures: number;
  @Column({ name: 'window_started_at', type: 'timestamptz' }) windowStartedAt: Date;
  @Column({ name: 'last_failure_at', type: 'timestamptz' }) lastFailureAt: Date;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
}
