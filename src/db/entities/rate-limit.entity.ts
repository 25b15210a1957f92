import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The rate budget of one client key (a participant, an officer's account or an anonymous client
 * address) in its current fixed window: cost points spent, and the key's operations running now
 * across every instance (`active`, reset once the newest lease, `activeUntil`, has run out). UNLOGGED,
 * owner only; written by rate_admit_batch() (src/limits/fair-share.ts). Migrations 1764000001300 and
 * 1764000001700.
 */
@Entity({ name: 'rate_budgets' })
export class RateBudgetEntity {
  @PrimaryColumn({ name: 'client_key', type: 'text' }) clientKey: string;
  @Column({ name: 'window_start', type: 'timestamptz' }) windowStart: Date;
  @Column({ type: 'bigint' }) spent: string;
  @Column({ type: 'integer', default: 0 }) active: number;
  @Column({ name: 'active_until', type: 'timestamptz', nullable: true }) activeUntil: Date | null;
}
