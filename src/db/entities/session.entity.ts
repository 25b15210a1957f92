import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ParticipantEntity } from './participant.entity';

export type Role = 'TRADER' | 'OFFICER';
export type AuthMethod = 'PASSWORD' | 'SIGNATURE' | 'PORTAL';

/** A login session; only the SHA-256 of its bearer token is stored. */
@Entity({ name: 'sessions' })
@Unique('sessions_token_hash_key', ['tokenHash'])
@Index('sessions_participant_idx', ['participantId'], { where: 'revoked_at IS NULL' })
@Check('sessions_role_check', "role IN ('TRADER', 'OFFICER')")
@Check('sessions_auth_method_check', "auth_method IN ('PASSWORD', 'SIGNATURE', 'PORTAL')")
@Check('sessions_check', "role <> 'TRADER' OR participant_id IS NOT NULL")
export class SessionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'token_hash', type: 'bytea' }) tokenHash: Buffer;
  @Column({ name: 'participant_id', type: 'bigint', nullable: true })
  @ForeignKey(() => ParticipantEntity, { name: 'sessions_participant_id_fkey' })
  participantId: string | null;
  @Column({ name: 'user_account_id', type: 'bigint', nullable: true }) userAccountId: string | null;
  @Column({ type: 'text' }) role: Role;
  @Column({ name: 'auth_method', type: 'text' }) authMethod: AuthMethod;
  @Column({ type: 'text', nullable: true }) username: string | null;
  @Column({ name: 'must_change_password', type: 'boolean', default: false }) mustChangePassword: boolean;
  @Column({ name: 'authn_detail', type: 'jsonb', default: () => "'{}'" }) authnDetail: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'idle_expires_at', type: 'timestamptz' }) idleExpiresAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
