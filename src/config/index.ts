/**
 * The one place that reads process.env. Every variable is parsed and validated once into a
 * frozen AppConfig; a bad value stops the process with a message naming the variable.
 */
import path from 'node:path';

export type AppEnv = 'development' | 'production' | 'test';

export interface AppConfig {
  readonly env: AppEnv;
  /** Absolute path of the repository root (where package.json lives). */
  readonly rootDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly publicOrigin: string };
  readonly db: {
    /** Set when DATABASE_URL is given; otherwise the embedded server is used. */
    readonly url: string | undefined;
    /** The role requests run as: owns nothing, no BYPASSRLS (row-level security applies). */
    readonly appRole: string;
    readonly poolMax: number;
    readonly embedded: { readonly dataRoot: string | undefined; readonly port: number };
  };
  /** 'auto': seed demo data on the embedded server's first start only. */
  readonly seedDemo: 'auto' | 'always' | 'never';
  readonly session: { readonly idleMinutes: number; readonly absoluteHours: number };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
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
  const port = r.int('PORT', 4000, 0, 65535);
  const host = r.str('HOST', '127.0.0.1');
  const publicOrigin = r.url('PUBLIC_ORIGIN', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const dataRoot = r.str('EMBEDDED_PG_DIR');
  const config: AppConfig = {
    env: appEnv,
    rootDir: path.resolve(__dirname, '..', '..'),
    http: { host, port, publicOrigin: publicOrigin.replace(/\/+$/, '') },
    db: {
      url: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
      appRole: r.identifier('DB_APP_ROLE', 'customs_app'),
      poolMax: r.int('DB_POOL_MAX', 10, 1, 200),
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
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      appEnv === 'test' ? 'silent' : 'info'),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
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
