/**
 * Bounded waits on the database: a request statement is cancelled after DB_STATEMENT_TIMEOUT_MS
 * (lock waits included) and answered with QUERY_TIMEOUT; a connection that is not established
 * within DB_CONNECT_TIMEOUT_MS fails instead of hanging.
 */
import net from 'node:net';
import { expect } from 'chai';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { RequestDb, ANONYMOUS } from '../../src/db/tenant';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';

describe('database timeouts', () => {
  it('cancels a request statement after DB_STATEMENT_TIMEOUT_MS, and sets none when it is 0', async () => {
    const { ds, config } = testDb();
    const bounded = new RequestDb(ds, config.db.appRole, 300);
    const t = performance.now();
    const err = await bounded
      .run(ANONYMOUS, (sql) => sql.query('SELECT pg_sleep(3)'))
      .then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
    expect(err?.code).to.equal('57014');
    expect(performance.now() - t).to.be.below(2500);
    const [{ statement_timeout: set }] = await bounded.run(ANONYMOUS, (sql) =>
      sql.query<{ statement_timeout: string }>('SHOW statement_timeout'),
    );
    expect(set).to.equal('300ms');
    const unbounded = new RequestDb(ds, config.db.appRole, 0);
    const [{ statement_timeout: none }] = await unbounded.run(ANONYMOUS, (sql) =>
      sql.query<{ statement_timeout: string }>('SHOW statement_timeout'),
    );
    expect(none).to.equal('0');
    // Only the transaction is bound: the pooled connection is back to no timeout.
    const [{ statement_timeout: after }] = await ds.query('SHOW statement_timeout');
    expect(after).to.equal('0');
  });

  it('answers QUERY_TIMEOUT when a query waits on a lock longer than the timeout', async () => {
    await resetData();
    const pid = await insertParticipant('1000000001');
    await insertDeclarations(pid, [{ number: 'T-1', date: '2024-01-10', direction: 'IM', items: [] }]);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: testDb().url,
      DB_STATEMENT_TIMEOUT_MS: '300',
    });
    expect(config.db.statementTimeoutMs).to.equal(300);
    const services = createServices(config, testDb().ds, new FixedClock(new Date()));
    let server: RunningServer | undefined;
    const locker = new Client({ connectionString: testDb().url });
    await locker.connect();
    try {
      server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
      const token = await traderToken(pid, services);
      await locker.query('BEGIN; LOCK TABLE declarations IN ACCESS EXCLUSIVE MODE');
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'en' },
        body: JSON.stringify({ query: '{ declarations(first: 5) { edges { node { number } } } }' }),
      });
      const body = (await res.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors?.[0].extensions.code).to.equal('QUERY_TIMEOUT');
      expect(body.errors?.[0].extensions.requestId).to.be.a('string');
      expect(body.errors?.[0].message).to.match(/statement timeout/);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await server?.close();
    }
  });

  it('fails to connect after DB_CONNECT_TIMEOUT_MS to a server that never answers', async function () {
    this.timeout(20_000);
    // Accepts TCP connections and never says a word: a hung database.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const config = loadConfig({
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x`,
        DB_CONNECT_TIMEOUT_MS: '400',
      });
      const t = performance.now();
      const err = await openDatabase(config).then(
        () => null,
        (e: Error) => e,
      );
      expect(String(err)).to.match(/timeout/i);
      expect(performance.now() - t).to.be.below(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('stopping the server waits for operations still running after the drain closed their connections', async () => {
    await resetData();
    const pid = await insertParticipant('1000000002');
    await insertDeclarations(pid, [{ number: 'S-1', date: '2024-01-10', direction: 'IM', items: [] }]);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: testDb().url });
    const services = createServices(config, testDb().ds, new FixedClock(new Date()));
    const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), {
      host: '127.0.0.1',
      port: 0,
      stopGraceMs: 200,
    });
    const token = await traderToken(pid, services);
    const locker = new Client({ connectionString: testDb().url });
    await locker.connect();
    const requestId = `stop-wait-${process.pid}`;
    try {
      await locker.query('BEGIN; LOCK TABLE declarations IN ACCESS EXCLUSIVE MODE');
      const answer = fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
        body: JSON.stringify({ query: '{ declarations(first: 5) { edges { node { number } } } }' }),
      }).then(
        (r) => r.status,
        () => 'connection closed',
      );
      await new Promise((r) => setTimeout(r, 300)); // the operation is waiting on the lock
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      await new Promise((r) => setTimeout(r, 1000)); // well past the 200 ms grace
      expect(closed, 'close() returned while an operation was still running').to.equal(false);
      await locker.query('ROLLBACK');
      await closing;
      await answer;
      // The operation finished before close() returned: its audit record is there.
      const rows = await testDb().ds.query('SELECT outcome FROM audit_records WHERE request_id = $1', [requestId]);
      expect(rows).to.deep.equal([{ outcome: 'SUCCESS' }]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await server.close().catch(() => undefined);
    }
  });
});
