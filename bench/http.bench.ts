/**
 * The HTTP load phase of `npm run bench` (issue 9, item 4): autocannon (in a child process, bench/load-client.ts,
 * so it never shares the service's main thread) against
 *
 *  - the service: the real HTTP server of src/http/server.ts with the audit on, its pool and the session look-up
 *    on every request, on PostgreSQL (embedded unless DATABASE_URL), with generated traders of ≈5,000 (small)
 *    and ≈19,000 items (mid; below STATS_ROLLUP_MIN_ITEMS, so its statistics come from the raw items), eight
 *    small neighbours and, when the bench's import part made one, the 1 M-item trader;
 *  - the floor, in the same run: the same express/Apollo stack answering every field from memory
 *    (bench/floor.ts), so `service / floor` shows what share of what the framework allows the service reaches;
 *  - optionally PostGraphile 4 + pg-aggregates on the same tables under the same RLS (bench/postgraphile.ts).
 *
 * The `overhead` case (issue 10) measures the accounting itself: the same service, token and queries (`me`,
 * `declarations(first: 10)`) on servers with the audit plugin on (records, receipts, a signed checkpoint every
 * AUDIT_CHECKPOINT_SECONDS) and off (`audit: false`), in interleaved runs, and prints the share of throughput lost.
 *
 * Rate limits: every case but the noisy neighbour runs with the budget and the slots at their maxima
 * (BENCH_RATE_LIMITS: one token at bench speed would spend the default budget in seconds and queue behind 4
 * slots); the noisy neighbour runs on the configured limits (RATE_* or the defaults), which refuse the flooder.
 *
 * Every case: a warm-up, then `seconds` of load from `connections` connections; req/s, p50, p99, failures, the
 * round trips and statements to PostgreSQL per request (bench/sql-count.ts). With `profileDir`, a V8 CPU profile
 * of the service process per case is written there and summarised by package/folder (bench/cpu-profile.ts).
 * `npm run bench` reads BENCH_HTTP_SECONDS (10), BENCH_HTTP_CONNECTIONS (32), BENCH_HTTP_CASES (all; a comma list
 * of case names), BENCH_HTTP_LOGINS (signature logins per run, 100 per second of load), BENCH_HTTP_PROFILE (a
 * folder; off), BENCH_HTTP_OVERHEAD_ROUNDS (interleaved off/on pairs per query of the overhead case, 3).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded';
import { startHttpServer, type RunningServer } from '../src/http/server';
import { generateDeclarationsCsv, type ParticipantIdentity } from '../src/ingest/generate';
import { importDeclarations } from '../src/ingest/importer';
import { reservedPoolOf } from '../src/db/pool';
import { FairShare } from '../src/limits/fair-share';
import { createServices, type Services } from '../src/services';
import { createLogger } from '../src/shared/logger';
import { buildStatisticsQuery } from '../src/statistics/statistics.service';
import { startCpuProfile, stopCpuProfile, summariseProfile } from './cpu-profile';
import { startFloorServer, type FloorServer } from './floor';
import type { LoadResult, LoadSpec } from './load-client';
import { signAll } from './pki.bench';
import { startPostGraphile, type PostGraphileServer } from './postgraphile';
import { installSqlCounter, takeSqlCounts, type SqlCounts } from './sql-count';

const ROOT = path.resolve(__dirname, '..');

export const CASES = [
  'overhead',
  'me',
  'declarations',
  'stats-small',
  'stats-mid',
  'stats-large',
  'login',
  'noisy',
  'postgraphile',
];

export interface HttpBenchOptions {
  seconds: number;
  connections: number;
  log?: (line: string) => void;
  /** Case names (CASES); default all. */
  cases?: string[];
  /** Warm-up seconds before each measurement (default: a fifth of `seconds`, 1 to 3). */
  warmupSeconds?: number;
  /** Signature logins in the login case (default 100 per second of `seconds`). */
  logins?: number;
  /** Folder for one .cpuprofile per service case; off when undefined. */
  profileDir?: string;
  smallItems?: number;
  midItems?: number;
  /** Items of each of the eight neighbours of the noisy-neighbour case. */
  neighbourItems?: number;
  /** Interleaved off/on pairs per query in the accounting-overhead case (default 3). */
  overheadRounds?: number;
  /** A database to add the traders to (else DATABASE_URL, else an embedded one) and its 1 M-item trader. */
  database?: { url: string; largeVoen?: string };
}

