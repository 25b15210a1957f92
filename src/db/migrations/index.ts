import type { MigrationInterface } from 'typeorm';
import { Initial1764000000000 } from './1764000000000-Initial';
import { PasswordAccess1764000000100 } from './1764000000100-PasswordAccess';
import { Audit1764000000200 } from './1764000000200-Audit';
import { Complaints1764000000300 } from './1764000000300-Complaints';
import { SignatureLogin1764000000400 } from './1764000000400-SignatureLogin';
import { TradeRollups1764000000500 } from './1764000000500-TradeRollups';
import { AuditNoTruncate1764000000600 } from './1764000000600-AuditNoTruncate';
import { GeneratedColumnMetadata1764000000700 } from './1764000000700-GeneratedColumnMetadata';
import { AuditActorAndRefusals1764000000800 } from './1764000000800-AuditActorAndRefusals';
import { OfficerActionsAndBlocks1764000000900 } from './1764000000900-OfficerActionsAndBlocks';
import { AuditTransparencyLog1764000001000 } from './1764000001000-AuditTransparencyLog';
import { RateLimits1764000001300 } from './1764000001300-RateLimits';

/** A migration class TypeORM can instantiate (it calls `new` without arguments). */
export type MigrationClass = new () => MigrationInterface;

/**
 * Every migration in order, bound to the request role `appRole` (DB_APP_ROLE). Add new ones at the
 * end. Migrations are frozen: plain SQL, no application imports, no configuration read; the role
 * is the only thing passed in. TypeORM records them by their `name` (class name and timestamp),
 * which the bound classes keep, so databases migrated before keep working.
 */
export function migrations(appRole: string): MigrationClass[] {
  const bind = (M: new (role: string) => MigrationInterface): MigrationClass =>
    class extends M {
      constructor() {
        super(appRole);
      }
    };
  return [
    bind(Initial1764000000000),
    bind(PasswordAccess1764000000100),
    bind(Audit1764000000200),
    bind(Complaints1764000000300),
    bind(SignatureLogin1764000000400),
    bind(TradeRollups1764000000500),
    AuditNoTruncate1764000000600,
    GeneratedColumnMetadata1764000000700,
    bind(AuditActorAndRefusals1764000000800),
    bind(OfficerActionsAndBlocks1764000000900),
    bind(AuditTransparencyLog1764000001000),
    RateLimits1764000001300,
  ];
}
