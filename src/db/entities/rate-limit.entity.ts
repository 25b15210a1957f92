import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The rate budget of one client key (a participant, an officer's account or an anonymous client
 * address) in its current fixed window: cost points spent. UNLOGGED, owner only; written by the
 * rate_admit() function (src/limits/fair-share.ts). Migration 1764000001300.
 */
@Entity({ name: 'rate_budgets' })
export class RateBudgetEntity {
  @PrimaryColumn({ name: 'client_key', type: 'text' }) clientKey: string;
  @Column({ name: 'window_start', type: 'timestamptz' }) windowStart: Date;
  @Column({ type: 'bigint' }) spent: string;
}

/** One operation of a client key running now, across every instance; a lease that expires. Migration 1764000001300. */
@Entity({ name: 'rate_slots' })
@Index('rate_slots_key_idx', ['clientKey'])
export class RateSlotEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'client_key', type: 'text' }) clientKey: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
}
