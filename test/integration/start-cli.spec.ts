/**
 * `npm start` when it cannot serve: a bad HOST is a configuration error naming the variable, and
 * an address it cannot listen on ends the process with a message naming HOST and PORT, after
 * stopping the embedded PostgreSQL it started.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';
import { freePort } from '../../src/shared/free-port';
import { testDb } from '../support/db';

const ROOT = path.resolve(__dirname, '..', '..');

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.DATABASE_URL;
    if (env.DATABASE_URL) childEnv.DATABASE_URL = env.DATABASE_URL;
    const p = spawn(process.execPath, ['-r', './scripts/register.js', 'src/cli/start.ts'], {
      cwd: ROOT,
      env: childEnv,
    });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * `start` in development with an embedded PostgreSQL of its own folder (removed afterwards) and no demo
 * data; `env` adds to that.
 */
async function startEmbedded(
  name: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  // Not under mkdtemp's 0700 folder when we are root: the postgres user must reach it.
  const dir = path.join('/var/tmp', `customs-${name}-${process.pid}`);
  try {
    return await start({
      NODE_ENV: 'development',
      SEED_DEMO: 'never',
      EMBEDDED_PG_DIR: dir,
      AUDIT_DATA_DIR: path.join(dir, 'audit'),
      ...env,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function occupiedPort(): Promise<net.Server> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}

describe('npm start when it cannot serve', function () {
  this.timeout(120_000);

  it('accepts IP addresses and host names as HOST and refuses anything else, naming HOST', () => {
    const host = (v: string) => loadConfig({ NODE_ENV: 'test', HOST: v }).http.host;
    for (const ok of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'stats.customs.gov.az', 'node-7']) {
      expect(host(ok)).to.equal(ok);
    }
    for (const bad of ['999.1.1.1', '1.2.3', 'bad host', '-x', 'a..b', 'x_y.example', 'http://localhost']) {
      let problems: string[] = [];
      try {
        host(bad);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems = e.problems;
      }
      expect(problems, bad).to.have.length(1);
      expect(problems[0], bad).to.match(/^HOST: expected an IP address or a host name/);
    }
  });

  it('exits 2 with HOST and PORT named when the port is taken (external database)', async () => {
    const busy = await occupiedPort();
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const r = await start({ DATABASE_URL: testDb().url, NODE_ENV: 'test', PORT: String(port), SEED_DEMO: 'never' });
      expect(r.stderr).to.contain(`start: cannot listen on 127.0.0.1:${port} (HOST, PORT): the port is in use`);
      expect(r.stderr).not.to.match(/\n\s+at /); // no stack trace
      expect(r.code).to.equal(2);
    } finally {
      busy.close();
    }
  });

  it('shuts down on a SIGTERM sent to npm itself (docker stop, systemd), not only to node', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testDb().url, NODE_ENV: 'test', PORT: String(port), SEED_DEMO: 'never' },
    });
    let stderr = '';
    npm.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    // 'close' waits for stderr, which an orphaned node would hold open: bounded.
    const closed = Promise.race([
      new Promise<void>((resolve) => npm.on('close', () => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 3000)),
    ]);
    try {
      for (let i = 0; i < 100 && !(await listening(port)); i += 1) await new Promise((r) => setTimeout(r, 200));
      expect(await listening(port), stderr).to.equal(true);
      npm.kill('SIGTERM');
      await exited;
      await closed;
      expect(stderr).to.contain('SIGTERM: shutting down');
      // Before, npm died and left node serving as an orphan.
      expect(await listening(port), 'still serving after SIGTERM').to.equal(false);
    } finally {
      npm.kill('SIGKILL');
    }
  });

  it('exits 2 naming EMBEDDED_PG_PORT, without a stack trace, when the embedded server cannot take its port', async () => {
    const taken = await occupiedPort();
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const r = await startEmbedded('port', { EMBEDDED_PG_PORT: String(port) });
      expect(r.stderr).to.contain(
        `start: embedded PostgreSQL did not start on port ${port} (is the port taken? set EMBEDDED_PG_PORT)`,
      );
      expect(r.stderr).not.to.match(/\n\s+at /);
      expect(r.code).to.equal(2);
    } finally {
      taken.close();
    }
  });

  it('stops the embedded PostgreSQL it started before exiting', async function () {
    const busy = await occupiedPort();
    const embeddedPort = await freePort();
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const r = await startEmbedded('start', {
        PORT: String(port),
        LOG_LEVEL: 'silent',
        EMBEDDED_PG_PORT: String(embeddedPort),
      });
      expect(r.stderr).to.contain(`embedded PostgreSQL`);
      expect(r.stderr).to.contain(`start: cannot listen on 127.0.0.1:${port} (HOST, PORT)`);
      expect(r.code).to.equal(2);
      expect(await listening(embeddedPort), 'embedded PostgreSQL still running').to.equal(false);
    } finally {
      busy.close();
    }
  });
});
