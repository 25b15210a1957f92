/**
 * Shared start-up for every command-line entry point: parse the configuration (a bad variable
 * stops the process with a message naming it), open the database by the one rule (DATABASE_URL,
 * else the embedded server), run the command, close everything, and set the exit code.
 */
import { ConfigError, getConfig, type AppConfig } from '../config';
import { openDatabase, type Database } from '../db/database';
import { EmbeddedStartError } from '../db/embedded';

export class UsageError extends Error {}

export async function runCli(
  name: string,
  fn: (ctx: { config: AppConfig; db: Database; log: (msg: string) => void }) => Promise<number | void>,
): Promise<void> {
  const log = (msg: string) => process.stderr.write(`${name}: ${msg}\n`);
  let db: Database | undefined;
  let code = 0;
  try {
    const config = getConfig();
    db = await openDatabase(config, { log });
    code = (await fn({ config, db, log })) ?? 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      log(e.message);
      code = 2;
    } else if (e instanceof UsageError || e instanceof EmbeddedStartError) {
      log(e.message);
      code = 2;
    } else {
      log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      code = 1;
    }
  } finally {
    await db?.close().catch(() => undefined);
  }
  process.exitCode = code;
}
