import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { resetData, testDb } from '../support/db';
import { errorCode, gql } from '../support/server';
import { CHANGE, CONTRACTS, login, loginToken } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `npm run create-officer -- ARGS` the way npm does, against the test database. */
function createOfficer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', './scripts/register.js', 'src/cli/create-officer.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: testDb().url, LOG_LEVEL: 'silent' },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run create-officer', () => {
  before(async () => {
    await resetData();
  });

  it('creates an officer and prints the username and a one-time password once, storing only a hash', async () => {
    const r = await createOfficer('--', 'Rashad.Aliyev');
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal('username: rashad.aliyev');
    const m = /^password: (\S{16,})$/.exec(lines[1]);
    expect(m, lines[1]).to.not.equal(null);
    expect(lines[2]).to.equal('');
    const password = m![1];
    expect(r.stderr).not.to.contain(password);

    const rows = await testDb().ds.query(`SELECT * FROM user_accounts WHERE username = 'rashad.aliyev'`);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ role: 'OFFICER', must_change_password: true, participant_id: null });
    expect(rows[0].password_hash).to.match(/^\$argon2id\$/);
    expect(JSON.stringify(rows)).not.to.contain(password);

    const first = await login('rashad.aliyev', password);
    expect(first.data.login.viewer).to.deep.include({
      role: 'OFFICER',
      mustChangePassword: true,
      username: 'rashad.aliyev',
    });
    expect(errorCode(await gql(CONTRACTS, {}, first.data.login.token))).to.equal('PASSWORD_CHANGE_REQUIRED');
    await gql(CHANGE, { c: password, n: 'officer passphrase 9' }, first.data.login.token);
    const officer = await loginToken('rashad.aliyev', 'officer passphrase 9');
    expect((await gql(CONTRACTS, {}, officer)).data.contracts.edges).to.deep.equal([]);
  });

  it('refuses a username that exists, without printing a password', async () => {
    const r = await createOfficer('rashad.aliyev');
    expect(r.code).to.not.equal(0);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/taken/);
  });

  it('refuses malformed usernames, names reserved for contracts, and a missing argument', async () => {
    for (const args of [['ab'], ['c-gk-1'], ['has space'], [], ['one', 'two']]) {
      const r = await createOfficer(...args);
      expect(r.code, args.join(' ')).to.not.equal(0);
      expect(r.stdout, args.join(' ')).to.equal('');
    }
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM user_accounts');
    expect(n).to.equal(1);
  });
});
