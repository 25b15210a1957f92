import { expect } from 'chai';
import { DataSource, type MigrationInterface } from 'typeorm';
import { startHttpServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { testDb } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';
import { rawGql, schemaHas, useCapturedServer } from './helpers';

/** A server over the given data source, for the readiness checks. */
async function serverOver(ds: DataSource) {
  const services = createServices(testDb().config, ds, new FixedClock(new Date()));
  return startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
}

class PendingMigration1999999999999 implements MigrationInterface {
  name = 'PendingMigration1999999999999';
  async up(): Promise<void> {
    /* never run */
  }
  async down(): Promise<void> {
    /* never run */
  }
}

/** The value of one sample line of the Prometheus text, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('operations endpoints', () => {
  const cap = useCapturedServer({ reset: true });

  it('/healthz answers while the process is up', async () => {
    const r = await fetch(`${cap.server.url}/healthz`);
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ok' });
    expect(r.headers.get('x-request-id')).to.match(/^[A-Za-z0-9._-]{8,64}$/);
  });

  it('/readyz is ready when the database answers and every migration (the audit table included) is applied', async () => {
    const r = await fetch(`${cap.server.url}/readyz`);
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ready' });
    const [{ n }] = await testDb().ds.query(
      `SELECT count(*)::int AS n FROM migrations WHERE name = 'Audit1764000000200'`,
    );
    expect(n).to.equal(1);
  });

  it('/readyz answers 503 when a migration is pending', async () => {
    const ds = new DataSource({
      ...testDb().ds.options,
      migrations: [
        ...(testDb().ds.options.migrations as (new () => MigrationInterface)[]),
        PendingMigration1999999999999,
      ],
      logging: false,
    } as never);
    await ds.initialize();
    const server = await serverOver(ds);
    try {
      const r = await fetch(`${server.url}/readyz`);
      expect(r.status).to.equal(503);
      expect(await r.json()).to.deep.equal({ status: 'migrations pending' });
    } finally {
      await server.close();
      await ds.destroy();
    }
  });

  it('/readyz answers 503 when the database is unreachable', async () => {
    const ds = new DataSource({ ...testDb().ds.options, logging: false } as never);
    await ds.initialize();
    const server = await serverOver(ds);
    try {
      await ds.destroy();
      const r = await fetch(`${server.url}/readyz`);
      expect(r.status).to.equal(503);
      expect(await r.json()).to.deep.equal({ status: 'database unreachable' });
    } finally {
      await server.close();
    }
  });

  it('/metrics counts operations by root field and outcome, latency, login attempts, and database pool use', async () => {
    const url = cap.server.url;
    const p = await insertParticipant('1000000001');
    const token = await traderToken(p);
    const before = await (await fetch(`${url}/metrics`)).text();
    await rawGql('{ me { role } }', {}, token, { url });
    await rawGql('{ me { role } }', {}, token, { url });
    await rawGql('{ me { role } }', {}, undefined, { url });
    await rawGql('{ nope }', {}, token, { url });
    const hasLogin = await schemaHas('login');
    if (hasLogin)
      await rawGql(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
        { u: 'nobody.here', p: 'x-wrong-1' },
        undefined,
        { url },
      );
    const res = await fetch(`${url}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const after = await res.text();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('graphql_operations_total', { operation: 'me', type: 'query', outcome: 'SUCCESS' })).to.equal(2);
    expect(delta('graphql_operations_total', { operation: 'me', type: 'query', outcome: 'ERROR' })).to.equal(1);
    expect(delta('graphql_operations_total', { operation: '(invalid)', outcome: 'REJECTED' })).to.equal(1);
    expect(delta('graphql_operation_duration_seconds_count', { operation: 'me', outcome: 'SUCCESS' })).to.equal(2);
    expect(after).to.match(
      /^graphql_operation_duration_seconds_bucket\{le="0\.05",operation="me",outcome="SUCCESS"\} \d+$/m,
    );
    if (hasLogin) expect(delta('login_attempts_total', { method: 'PASSWORD', result: 'refused' })).to.equal(1);
    expect(sample(after, 'db_pool_connections', { state: 'total' })).to.be.greaterThan(0);
    expect(after).to.match(/^db_pool_connections\{state="waiting"\} \d+$/m);
    expect(after).to.match(/^db_pool_max_connections \d+$/m);
    expect(sample(after, 'audit_batch_records_count')).to.be.greaterThan(0);
    expect(after).to.match(/^process_cpu_user_seconds_total /m);
    // Operation names chosen by clients never become labels.
    await rawGql('query SomeClientName { me { role } }', {}, token, { url });
    expect(await (await fetch(`${url}/metrics`)).text()).not.to.contain('SomeClientName');
  });
});
