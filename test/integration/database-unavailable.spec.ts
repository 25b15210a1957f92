/**
 * The database going away under a running service: clients get a retryable, coded answer
 * (503 DATABASE_UNAVAILABLE with the request id) instead of a masked 500, it is counted, and the
 * service answers again once the database is back, without a restart.
 */
import net from 'node:net';
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { resetData, testDb } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';

/** A TCP relay to the test database that can be cut (refusing and dropping connections) and restored. */
class Relay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

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

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('database unavailable', function () {
  this.timeout(30_000);
  let relay: Relay;
  let db: Database;
  let server: RunningServer;
  let token: string;

  before(async () => {
    await resetData();
    const u = new URL(testDb().url);
    relay = new Relay({ host: u.hostname, port: Number(u.port) });
    await relay.open();
    u.port = String(relay.port);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: u.toString(),
      DB_CONNECT_TIMEOUT_MS: '1000',
    });
    db = await openDatabase(config, { migrate: false });
    const services = createServices(config, db.ds, new FixedClock(new Date()));
    server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
    const pid = await insertParticipant('1000000001');
    token = await traderToken(pid, services);
  });
  after(async () => {
    await server?.close();
    await relay?.cut();
    await db?.close();
  });

  const ask = async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    return {
      status: res.status,
      requestId: res.headers.get('x-request-id'),
      body: (await res.json()) as {
        data?: { me: { role: string } };
        errors?: { message: string; extensions: Record<string, unknown> }[];
      },
    };
  };

  it('answers 503 DATABASE_UNAVAILABLE with the request id while the database is away, and recovers', async () => {
    expect((await ask()).body.data?.me.role).to.equal('TRADER');
    await relay.cut();
    for (let i = 0; i < 2; i += 1) {
      // a dropped pooled connection, then a refused new one
      const r = await ask();
      expect(r.status, JSON.stringify(r.body)).to.equal(503);
      expect(r.body.errors?.[0].extensions).to.include({ code: 'DATABASE_UNAVAILABLE', requestId: r.requestId });
      expect(r.body.errors?.[0].message).to.match(/database cannot be reached/);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).to.match(/^database_unavailable_total 2$/m);
    await relay.open(); // same port
    const back = await ask();
    expect(back.status).to.equal(200);
    expect(back.body.data?.me.role).to.equal('TRADER');
  });

  it('tells connection failures from other errors', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const e of [
      coded('ECONNREFUSED'),
      coded('57P01'),
      coded('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([coded('ECONNREFUSED')], 'all failed'),
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).to.equal(true);
    }
    for (const e of [coded('23505'), coded('57014'), coded('42P01'), new Error('boom'), 'ECONNREFUSED', null]) {
      expect(isDatabaseUnavailable(e), String(e)).to.equal(false);
    }
  });
});