export interface Measured extends LoadResult {
  roundTripsPerRequest?: number;
  statementsPerRequest?: number;
  /** Audit records written during the measured run per answered request (the overhead case). */
  auditRecordsPerRequest?: number;
  /** CPU of the service's process (user + system) per answered request, µs (the overhead case). */
  cpuUsPerRequest?: number;
  /** CPU of the PostgreSQL server's processes per answered request, µs (the overhead case; Linux /proc). */
  dbCpuUsPerRequest?: number;
}

/** User + system CPU of a PostgreSQL server's postmaster and its children (and reaped children), µs; Linux only. */
export function postgresCpuUs(postmasterPid: number): number {
  const ticks = (pid: string): { ppid: number; own: number; reaped: number } | null => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
      return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
    } catch {
      return null;
    }
  };
  const main = ticks(String(postmasterPid));
  if (!main) return NaN;
  let total = main.own + main.reaped;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const t = ticks(pid);
    if (t && t.ppid === postmasterPid) total += t.own;
  }
  return (total * 1e6) / 100; // USER_HZ is 100 on Linux
}

export interface HttpCaseResult {
  name: string;
  service: Measured;
  floor?: LoadResult;
  postgraphile?: LoadResult;
  /** The noisy-neighbour case: the neighbours' figures without and with the flood. */
  neighboursAlone?: LoadResult;
  neighbours?: LoadResult;
  /** The login case: challenge and login phases and the resulting logins/s. */
  login?: { challenge: LoadResult; login: LoadResult; perSecond: number; floorPerSecond?: number };
  /** The accounting-overhead case: every run without and with accounting, and the share of throughput lost. */
  overhead?: { off: Measured[]; on: Measured[]; offRps: number; onRps: number; ratio: number };
}

/**
 * The rate budget and request slots (src/limits) of the cases that measure throughput: one token at bench speed
 * spends the default budget (1,000,000 points a minute) in seconds and has 32 connections against 4 slots, so
 * these cases run with the budget and the slots at their configured maxima. The code path is the production one
 * (every operation is charged and takes a slot); only the numbers are out of reach. The noisy-neighbour case runs
 * on the configured (default: realistic) limits, the ones that refuse the flooder.
 */
export const BENCH_RATE_LIMITS = { RATE_BUDGET_POINTS: '1000000000', RATE_CONCURRENT_OPERATIONS: '1000' };

/** Runs per mode in the order off, on, on, off, off, on, … (each pair reverses the last: drift cancels out). */
export function interleaved(rounds: number): boolean[] {
  return Array.from({ length: 2 * rounds }, (_, i) => (Math.floor(i / 2) % 2 === 0 ? i % 2 === 1 : i % 2 === 0));
}

