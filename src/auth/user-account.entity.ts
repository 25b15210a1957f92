import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../db/entities/session.entity';

/**
 * A username/password account: an officer, or the holder of one contract (trader). Only the
 * argon2id hash of the password is stored; the username is stored normalised (lower case).
 */
@Entity({ name: 'user_accounts' })
export class UserAccountEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ type: 'text', unique: true }) username: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash: string;
  @Column({ type: 'text' }) role: Role;
  @Column({ name: 'participant_id', type: 'bigint', nullable: true }) participantId: string | null;
  @Column({ name: 'contract_id', type: 'bigint', nullable: true, unique: true }) contractId: string | null;
  @Column({ name: 'must_change_password', type: 'boolean' }) mustChangePassword: boolean;
  @Column({ name: 'password_changed_at', type: 'timestamptz' }) passwordChangedAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt: Date | null;
}

/** A failed-login counter, per username string (its SHA-256) or per client address. */
@Entity({ name: 'login_throttle' })
export class LoginThrottleEntity {
  @Column({ type: 'text', primary: true }) scope: 'USERNAME' | 'ADDRESS';
  @Column({ type: 'text', primary: true }) key: string;
  @Column({ type: 'integer' }) failures: number;
  @Column({ name: 'window_started_at', type: 'timestamptz' }) windowStartedAt: Date;
  @Column({ name: 'last_failure_at', type: 'timestamptz' }) lastFailureAt: Date;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
}
