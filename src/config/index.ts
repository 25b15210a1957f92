/**
 * The one place that reads process.env. Every variable is parsed and validated once into a
 * frozen AppConfig; a bad value stops the process with a message naming the variable.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { parsePkiConfig, type PkiConfig } from '../pki/config';
import { ConfigError } from './config-error';

export { ConfigError };

export type AppEnv = 'development' | 'production' | 'test';

export interface AppConfig {
  readonly env: AppEnv;
  /** Absolute path of the repository root (where package.json lives). */
  readonly rootDir: string;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicOrigin: string;
    /**
     * Reverse proxies whose X-Forwarded-For is believed (express's `trust proxy`): false (the TCP
     * peer is the client), a hop count, or addresses/CIDRs/`loopback`/`linklocal`/`uniquelocal`.
     * The client address keys the per-address limits and is recorded in the audit log.
     */
    readonly trustProxy: false | number | string[];
  };
  readonly db: {
    /** Set when DATABASE_URL is given; otherwise the embedded server is used. */
    readonly url: string | undefined;
    /** The role requests run as: owns nothing, no BYPASSRLS (row-level security applies). */
    readonly appRole: string;
    readonly poolMax: number;
    /** Connections of the reserved pool: session look-ups, the audit writer, rate budget and slots. */
    readonly reservedPoolMax: number;
    /** A new connection that takes longer fails (requests, /readyz) instead of waiting forever. */
    readonly connectTimeoutMs: number;
    /** statement_timeout of every request transaction (0: none); imports and migrations are not bound. */
    readonly statementTimeoutMs: number;
    readonly embedded: { readonly dataRoot: string | undefined; readonly port: number };
  };
  /** 'auto': seed demo data on the embedded server's first start only. */
  readonly seedDemo: 'auto' | 'always' | 'never';
  readonly session: { readonly idleMinutes: number; readonly absoluteHours: number };
  /**
   * Complaints (regulation 3.5): the review term in calendar days (Law on Administrative
   * Proceedings art. 78, 30 days by default) and the per-client-address limit on electronic filings
   * (a fixed window counted in PostgreSQL, so every instance shares it).
   */
  readonly complaints: { readonly reviewDays: number; readonly rateLimit: number; readonly rateWindowMinutes: number };
  /** Password login throttling (docs/password-access.md): per username string and per client address. */
  readonly login: {
    /** Failed attempts on one username string before it is locked. */
    readonly lockoutThreshold: number;
    /** The first lock; each further failure doubles it, up to lockoutMaxSeconds. */
    readonly lockoutBaseSeconds: number;
    readonly lockoutMaxSeconds: number;
    /** A username's failure count is forgotten after this long without a failure. */
    readonly failureResetMinutes: number;
    /** Failed attempts one client address may make per window before RATE_LIMITED. */
    readonly addressMaxFailures: number;
    readonly addressWindowMinutes: number;
  };
  /** IANA time zone of the authority's calendar (contract due dates, "today"). */
  readonly timeZone: string;
  /** Query accounting (src/audit): signing key, group commit and checkpoints. */
  readonly audit: {
    /** PEM (PKCS#8) Ed25519 private key signing chain checkpoints; unset: generated in dataDir. */
    readonly signingKeyFile: string | undefined;
    /** Folder of the generated key and the checkpoint witness log; unset: <embedded data>/audit (none in tests). */
    readonly dataDir: string | undefined;
    /**
     * How long the first record of a batch waits for others, in milliseconds. 0: the next turn of
     * the event loop (records arriving while a batch is written still form the next batch).
     */
    readonly groupCommitMs: number;
    readonly groupCommitMax: number;
    /**
     * Seconds between checkpoints: the records written since the last one are verified and, when
     * sound, the Merkle tree over them is signed; nothing new, nothing done. 0 turns the timer off.
     */
    readonly checkpointSeconds: number;
    /** The log's name in its checkpoints (C2SP tlog-checkpoint origin line and signing key name). */
    readonly logOrigin: string;
    /** A response waits at most this long for its audit record, then fails with AUDIT_UNAVAILABLE. */
    readonly writeTimeoutMs: number;
    /**
     * Requests refused before execution recorded one by one per client address per minute; beyond,
     * one summary record per address per minute carries their count (src/audit/refusals.ts).
     */
    readonly refusalsPerMinute: number;
  };
  /** Items a trader needs before statistics rollups are kept for them; 0: everyone (src/statistics/rollups.ts). */
  readonly statsRollupMinItems: number;
  /**
   * Fair share (src/limits): per participant (anonymous: per client address) operations running at
   * once across every instance, how long one beyond waits for a slot, and the rate budget in cost
   * points per fixed window. 0 operations: no cap.
   */
  readonly limits: {
    readonly concurrentOperations: number;
    readonly waitMs: number;
    readonly budgetPoints: number;
    readonly windowSeconds: number;
  };
  /** E-signature login (src/pki): trust anchors, CRLs, OCSP, portal allow-list, subject profile. */
  readonly pki: PkiConfig;
  /** Signed statistical extracts (src/extracts): the document-signing key, its certificate, the CAs sent with it. */
  readonly extract: ExtractConfig;
  /** Signature-login challenges: lifetime and creations allowed per client address per minute. */
  readonly challenge: { readonly ttlSeconds: number; readonly perAddressPerMinute: number };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface ExtractConfig {
  /** PEM certificate of the service's document-signing key (EXTRACT_SIGNING_CERT). */
  readonly signingCertFile: string;
  /** PEM PKCS#8 private key matching it (EXTRACT_SIGNING_KEY). */
  readonly signingKeyFile: string;
  /** PEM CA certificates carried in every signature so a verifier can build the path (EXTRACT_SIGNING_CHAIN). */
  readonly chainFiles: readonly string[];
}