/** The load generator process. */
class LoadClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor() {
    this.child = fork(path.join(__dirname, 'load-client.ts'), [], {
      execArgv: ['-r', path.join(ROOT, 'scripts', 'register.js')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: LoadResult & { error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(`load client: ${m.error}`));
      else p?.resolve(m);
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load client exited (${code})`));
      this.pending.clear();
    });
  }

  run(spec: Omit<LoadSpec, 'id'>): Promise<LoadResult> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...spec, id });
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

const Q = {
  me: '{ me { role } }',
  declarations: '{ declarations(first: 10) { edges { node { number registrationDate } } } }',
  statsHs2Year:
    '{ tradeStatistics(groupBy: [HS2, YEAR], first: 10000) { rows { key { hsCode year } measures { declarationCount ' +
    'itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg } } truncated } }',
  statsCountry:
    '{ tradeStatistics(groupBy: [COUNTRY], first: 10000) { rows { key { country { code } } measures { declarationCount ' +
    'itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg } } truncated } }',
  wide:
    '{ tradeStatistics(groupBy: [HS4, COUNTRY, YEAR, MONTH], first: 10000) { rows { key { hsCode country { code } year ' +
    'month } measures { declarationCount itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg } } truncated } }',
  small: '{ declarations(first: 5) { edges { node { number } } } }',
  challenge: 'mutation { createLoginChallenge { id toBeSigned } }',
  login:
    'mutation($id: ID!, $s: String!) { loginWithSignature(challengeId: $id, signature: $s) { token viewer { role } } }',
};

/** PostGraphile's queries for the same data (its names for the same tables). */
const PG = {
  trivial: '{ __typename }',
  declarations:
    '{ allDeclarations(first: 10, orderBy: [REGISTRATION_DATE_DESC, ID_DESC]) { nodes { number registrationDate } } }',
  statsCountry:
    '{ allDeclarationItems { groupedAggregates(groupBy: [PARTNER_COUNTRY]) { keys distinctCount { declarationId } ' +
    'sum { customsValueAzn statisticalValueUsd netWeightKg grossWeightKg } } } }',
};

const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

async function post(url: string, text: string, token?: string): Promise<{ data?: any; errors?: any[] }> {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return (await r.json()) as { data?: any; errors?: any[] };
}

/** One query checked against a server: it must answer without errors (the figures mean nothing otherwise). */
async function check(url: string, text: string, token?: string): Promise<Record<string, unknown>> {
  const r = await post(url, text, token);
  if (r.errors || !r.data)
    throw new Error(`bench: ${text.slice(0, 80)} failed: ${JSON.stringify(r.errors).slice(0, 400)}`);
  return r.data as Record<string, unknown>;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const fig = (r: LoadResult) =>
  `${n0(r.rps).padStart(6)} req/s p50 ${ms(r.p50).padStart(7)} p99 ${ms(r.p99).padStart(7)}` +
  (failures(r)
    ? ` FAILED ${failures(r)} (${r.unanswered ? `${r.unanswered} unanswered at the end, ` : ''}${JSON.stringify(r.codes)})`
    : '');
/**
 * The requests the counted statements belong to: one session look-up per authenticated request, so their
 * count (which includes requests still in flight when the run stopped) rather than the answered requests.
 */
/** Refused, failed or never answered during the run. */
export const failures = (r: LoadResult) => r.errors + r.non2xx + r.gqlErrors + r.unanswered;
const sumFailures = (xs: LoadResult[]) => xs.reduce((a, r) => a + failures(r), 0);

async function importTraders(
  ds: Database['ds'],
  dir: string,
  name: string,
  items: number,
  seed: number,
  list: ParticipantIdentity[],
): Promise<void> {
  const file = path.join(dir, `${name}.csv`);
  await pipeline(
    generateDeclarationsCsv({ items, participants: list.length, seed, participantsList: list }),
    fs.createWriteStream(file),
  );
  await importDeclarations(ds, fs.createReadStream(file), { skipInvalid: false });
  fs.rmSync(file);
}

export async function runHttpBench(opts: HttpBenchOptions): Promise<HttpCaseResult[]> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`${m}\n`));
  const want = (c: string) => !opts.cases || opts.cases.includes(c);
  const seconds = opts.seconds;
  const connections = opts.connections;
  const warmup = opts.warmupSeconds ?? Math.min(3, Math.max(1, Math.round(seconds / 5)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-http-bench-'));
  const results: HttpCaseResult[] = [];
  let embedded: EmbeddedServer | undefined;
  let db: Database | undefined;
  let server: RunningServer | undefined;
  /** A server of one case or run (accounting overhead, noisy neighbour), closed with it. */
  let extra: RunningServer | undefined;
  let floor: FloorServer | undefined;
  let pgServer: PostGraphileServer | undefined;
  let client: LoadClient | undefined;
  installSqlCounter();
  try {
    const external = opts.database?.url ?? process.env.DATABASE_URL;
    embedded = external
      ? undefined
      : await startEmbeddedPostgres({
          // Not under the 0700 temporary folder: the postgres OS user must reach it.
          dataRoot: path.join(os.tmpdir(), `customs-http-bench-pg-${process.pid}-${Math.round(performance.now())}`),
          port: 0,
          database: 'httpbench',
          ephemeral: true,
        });
    const url = external ?? embedded!.url;
    const baseEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      PKI_ALLOW_TEST_PKI: 'true',
      AUDIT_DATA_DIR: path.join(tmp, 'audit'),
      // The login case creates thousands of challenges from one address, and signs them (untimed, openssl) between
      // its two phases: on a loaded machine that can take minutes, which must not expire them.
      CHALLENGE_RATE_PER_MINUTE: '100000',
      CHALLENGE_TTL_SECONDS: '3600',
      PKI_SIGNING_TIME_SKEW_SECONDS: '3600',
    };
    const config = loadConfig({ ...baseEnv, ...BENCH_RATE_LIMITS });
    /** The configured limits (RATE_* from the environment, else the defaults), for the noisy-neighbour case. */
    const realistic = loadConfig(baseEnv);
    db = await openDatabase(config);
    const ds = db.ds;

    // ---- data: small, mid, eight neighbours (distinct seeds: distinct declaration numbers)
    const smallItems = opts.smallItems ?? 5_000;
    const midItems = opts.midItems ?? 19_000;
    const neighbourItems = opts.neighbourItems ?? 1_000;
    const SMALL = '1999999971';
    const MID = '1999999972';
    const NEIGHBOURS = Array.from({ length: 8 }, (_, i) => `19999999${80 + i}`);
    const t0 = performance.now();
    await importTraders(ds, tmp, 'small', smallItems, 101, [{ voen: SMALL, name: 'Small Trader MMC' }]);
    await importTraders(ds, tmp, 'mid', midItems, 102, [{ voen: MID, name: 'Mid Trader MMC' }]);
    if (want('noisy')) {
      await importTraders(
        ds,
        tmp,
        'neighbours',
        neighbourItems * 8,
        103,
        NEIGHBOURS.map((voen, i) => ({ voen, name: `Neighbour ${i + 1} MMC` })),
      );
    }
    await ds.query(
      `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', 'Xəzər Logistika MMC', '1402345671', now())
       ON CONFLICT DO NOTHING`,
    );
    const services = createServices(config, ds);
    /** The postmaster: the parent of a backend of ours (its CPU and its children's are the database's). */
    const postmasterPid = await (async () => {
      const [{ pid }] = await ds.query(`SELECT pg_backend_pid() AS pid`);
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      } catch {
        return -1; // not on this machine, or not Linux: the database's CPU is not measured
      }
    })();
    const sessionFor = async (voen: string) => {
      const [row] = await ds.query(`SELECT id::text AS id FROM participants WHERE voen = $1`, [voen]);
      if (!row) return undefined;
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM declaration_items WHERE participant_id = $1`, [
        row.id,
      ]);
      const s = await services.sessions.create({
        role: 'TRADER',
        authMethod: 'PASSWORD',
        participantId: row.id,
        userAccountId: null,
        username: null,
        mustChangePassword: false,
        detail: {},
      });
      const source = buildStatisticsQuery(row.id, {}, ['HS2', 'YEAR'], 10_000, {
        rollups: n >= config.statsRollupMinItems,
      }).source;
      return { token: s.token, items: n as number, source };
    };
    const small = (await sessionFor(SMALL))!;
    const mid = (await sessionFor(MID))!;
    const large = opts.database?.largeVoen ? await sessionFor(opts.database.largeVoen) : undefined;
    const neighbours = want('noisy') ? await Promise.all(NEIGHBOURS.map(async (v) => (await sessionFor(v))!)) : [];
    log(
      `http bench: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, ` +
        `${connections} connections, ${seconds} s per measurement after ${warmup} s of warm-up; traders: small ` +
        `${n0(small.items)} items, mid ${n0(mid.items)}${large ? `, large ${n0(large.items)}` : ''}` +
        ` (statistics from ${mid.source} below STATS_ROLLUP_MIN_ITEMS = ${n0(config.statsRollupMinItems)}), imported in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s; DB_POOL_MAX ${config.db.poolMax}, audit on (a checkpoint ` +
        `every ${config.audit.checkpointSeconds} s); rate limits per token: ${n0(config.limits.budgetPoints)} points ` +
        `per ${config.limits.windowSeconds} s, ${config.limits.concurrentOperations} slots (noisy neighbour: ` +
        `${n0(realistic.limits.budgetPoints)} points, ${realistic.limits.concurrentOperations} slots, wait ` +
        `${realistic.limits.waitMs} ms)`,
    );

    const quiet = createLogger({ logLevel: 'silent' });
    const serve = (svc: Services, audit: boolean) => startHttpServer(svc, quiet, { host: '127.0.0.1', port: 0, audit });
    /** The same services with the configured (realistic) rate budget and slots. */
    const realisticServices: Services = {
      ...services,
      config: realistic,
      limits: {
        ...services.limits,
        fair: new FairShare(
          () => reservedPoolOf(ds, realistic.db.reservedPoolMax),
          services.clock,
          realistic.limits,
          realistic.db.statementTimeoutMs,
        ),
      },
    };
    floor = await startFloorServer();
    client = new LoadClient();
    const c = client;
    const fl = floor;

    const logProfile = (file: string, s: ReturnType<typeof summariseProfile>) =>
      log(
        `    cpu profile ${path.relative(process.cwd(), file)}: ${n0(s.total)} ms busy; self time ` +
          s.rows
            .filter((x) => x.what !== 'idle')
            .slice(0, 16)
            .map((x) => `${x.what} ${(x.share * 100).toFixed(1)} %`)
            .join(', '),
      );
    const logKinds = (what: string, sql: SqlCounts, requests: number) =>
      log(
        `    ${what}: round trips per request by kind: ` +
          [...sql.kinds]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([k, v]) => `${(v / Math.max(1, requests)).toFixed(2)} × "${k}"`)
            .join('; '),
      );

