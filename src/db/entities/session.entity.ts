import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type Role = 'TRADER' | 'OFFICER';
export type AuthMethod = 'PASSWORD' | 'SIGNATURE' | 'PORTAL';

/** A login session; only the SHA-256 of its bearer token is stored. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'token_hash', type: 'bytea' }) tokenHash: Buffer;
  @Column({ name: 'participant_id', type: 'bigint', nullable: true }) participantId: string | null;
  @Column({ name: 'user_account_id', type: 'bigint', nullable: true }) userAccountId: string | null;
  @Column({ type: 'text' }) role: Role;
  @Column({ name: 'auth_method', type: 'text' }) authMethod: AuthMethod;
  @Column({ type: 'text', nullable: true }) username: string | null;
  @Column({ name: 'must_change_password', type: 'boolean' }) mustChangePassword: boolean;
  @Column({ name: 'authn_detail', type: 'jsonb' }) authnDetail: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'idle_expires_at', type: 'timestamptz' }) idleExpiresAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
