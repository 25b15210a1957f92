/**
 * The database going away under a running service: a TCP relay to the test database that can be
 * cut (refusing and dropping connections) and restored, and a service whose pool goes through it.
 */
import net from 'node:net';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices, type Services } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { resetData, testDb } from './db';

export class Relay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens (again, on the same port after a cut) and pipes every connection to the target. */
  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Drops every open connection and stops listening: the database is unreachable. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export interface RelayedService {
  relay: Relay;
  db: Database;
  services: Services;
  server: RunningServer;
  close(): Promise<void>;
}

/** A service on its own port whose database connections go through a Relay (1 s connect timeout). */
export async function serviceBehindRelay(): Promise<RelayedService> {
  const u = new URL(testDb().url);
  const relay = new Relay({ host: u.hostname, port: Number(u.port) });
  await relay.open();
  u.port = String(relay.port);
  try {
    return await startBehind(relay, u.toString());
  } catch (e) {
    await relay.cut();
    throw e;
  }
}

async function startBehind(relay: Relay, url: string): Promise<RelayedService> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DB_CONNECT_TIMEOUT_MS: '1000',
  });
  const db = await openDatabase(config, { migrate: false });
  const services = createServices(config, db.ds, new FixedClock(new Date()));
  const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), {
    host: '127.0.0.1',
    port: 0,
  }).catch(async (e: unknown) => {
    await db.close();
    throw e;
  });
  return {
    relay,
    db,
    services,
    server,
    async close() {
      await server.close();
      await relay.cut();
      await db.close();
    },
  };
}

/**
 * Mocha hooks for the enclosing describe: the data reset and a service behind a relay started before
 * its tests, closed after them. The object returned is filled in by the before hook.
 */
export function useServiceBehindRelay(): RelayedService {
  const relayed = {} as RelayedService;
  before(async () => {
    await resetData();
    Object.assign(relayed, await serviceBehindRelay());
  });
  after(async () => {
    await relayed.close?.();
  });
  return relayed;
}
