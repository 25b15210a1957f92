/**
 * npm run create-officer -- USERNAME
 *
 * Creates an officer account (role OFFICER) and prints, once, on stdout:
 *   username: USERNAME
 *   password: <one-time password>
 * Only the argon2id hash is stored; the first login with the password must change it.
 * Uses the same database rule as `npm start` (DATABASE_URL, else the embedded server).
 */
import { AccountService, officerUsername } from '../auth/account.service';
import { LoginThrottle } from '../auth/login-throttle';
import { SessionService } from '../auth/session.service';
import { RequestDb } from '../db/tenant';
import { AppError } from '../shared/errors';
import { systemClock } from '../shared/clock';
import { runCli, UsageError } from './bootstrap';

const USAGE = 'usage: npm run create-officer -- USERNAME   (3 to 64 characters a-z 0-9 . _ -)';

function parseArgs(argv: string[]): string {
  if (argv.includes('--help') || argv.includes('-h')) throw new UsageError(USAGE);
  const names = argv.filter((a) => a !== '--');
  if (names.length !== 1 || names[0].startsWith('-')) throw new UsageError(USAGE);
  try {
    return officerUsername(names[0]);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
}

let username: string | undefined;
try {
  username = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`create-officer: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

if (username !== undefined) {
  const name = username;
  void runCli('create-officer', async ({ config, db, log }) => {
    const rdb = new RequestDb(db.ds, config.db.appRole);
    const sessions = new SessionService(rdb, systemClock, config.session);
    const accounts = new AccountService(rdb, systemClock, new LoginThrottle(rdb, systemClock, config.login), sessions);
    try {
      const created = await accounts.createOfficer(name);
      // The only place the password is ever shown: stdout, once. Nothing is logged.
      process.stdout.write(`username: ${created.username}\npassword: ${created.password}\n`);
      return 0;
    } catch (e) {
      if (e instanceof AppError) {
        log(e.message);
        return 1;
      }
      throw e;
    }
  });
}