type Env = Record<string, string | undefined>;

/** Collects problems instead of stopping at the first, so one run names every bad variable. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  str(name: string, fallback: string): string;
  str(name: string, fallback?: undefined): string | undefined;
  str(name: string, fallback?: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error();
      return raw;
    } catch {
      this.problems.push(`${name}: expected a ${protocols.join(' or ')} URL`);
      return undefined;
    }
  }

  /** An IP address or a host name (RFC 1123); dotted numbers must form an IPv4 address. */
  host(name: string, fallback: string): string {
    const v = this.str(name, fallback);
    const hostname =
      /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
    const numeric = /^[0-9.]+$/.test(v);
    if (net.isIP(v) === 0 && (numeric || !hostname.test(v))) {
      this.problems.push(`${name}: expected an IP address or a host name, got "${v}"`);
      return fallback;
    }
    return v;
  }

  /** TRUST_PROXY: unset/false, a hop count, or a comma-separated list checked by proxy-addr. */
  trustProxy(name: string): false | number | string[] {
    const raw = this.str(name)?.trim();
    if (raw === undefined || raw === '' || raw === 'false') return false;
    if (raw === 'true') {
      // Believing every hop lets any client write its own address into X-Forwarded-For.
      this.problems.push(
        `${name}: "true" would believe any client's X-Forwarded-For; name the proxies (addresses, CIDRs, loopback) or a hop count`,
      );
      return false;
    }
    if (/^\d+$/.test(raw)) return this.int(name, 0, 0, 10) || false;
    const list = raw
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    try {
      proxyAddr.compile(list);
    } catch (e) {
      this.problems.push(
        `${name}: ${(e as Error).message} (expected addresses, CIDRs, loopback, linklocal or uniquelocal, comma-separated, or a hop count)`,
      );
      return false;
    }
    return list;
  }

  identifier(name: string, fallback: string): string {
    const v = this.str(name, fallback);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) {
      this.problems.push(`${name}: expected a lower-case SQL identifier, got "${v}"`);
      return fallback;
    }
    return v;
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const appEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const { port, host, publicOrigin } = readHttpAddress(r);
  const dataRoot = r.str('EMBEDDED_PG_DIR');
  const lockoutBaseSeconds = r.int('LOGIN_LOCKOUT_BASE_SECONDS', 60, 1, 86_400);
  const lockoutMaxSeconds = r.int('LOGIN_LOCKOUT_MAX_SECONDS', 3600, 1, 7 * 86_400);
  if (lockoutMaxSeconds < lockoutBaseSeconds) {
    r.problems.push('LOGIN_LOCKOUT_MAX_SECONDS: must not be below LOGIN_LOCKOUT_BASE_SECONDS');
  }
  const timeZone = r.str('SERVICE_TIME_ZONE', 'Asia/Baku');
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    r.problems.push(`SERVICE_TIME_ZONE: expected an IANA time zone such as Asia/Baku, got "${timeZone}"`);
  }
  const config: AppConfig = {
    env: appEnv,
    rootDir: path.resolve(__dirname, '..', '..'),
    http: { host, port, publicOrigin: publicOrigin.replace(/\/+$/, ''), trustProxy: r.trustProxy('TRUST_PROXY') },
    db: {
      url: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
      appRole: r.identifier('DB_APP_ROLE', 'customs_app'),
      poolMax: r.int('DB_POOL_MAX', 10, 1, 200),
      reservedPoolMax: r.int('DB_RESERVED_POOL_MAX', 3, 1, 50),
      connectTimeoutMs: r.int('DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: r.int('DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
      embedded: {
        dataRoot: dataRoot === undefined ? undefined : path.resolve(dataRoot),
        port: r.int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
      },
    },
    seedDemo: r.oneOf('SEED_DEMO', ['auto', 'always', 'never'] as const, 'auto'),
    session: {
      idleMinutes: r.int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
      absoluteHours: r.int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    },
    complaints: {
      reviewDays: r.int('COMPLAINT_REVIEW_DAYS', 30, 1, 366),
      rateLimit: r.int('COMPLAINT_RATE_LIMIT', 10, 1, 100_000),
      rateWindowMinutes: r.int('COMPLAINT_RATE_WINDOW_MINUTES', 60, 1, 7 * 24 * 60),
    },
    login: {
      lockoutThreshold: r.int('LOGIN_LOCKOUT_THRESHOLD', 5, 1, 100),
      lockoutBaseSeconds,
      lockoutMaxSeconds,
      failureResetMinutes: r.int('LOGIN_FAILURE_RESET_MINUTES', 1440, 1, 30 * 1440),
      addressMaxFailures: r.int('LOGIN_ADDRESS_MAX_FAILURES', 50, 1, 1_000_000),
      addressWindowMinutes: r.int('LOGIN_ADDRESS_WINDOW_MINUTES', 15, 1, 1440),
    },
    timeZone,
    audit: {
      signingKeyFile: ((f) => (f === undefined ? undefined : path.resolve(f)))(r.str('AUDIT_SIGNING_KEY_FILE')),
      dataDir: ((d) => (d === undefined ? undefined : path.resolve(d)))(r.str('AUDIT_DATA_DIR')),
      groupCommitMs: r.int('AUDIT_GROUP_COMMIT_MS', 0, 0, 1000),
      groupCommitMax: r.int('AUDIT_GROUP_COMMIT_MAX', 256, 1, 2000),
      checkpointSeconds: r.int('AUDIT_CHECKPOINT_SECONDS', appEnv === 'test' ? 0 : 5, 0, 86_400),
      logOrigin: ((o) => {
        if (/^[^\s+]+$/.test(o)) return o;
        r.problems.push(`AUDIT_LOG_ORIGIN: expected one word without spaces or "+", got "${o}"`);
        return 'audit';
      })(r.str('AUDIT_LOG_ORIGIN') ?? `${new URL(publicOrigin).host}/audit`),
      writeTimeoutMs: r.int('AUDIT_WRITE_TIMEOUT_MS', 5000, 10, 600_000),
      refusalsPerMinute: r.int('AUDIT_REFUSALS_PER_MINUTE', 60, 1, 1_000_000),
    },
    statsRollupMinItems: r.int('STATS_ROLLUP_MIN_ITEMS', 0, 0, 1_000_000_000),
    limits: {
      concurrentOperations: r.int('RATE_CONCURRENT_OPERATIONS', 4, 0, 1000),
      waitMs: r.int('RATE_WAIT_MS', 2000, 0, 60_000),
      // At least one operation of the highest cost (MAX_QUERY_COMPLEXITY) fits in a window.
      budgetPoints: r.int('RATE_BUDGET_POINTS', 1_000_000, 20_000, 1_000_000_000),
      windowSeconds: r.int('RATE_WINDOW_SECONDS', 60, 1, 86_400),
    },
    pki: readPki(env, r),
    extract: readExtract(r, appEnv),
    challenge: {
      ttlSeconds: r.int('CHALLENGE_TTL_SECONDS', 300, 10, 3600),
      perAddressPerMinute: r.int('CHALLENGE_RATE_PER_MINUTE', 30, 1, 100_000),
    },
    logLevel: r.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      appEnv === 'test' ? 'silent' : 'info',
    ),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** PORT, HOST and PUBLIC_ORIGIN: read the same way by the service and by its client tools. */
function readHttpAddress(r: Reader): {
  port: number;
  host: string;
  publicOrigin: string;
  /** PUBLIC_ORIGIN as given (no trailing slash), undefined when unset. */
  givenOrigin: string | undefined;
} {
  const port = r.int('PORT', 4000, 0, 65535);
  const host = r.host('HOST', '127.0.0.1');
  const givenOrigin = r.url('PUBLIC_ORIGIN', ['http:', 'https:'])?.replace(/\/+$/, '');
  return { port, host, publicOrigin: givenOrigin ?? `http://localhost:${port}`, givenOrigin };
}

/** What the client tools (`npm run sign-challenge`) read from the environment; none of the service's secrets. */
export interface ClientConfig {
  /**
   * The running service's GraphQL endpoint: PUBLIC_ORIGIN + `/graphql` when PUBLIC_ORIGIN is set,
   * else `http://HOST:PORT/graphql`, a wildcard HOST (0.0.0.0, ::) reached on the loopback address.
   */
  readonly graphqlUrl: string;
  /** P12_PASSPHRASE: the PKCS#12 passphrase for scripts (unset: sign-challenge asks on the terminal). */
  readonly p12Passphrase: string | undefined;
}

export function loadClientConfig(env: Env = process.env): ClientConfig {
  const r = new Reader(env);
  const { port, host, givenOrigin } = readHttpAddress(r);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const origin = givenOrigin ?? `http://${net.isIPv6(reachable) ? `[${reachable}]` : reachable}:${port}`;
  const config: ClientConfig = { graphqlUrl: `${origin}/graphql`, p12Passphrase: r.str('P12_PASSPHRASE') };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/**
 * EXTRACT_SIGNING_CERT, EXTRACT_SIGNING_KEY, EXTRACT_SIGNING_CHAIN: the test PKI's document signer by default;
 * in production they must be set and, like the PKI_* files, may not name the test PKI unless PKI_ALLOW_TEST_PKI=true.
 */
function readExtract(r: Reader, appEnv: AppEnv): ExtractConfig {
  const rootDir = path.resolve(__dirname, '..', '..');
  const testPkiDir = path.join(rootDir, 'certs-test') + path.sep;
  const guard = appEnv === 'production' && r.str('PKI_ALLOW_TEST_PKI') !== 'true';
  const files = (name: string, fallback: string): string[] => {
    if (guard && r.str(name) === undefined)
      r.problems.push(
        `${name}: must be set in production (the default is the test PKI in certs-test/, whose keys are public)`,
      );
    const raw = r.str(name, fallback).trim();
    const list =
      raw === 'none'
        ? []
        : raw
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
    return list.map((p) => {
      const abs = path.resolve(rootDir, p);
      if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) r.problems.push(`${name}: file not found: ${abs}`);
      else if (guard && abs.startsWith(testPkiDir))
        r.problems.push(`${name}: ${abs} is the test PKI (its keys are public): refused in production`);
      return abs;
    });
  };
  const one = (name: string, fallback: string): string => {
    const list = files(name, fallback);
    if (list.length !== 1) r.problems.push(`${name}: expected exactly one file`);
    return list[0] ?? '';
  };
  return {
    signingCertFile: one('EXTRACT_SIGNING_CERT', 'certs-test/document-signer.cert.pem'),
    signingKeyFile: one('EXTRACT_SIGNING_KEY', 'certs-test/document-signer.key.pem'),
    chainFiles: files('EXTRACT_SIGNING_CHAIN', 'certs-test/issuing-ca.cert.pem'),
  };
}

/** The PKI settings have their own parser (src/pki/config.ts); its problems join the others. */
function readPki(env: Env, r: Reader): PkiConfig {
  try {
    return parsePkiConfig(env, path.resolve(__dirname, '..', '..'));
  } catch (e) {
    if (e instanceof ConfigError) {
      r.problems.push(...e.problems);
      return undefined as unknown as PkiConfig;
    }
    throw e;
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

let cached: AppConfig | undefined;
/** The process-wide configuration, parsed on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
