/**
 * The embedded cluster's data root must stay enterable by the postgres OS user even when other
 * parts of the service keep private folders inside it (the audit signing key and witness log).
 * A recursive mkdir with mode 0700 once made the root itself private, and the next `npm start`
 * refused to run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { mkdirPrivate, loadSigningKey } from '../../src/audit/signing';
import { canConnect, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';
import { testDb } from '../support/db';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('data folders', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'data-folders-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps the audit folder and key private without making the folders above it private', () => {
    const root = path.join(tmp, 'data');
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: testDb().url,
      AUDIT_DATA_DIR: path.join(root, 'audit'),
    });
    const key = loadSigningKey(config, { create: true });
    expect(key.source).to.equal(path.join(root, 'audit', 'audit-signing-key.pem'));
    expect(mode(path.join(root, 'audit'))).to.equal(0o700);
    expect(mode(key.source)).to.equal(0o600);
    // Others may traverse the data root (umask may still drop read bits).
    expect(mode(root) & 0o711, 'data root').to.equal(0o711);
    // Created again: the existing key is read, not replaced.
    expect(loadSigningKey(config, { create: true }).keyId).to.equal(key.keyId);
  });

  it('mkdirPrivate creates every missing parent traversable and only the last folder private', () => {
    const dir = path.join(tmp, 'a', 'b', 'c');
    mkdirPrivate(dir);
    expect(mode(dir)).to.equal(0o700);
    for (const p of [path.join(tmp, 'a'), path.join(tmp, 'a', 'b')]) expect(mode(p) & 0o711, p).to.equal(0o711);
  });

  it('keeps a shared embedded server running until the last process using it leaves, whoever started it', async function () {
    this.timeout(120_000);
    const root = path.join('/var/tmp', `customs-share-${process.pid}`);
    const up = (port: number) =>
      canConnect(
        `postgres://postgres:${encodeURIComponent(fs.readFileSync(path.join(root, 'superuser.password'), 'utf8').trim())}@127.0.0.1:${port}/postgres`,
      );
    const started: EmbeddedServer[] = [];
    try {
      for (const order of [
        ['starter', 'joiner'],
        ['joiner', 'starter'],
      ]) {
        const starter = await startEmbeddedPostgres({ dataRoot: root, port: 0, database: 'share' });
        const joiner = await startEmbeddedPostgres({ dataRoot: root, port: starter.port, database: 'share' });
        started.push(starter, joiner);
        expect([starter.startedHere, joiner.startedHere]).to.deep.equal([true, false]);
        const byName = { starter, joiner } as const;
        await byName[order[0] as keyof typeof byName].stop();
        expect(await up(starter.port), `after the ${order[0]} left`).to.equal(true);
        await byName[order[1] as keyof typeof byName].stop();
        expect(await up(starter.port), `after the ${order[1]} left too`).to.equal(false);
      }
      // Two processes starting the stopped cluster at the same moment: one starts it, the other joins.
      const settled = await Promise.allSettled(
        [0, 1].map(() => startEmbeddedPostgres({ dataRoot: root, port: 0, database: 'share' })),
      );
      const both = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      started.push(...both); // stopped in finally even when the other one failed
      expect(settled.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).to.deep.equal(['ok', 'ok']);
      expect(both.map((s) => s.startedHere).sort()).to.deep.equal([false, true]);
      expect(both[0].port).to.equal(both[1].port);
      for (const s of both) await s.stop();
      expect(await up(both[0].port)).to.equal(false);
    } finally {
      for (const s of started) await s.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('starts the embedded cluster in its own data root even after that root was made private (as root)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root runs PostgreSQL as another OS user
    this.timeout(120_000);
    // Not under mkdtemp's 0700 folder: the postgres user could not reach it.
    const root = path.join('/var/tmp', `customs-heal-${process.pid}`);
    fs.mkdirSync(root, { mode: 0o700 });
    fs.chmodSync(root, 0o700);
    let pg: EmbeddedServer | undefined;
    try {
      pg = await startEmbeddedPostgres({ dataRoot: root, port: 0, database: 'heal', ephemeral: true });
      expect(mode(root) & 0o711).to.equal(0o711);
      expect(mode(path.join(root, 'pgdata'))).to.equal(0o700);
    } finally {
      await pg?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
