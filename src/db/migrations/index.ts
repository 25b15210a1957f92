import { Initial1764000000000 } from './1764000000000-Initial';
import { Audit1764000000200 } from './1764000000200-Audit';
import { PasswordAccess1764000000100 } from './1764000000100-PasswordAccess';
import { Complaints1764000000300 } from './1764000000300-Complaints';
import { SignatureLogin1764000000400 } from './1764000000400-SignatureLogin';
import { TradeRollups1764000000500 } from './1764000000500-TradeRollups';
import { AuditNoTruncate1764000000600 } from './1764000000600-AuditNoTruncate';

/** Every migration in order. Add new ones at the end. */
export const migrations = [
  Initial1764000000000,
  PasswordAccess1764000000100,
  Audit1764000000200,
  Complaints1764000000300,
  SignatureLogin1764000000400,
  TradeRollups1764000000500,
  AuditNoTruncate1764000000600,
];