    /** Warm-up, then the measured run; SQL counts (and a CPU profile) cover the measured run only. */
    const measure = async (
      name: string,
      spec: Omit<LoadSpec, 'id' | 'seconds' | 'connections'> & { connections?: number },
      counted: boolean,
      /** Runs between the warm-up and the measured run (untimed). */
      atStart?: () => Promise<void>,
    ): Promise<Measured> => {
      const full = { connections, ...spec, seconds };
      if (!spec.once) await c.run({ ...full, seconds: warmup });
      await atStart?.();
      takeSqlCounts();
      const profile = counted && opts.profileDir;
      if (profile) await startCpuProfile();
      const r: Measured = await c.run(full);
      if (profile) {
        const file = path.join(opts.profileDir!, `${name}.cpuprofile`);
        logProfile(file, summariseProfile(await stopCpuProfile(file)));
      }
      const sql = takeSqlCounts();
      if (counted && r.requests > 0) {
        const n = r.requests;
        r.roundTripsPerRequest = sql.roundTrips / n;
        r.statementsPerRequest = sql.statements / n;
        if (opts.profileDir) logKinds(name, sql, n);
      }
      return r;
    };

    if (want('overhead')) {
      // Accounting (audit records, receipts, signed checkpoints every AUDIT_CHECKPOINT_SECONDS) on vs off: the same
      // services, queries and token; a server of its own per run, started before the warm-up, so each run with
      // accounting carries its own checkpointer from the start and no checkpoint of its records falls into a run
      // without (closing a server drains the audit writer and signs its final checkpoint, untimed).
      const rounds = opts.overheadRounds ?? Number(process.env.BENCH_HTTP_OVERHEAD_ROUNDS ?? 3);
      const order = interleaved(rounds);
      log(
        `\n(g0) accounting overhead: the service with accounting on vs off (audit: false; no records, receipts or ` +
          `checkpoints), ${connections} connections, ${rounds} interleaved pairs of runs per query (off, on, on, off, …)`,
      );
      for (const [name, label, query] of [
        ['me', '{ me { role } }', Q.me],
        ['declarations', 'declarations(first: 10)', Q.declarations],
      ] as const) {
        const runs: { on: Measured[]; off: Measured[] } = { on: [], off: [] };
        // Untimed: the process's JIT and the pool warmed on this query before the first (off) run.
        extra = await serve(services, true);
        try {
          await c.run({ url: extra.url, connections, bodies: [body(query)], tokens: [small.token], seconds: warmup });
        } finally {
          await extra.close();
          extra = undefined;
        }
        for (const [i, on] of order.entries()) {
          const mode = on ? 'on' : 'off';
          extra = await serve(services, on);
          try {
            await check(extra.url, body(query), small.token);
            /** The newest record once the ones submitted so far are durable. */
            const newestRecord = async () => {
              await services.audit.drain();
              const [row] = await ds.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit_records`);
              return Number(row.seq);
            };
            let first = 0;
            let cpu0: NodeJS.CpuUsage | undefined;
            let db0 = 0;
            const r = await measure(
              `overhead-${name}-${mode}-${i + 1}`,
              { url: extra.url, bodies: [body(query)], tokens: [small.token] },
              true,
              async () => {
                first = await newestRecord();
                db0 = postgresCpuUs(postmasterPid);
                cpu0 = process.cpuUsage();
              },
            );
            // CPU, not throughput: a count that other processes on the machine do not change much.
            const cpu = process.cpuUsage(cpu0);
            const perRequest = (us: number) => us / Math.max(1, r.requests);
            r.cpuUsPerRequest = perRequest(cpu.user + cpu.system);
            r.dbCpuUsPerRequest = perRequest(postgresCpuUs(postmasterPid) - db0);
            r.auditRecordsPerRequest = ((await newestRecord()) - first) / Math.max(1, r.requests);
            runs[mode].push(r);
            log(
              `  ${label.padEnd(26)} accounting ${mode.padEnd(3)} ${fig(r)}  ` +
                `${r.roundTripsPerRequest?.toFixed(2) ?? '?'} round trips, ${r.statementsPerRequest?.toFixed(1) ?? '?'} ` +
                `statements, ${r.auditRecordsPerRequest.toFixed(2)} audit records, ${n0(r.cpuUsPerRequest)} µs CPU of ` +
                `the service, ${n0(r.dbCpuUsPerRequest)} µs of PostgreSQL per request`,
            );
          } finally {
            await extra.close();
            extra = undefined;
          }
        }
        const total = (xs: Measured[]) =>
          xs.reduce((a, r) => a + r.requests, 0) / xs.reduce((a, r) => a + r.seconds, 0);
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
        const offRps = total(runs.off);
        const onRps = total(runs.on);
        const ratio = 1 - onRps / offRps;
        const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
        /** CPU per request over all runs of a mode (weighted by requests). */
        const cpuOf = (xs: Measured[], k: 'cpuUsPerRequest' | 'dbCpuUsPerRequest') =>
          xs.reduce((a, r) => a + (r[k] ?? 0) * r.requests, 0) /
          Math.max(
            1,
            xs.reduce((a, r) => a + r.requests, 0),
          );
        const [offCpu, onCpu] = [cpuOf(runs.off, 'cpuUsPerRequest'), cpuOf(runs.on, 'cpuUsPerRequest')];
        const [offDb, onDb] = [cpuOf(runs.off, 'dbCpuUsPerRequest'), cpuOf(runs.on, 'dbCpuUsPerRequest')];
        log(
          `  ${label.padEnd(26)} CPU per request: service ${n0(offCpu)} → ${n0(onCpu)} µs ` +
            `(${signed((onCpu - offCpu) / offCpu)}), PostgreSQL ${n0(offDb)} → ${n0(onDb)} µs, ` +
            `together ${n0(offCpu + offDb)} → ${n0(onCpu + onDb)} µs ` +
            `(${signed((onCpu + onDb - offCpu - offDb) / (offCpu + offDb))})`,
        );
        log(
          `  ${label.padEnd(26)} off ${n0(offRps)} req/s (p50 ${ms(median(runs.off.map((r) => r.p50)))}, p99 ` +
            `${ms(median(runs.off.map((r) => r.p99)))}), on ${n0(onRps)} req/s (p50 ${ms(median(runs.on.map((r) => r.p50)))}, ` +
            `p99 ${ms(median(runs.on.map((r) => r.p99)))}); accounting overhead ${(ratio * 100).toFixed(1)} % of the ` +
            `throughput (target < 10 %)` +
            (sumFailures([...runs.off, ...runs.on]) ? ` FAILED ${sumFailures([...runs.off, ...runs.on])}` : ''),
        );
        results.push({
          name: `overhead-${name}`,
          service: runs.on[0]!,
          overhead: { off: runs.off, on: runs.on, offRps, onRps, ratio },
        });
      }
    }

    server = await serve(services, true);
    let srv = server;

    /** Service vs floor for one query and token; the floor answers with the service's own data. */
    const compare = async (name: string, label: string, query: string, token: string): Promise<HttpCaseResult> => {
      const text = body(query);
      fl.fixed.set(query, await check(srv.url, text, token));
      await check(fl.url, text);
      const service = await measure(name, { url: srv.url, bodies: [text], tokens: [token] }, true);
      const fr = await measure(`${name}-floor`, { url: fl.url, bodies: [text], tokens: [] }, false);
      const sqlNote =
        service.roundTripsPerRequest !== undefined
          ? `  ${service.roundTripsPerRequest.toFixed(2)} round trips, ${service.statementsPerRequest!.toFixed(1)} statements per request`
          : '';
      log(`  ${label.padEnd(34)} service ${fig(service)}`);
      log(
        `  ${''.padEnd(34)} floor   ${fig(fr)}   service/floor ${(service.rps / fr.rps).toFixed(2)}` +
          ` (p99 ${(service.p99 / Math.max(fr.p99, 0.01)).toFixed(1)}×)${sqlNote}`,
      );
      const r = { name, service, floor: fr };
      results.push(r);
      return r;
    };

    log(`\n(g) HTTP load: service vs in-memory floor (same Apollo stack, no database), ${connections} connections`);
    if (want('me')) await compare('me', '{ me { role } }', Q.me, small.token);
    if (want('declarations')) await compare('declarations', 'declarations(first: 10)', Q.declarations, small.token);
    if (want('stats-small'))
      await compare('stats-small', `tradeStatistics HS2×YEAR, small (${small.source})`, Q.statsHs2Year, small.token);
    if (want('stats-mid'))
      await compare('stats-mid', `tradeStatistics HS2×YEAR, mid (${mid.source})`, Q.statsHs2Year, mid.token);
    if (want('stats-large') && large)
      await compare('stats-large', `tradeStatistics HS2×YEAR, large (${large.source})`, Q.statsHs2Year, large.token);

    if (want('login')) {
      const n = opts.logins ?? Math.max(50, 100 * seconds);
      const conns = Math.min(16, connections);
      // Warm-up: a few logins (caches of the verifier, JIT).
      const warm = await c.run({
        url: srv.url,
        connections: conns,
        seconds,
        bodies: Array.from({ length: 32 }, () => body(Q.challenge)),
        once: true,
        tokens: [],
        keepBodies: true,
      });
      const signIn = async (phase: LoadResult) => {
        const challenges = phase.bodies!.map(
          (b) => (JSON.parse(b) as any).data.createLoginChallenge as { id: string; toBeSigned: string },
        );
        const started = performance.now();
        const sigs = await signAll(
          'legal-ec',
          challenges.map((x) => x.toBeSigned),
          tmp,
        );
        return {
          bodies: challenges.map((x, i) => body(Q.login, { id: x.id, s: sigs[i] })),
          signMs: performance.now() - started,
        };
      };
      const w = await signIn(warm);
      await c.run({ url: srv.url, connections: conns, seconds, bodies: w.bodies, once: true, tokens: [] });
      takeSqlCounts();
      const challenge = await c.run({
        url: srv.url,
        connections: conns,
        seconds,
        bodies: Array.from({ length: n }, () => body(Q.challenge)),
        once: true,
        tokens: [],
        keepBodies: true,
      });
      const cSql = takeSqlCounts();
      const signed = await signIn(challenge);
      takeSqlCounts();
      if (opts.profileDir) await startCpuProfile();
      const login: Measured = await c.run({
        url: srv.url,
        connections: conns,
        seconds,
        bodies: signed.bodies,
        once: true,
        tokens: [],
      });
      const lSql = takeSqlCounts();
      if (opts.profileDir) {
        const file = path.join(opts.profileDir, 'login.cpuprofile');
        logProfile(file, summariseProfile(await stopCpuProfile(file)));
        logKinds('createLoginChallenge', cSql, challenge.requests);
        logKinds('loginWithSignature', lSql, login.requests);
      }
      login.roundTripsPerRequest = lSql.roundTrips / Math.max(1, login.requests);
      login.statementsPerRequest = lSql.statements / Math.max(1, login.requests);
      const perSecond = n / (challenge.seconds + login.seconds);
      // The floor: the same two operations answered from memory.
      fl.fixed.set(Q.challenge, { createLoginChallenge: { id: '1', toBeSigned: 'x' } });
      fl.fixed.set(Q.login, { loginWithSignature: { token: 'st_x', viewer: { role: 'TRADER' } } });
      const fc = await measure(
        'login-floor-challenge',
        { url: fl.url, bodies: [body(Q.challenge)], tokens: [], connections: conns },
        false,
      );
      const flg = await measure(
        'login-floor-login',
        { url: fl.url, bodies: [signed.bodies[0]!], tokens: [], connections: conns },
        false,
      );
      const floorPerSecond = 1 / (1 / fc.rps + 1 / flg.rps);
      log(
        `  signature login, ${conns} clients, ${n0(n)} logins (P-256; openssl signing between the phases, untimed: ` +
          `${(signed.signMs / 1000).toFixed(1)} s)`,
      );
      log(
        `    createLoginChallenge  service ${fig(challenge)}  ${(cSql.roundTrips / Math.max(1, challenge.requests)).toFixed(2)} round trips/request`,
      );
      log(
        `    loginWithSignature    service ${fig(login)}  ${login.roundTripsPerRequest.toFixed(2)} round trips/request`,
      );
      log(`    floor: challenge ${fig(fc)}; login ${fig(flg)}`);
      log(
        `    logins/s (both phases): service ${n0(perSecond)}, floor ${n0(floorPerSecond)}, service/floor ${(perSecond / floorPerSecond).toFixed(2)}`,
      );
      results.push({ name: 'login', service: login, login: { challenge, login, perSecond, floorPerSecond } });
    }

    if (want('noisy')) {
      // On the configured (realistic) rate budget and slots: a server of its own over the same services, the main
      // one closed meanwhile (one checkpointer at a time), started again afterwards.
      await srv.close();
      server = undefined;
      extra = await serve(realisticServices, true);
      const noisy = extra;
      try {
        const others = {
          url: noisy.url,
          connections: 8,
          bodies: [body(Q.small)],
          tokens: neighbours.map((x) => x.token),
          seconds,
        };
        await check(noisy.url, body(Q.wide), mid.token);
        await c.run({ ...others, seconds: warmup });
        const alone = await c.run(others);
        takeSqlCounts();
        const [flood, withFlood] = await Promise.all([
          c.run({ url: noisy.url, connections: 16, bodies: [body(Q.wide)], tokens: [mid.token], seconds }),
          c.run(others),
        ]);
        takeSqlCounts();
        log(
          `  noisy neighbour: the mid trader floods tradeStatistics HS4×COUNTRY×YEAR×MONTH on 16 connections; 8 other traders` +
            ` run declarations(first: 5) on 8 connections (rate limits as configured: ` +
            `${realistic.limits.concurrentOperations} slots, ${n0(realistic.limits.budgetPoints)} points per ` +
            `${realistic.limits.windowSeconds} s)`,
        );
        log(`    others alone          ${fig(alone)}`);
        log(`    others during flood   ${fig(withFlood)}  failed ${failures(withFlood)}`);
        log(
          `    flooder               ${fig(flood)}  RATE_LIMITED ${flood.rateLimited}` +
            (Object.keys(flood.codes).length ? ` codes ${JSON.stringify(flood.codes)}` : ''),
        );
        results.push({ name: 'noisy', service: flood, neighboursAlone: alone, neighbours: withFlood });
      } finally {
        await noisy.close();
        extra = undefined;
      }
      if (want('postgraphile')) srv = server = await serve(services, true);
    }

    if (want('postgraphile')) {
      pgServer = await startPostGraphile(url, services).catch((e: unknown) => {
        log(`  PostGraphile: could not start (${e instanceof Error ? e.message : String(e)})`);
        return undefined;
      });
      if (!pgServer) {
        log('  PostGraphile comparison skipped: run `npm run bench:postgraphile-install` (bench/postgraphile) first');
      } else {
        const pg = pgServer;
        log(
          `\n(h) PostGraphile ${pg.version} + pg-aggregates on the same tables under the same RLS and session look-up` +
            ` (no audit record), ${connections} connections, service and PostGraphile alternated`,
        );
        const pairs: [string, string, string, string][] = [
          ['trivial', `{ me { role } } vs ${PG.trivial}`, Q.me, PG.trivial],
          ['declarations', 'first 10 declarations', Q.declarations, PG.declarations],
          ['country-small', 'statistics by partner country, small', Q.statsCountry, PG.statsCountry],
          ['country-mid', 'statistics by partner country, mid', Q.statsCountry, PG.statsCountry],
        ];
        for (const [name, label, ours, theirs] of pairs) {
          const token = name.endsWith('mid') ? mid.token : small.token;
          await check(srv.url, body(ours), token);
          await check(pg.url, body(theirs), token);
          const s = await measure(`pg-${name}`, { url: srv.url, bodies: [body(ours)], tokens: [token] }, false);
          const p = await measure(`pg-${name}-pg`, { url: pg.url, bodies: [body(theirs)], tokens: [token] }, false);
          log(`  ${label.padEnd(38)} service ${fig(s)}`);
          log(`  ${''.padEnd(38)} PostGraphile ${fig(p)}   service/PostGraphile ${(s.rps / p.rps).toFixed(2)}`);
          results.push({ name: `pg-${name}`, service: s, postgraphile: p });
        }
      }
    }
  } finally {
    client?.close();
    await pgServer?.close().catch(() => undefined);
    await floor?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await extra?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  runHttpBench({
    seconds: Number(process.env.BENCH_HTTP_SECONDS ?? 10),
    connections: Number(process.env.BENCH_HTTP_CONNECTIONS ?? 32),
    cases: process.env.BENCH_HTTP_CASES?.split(','),
    logins: process.env.BENCH_HTTP_LOGINS ? Number(process.env.BENCH_HTTP_LOGINS) : undefined,
    profileDir: process.env.BENCH_HTTP_PROFILE,
  }).catch((e) => {
    process.stderr.write(`http bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
