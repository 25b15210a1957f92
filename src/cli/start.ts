/**
 * `npm start`: the service. With no DATABASE_URL it starts the embedded PostgreSQL and, on the
 * cluster's first start, loads the deterministic demo data; then it serves GraphQL and GraphiQL.
 */
import { ConfigError, getConfig } from '../config';
import { openDatabase, type Database } from '../db/database';
import { EmbeddedStartError } from '../db/embedded';
import { startHttpServer, type RunningServer } from '../http/server';
import { createServices } from '../services';
import { createLogger } from '../shared/logger';
import { demoSessions, demoTokenLifetime, demoTokensAllowed, hasAnyDeclarations, seedDemoData } from './demo';

/**
 * Apollo gives open requests 10 s, operations still running then get up to the statement timeout
 * (30 s) plus 5 s, and the audit drain and the database close the rest.
 */
const SHUTDOWN_LIMIT_MS = 60_000;

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the port is in use (another instance? choose another PORT)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address',
  ENOTFOUND: 'the host name does not resolve',
};

async function main(): Promise<void> {
  let config;
  try {
    config = getConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`start: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config);
  const say = (msg: string) => process.stderr.write(`${msg}\n`);
  let db: Database | undefined;
  let server: RunningServer | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: shutting down`);
    // A database that stopped answering must not hold the process forever.
    setTimeout(() => {
      say(`${signal}: shutdown did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await server?.close().catch((e) => logger.error({ err: e }, 'closing the HTTP server failed'));
    await db?.close().catch((e) => logger.error({ err: e }, 'closing the database failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  db = await openDatabase(config, { log: say });
  const embedded = db.embedded !== undefined;
  const seed = config.seedDemo === 'always' || (config.seedDemo === 'auto' && embedded);
  let services;
  try {
    if (seed && !(await hasAnyDeclarations(db.ds))) {
      await seedDemoData(db.ds, { log: say, rollupMinItems: config.statsRollupMinItems });
    }
    services = createServices(config, db.ds);
    server = await startHttpServer(services, logger, config.http);
  } catch (e) {
    // Stop the embedded database this process started before leaving.
    await db.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code && LISTEN_ERRORS[code]) {
      say(`start: cannot listen on ${config.http.host}:${config.http.port} (HOST, PORT): ${LISTEN_ERRORS[code]}`);
      process.exit(2);
    }
    throw e;
  }

  say('');
  say(`GraphQL:  ${server.url}/graphql`);
  say(`GraphiQL: ${server.url}/graphiql`);
  say(`Health:   ${server.url}/healthz  ${server.url}/readyz`);
  say(
    embedded
      ? `Database: embedded PostgreSQL on 127.0.0.1:${db.embedded!.port} (data kept between runs)`
      : 'Database: DATABASE_URL',
  );
  // Demo tokens: never in production; elsewhere opened by a real login over HTTP (audited, revocable).
  if (seed && demoTokensAllowed(config)) {
    const demo = await demoSessions(services, server.url);
    say('');
    say(`Demo traders (put one in GraphiQL's Headers tab; ${demoTokenLifetime(config.session)}):`);
    for (const s of demo.sessions) {
      say(`  ${s.name.padEnd(28)} {"Authorization": "Bearer ${s.token}"}`);
    }
    for (const f of demo.failed) say(`  no demo token for ${f}`);
  } else if (seed) {
    say('');
    say('No demo tokens under NODE_ENV=production: log in as a trader would.');
  }
  say('\nCtrl-C stops the service (and the embedded database, unless another npm start or command still uses it).');
}

main().catch((e) => {
  if (e instanceof EmbeddedStartError) {
    process.stderr.write(`start: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`start: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
