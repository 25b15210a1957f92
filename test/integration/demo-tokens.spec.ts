/**
 * The demo tokens npm start prints: only outside production, and opened by a real login (Web eID
 * with the demo identity's test certificate, over HTTP) so each is an ordinary session of its
 * participant that leaves an audit record, ends with the idle and absolute limits, and is revoked
 * with the participant like any other. The banner names both limits.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { DEMO_USER_AGENT, demoSessions, demoTokenLifetime, demoTokensAllowed } from '../../src/cli/demo';
import { traderScope } from '../../src/db/tenant';
import { createServices } from '../../src/services';
import { freePort } from '../../src/shared/free-port';
import { resetData, testDb } from '../support/db';
import { insertOneImport, insertParticipant } from '../support/fixtures';
import { gql, testServer } from '../support/server';

const ME = '{ me { role authMethod participant { id } } }';
const ROOT = path.resolve(__dirname, '..', '..');

const sessionCount = async (): Promise<number> =>
  (await testDb().ds.query('SELECT count(*)::int AS n FROM sessions'))[0].n;

describe('npm start: the demo tokens and what the banner says about them', () => {
  beforeEach(resetData);

  it('names the idle and the absolute limit with their variables', () => {
    const text = demoTokenLifetime({ idleMinutes: 7, absoluteHours: 5 });
    expect(text).to.contain('7 min without a request (SESSION_IDLE_MINUTES)');
    expect(text).to.contain('5 h after this start at the latest (SESSION_ABSOLUTE_HOURS)');
  });

  it('a demo token ends after the idle limit without a request, well before the absolute limit', async () => {
    const { server, services, clock } = await testServer();
    const { idleMinutes, absoluteHours } = services.config.session;
    expect(idleMinutes * 60_000).to.be.lessThan(absoluteHours * 3_600_000);
    clock.set(new Date());
    await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    const {
      sessions: [demo],
    } = await demoSessions(services, server.url);
    expect(demo, 'a demo session for the first demo identity').to.not.equal(undefined);
    expect((await gql(ME, {}, demo!.token)).data?.me?.role).to.equal('TRADER');
    clock.advance((idleMinutes - 1) * 60_000);
    expect((await gql(ME, {}, demo!.token)).data?.me?.role, 'used within the idle limit').to.equal('TRADER');
    clock.advance((idleMinutes + 1) * 60_000);
    const idle = await gql(ME, {}, demo!.token);
    expect(idle.errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
  });

  it('opens each demo session by a login that is audited, and the session dies with its participant', async () => {
    const { server, services, clock } = await testServer();
    clock.set(new Date());
    const legal = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    const { sessions, failed } = await demoSessions(services, server.url);
    // The natural person of the demo data is not loaded here: reported, not fatal.
    expect(sessions).to.have.length(1);
    expect(failed).to.have.length(1);
    expect(failed[0]).to.match(/^Aysel Məmmədova: PARTICIPANT_NOT_FOUND/);
    const me = (await gql(ME, {}, sessions[0].token)).data.me;
    expect(me).to.deep.equal({ role: 'TRADER', authMethod: 'SIGNATURE', participant: { id: legal } });
    await services.audit.drain();
    const [row] = await testDb().ds.query(
      `SELECT outcome, auth_method, login, session_id, login_participant_id::text AS p, login_session_id::text AS s,
              user_agent, root_fields
         FROM audit_records WHERE login AND login_participant_id = $1`,
      [legal],
    );
    const [session] = await testDb().ds.query(
      `SELECT id::text AS id FROM sessions WHERE participant_id = $1 AND revoked_at IS NULL`,
      [legal],
    );
    expect(row).to.deep.equal({
      outcome: 'SUCCESS',
      auth_method: 'SIGNATURE',
      login: true,
      session_id: null,
      p: legal,
      s: session.id,
      user_agent: DEMO_USER_AGENT,
      root_fields: ['loginWithWebEid'],
    });
    // What suspending (blocking) the participant does to its sessions ends the demo one too.
    expect(await services.sessions.revokeAll(traderScope(legal), { participantId: legal })).to.equal(1);
    expect((await gql(ME, {}, sessions[0].token)).errors?.[0]?.extensions?.code).to.equal('UNAUTHENTICATED');
  });

  it('creates no demo session under NODE_ENV=production', async () => {
    const { server } = await testServer();
    await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    const config = loadConfig({ ...process.env, NODE_ENV: 'production', PKI_ALLOW_TEST_PKI: 'true' });
    expect(demoTokensAllowed(config)).to.equal(false);
    expect(demoTokensAllowed(testDb().config)).to.equal(true);
    const before = await sessionCount();
    const services = createServices(config, testDb().ds);
    expect(await demoSessions(services, server.url)).to.deep.equal({ sessions: [], failed: [] });
    expect(await sessionCount()).to.equal(before);
  });

  describe('npm start', function () {
    this.timeout(120_000);

    /** Runs npm start (seeding allowed, data already there) until it is serving; returns what it said. */
    async function startOnce(env: Record<string, string>): Promise<string> {
      const port = await freePort();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-start-'));
      const p = spawn(process.execPath, ['-r', './scripts/register.js', 'src/cli/start.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: testDb().url,
          SEED_DEMO: 'always',
          PORT: String(port),
          LOG_LEVEL: 'silent',
          AUDIT_DATA_DIR: path.join(dir, 'audit'),
          AUDIT_CHECKPOINT_SECONDS: '0',
          ...env,
        },
      });
      let stderr = '';
      p.stderr.on('data', (d) => {
        stderr += String(d);
      });
      const closed = new Promise<void>((resolve) => p.on('close', () => resolve()));
      try {
        for (let i = 0; i < 300 && !stderr.includes('Ctrl-C stops') && p.exitCode === null; i += 1) {
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(stderr, stderr).to.contain('Ctrl-C stops');
      } finally {
        p.kill('SIGTERM');
        await closed;
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return stderr;
    }

    beforeEach(async () => {
      // Data present: npm start does not seed, but (SEED_DEMO=always) would print demo tokens.
      const pid = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
      await insertOneImport(pid, 'D-1', '2024-01-10', ['8471300000', 'CN', '1.000', '2.000', '5.00', '1.00']);
    });

    it('prints and creates no demo token under NODE_ENV=production', async () => {
      const before = await sessionCount();
      const said = await startOnce({ NODE_ENV: 'production', PKI_ALLOW_TEST_PKI: 'true' });
      expect(said).not.to.contain('Bearer');
      expect(said).to.contain('No demo tokens under NODE_ENV=production');
      expect(await sessionCount()).to.equal(before);
    });

    it('prints a demo token outside production, opened by an audited login', async () => {
      const said = await startOnce({ NODE_ENV: 'development' });
      const m = /Xəzər Logistika MMC\s+\{"Authorization": "Bearer (cts_[A-Za-z0-9_-]+)"\}/.exec(said);
      expect(m, said).to.not.equal(null);
      const [row] = await testDb().ds.query(
        `SELECT count(*)::int AS n FROM audit_records WHERE login AND outcome = 'SUCCESS' AND user_agent = $1`,
        [DEMO_USER_AGENT],
      );
      expect(row.n).to.equal(1);
    });
  });
});
