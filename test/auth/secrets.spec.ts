import { expect } from 'chai';
import pino from 'pino';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices, type Services } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { resetData, testDb } from '../support/db';
import { CHANGE, CONTRACTS, ISSUE, LOGIN, legalEntity, PINNED_NOW, REGISTER } from './helpers';

/**
 * One server whose log is captured at the most verbose level: the whole password path runs
 * through it, including failures and an internal error while storing a hash, and no password
 * or hash may appear anywhere but in the one issueCredentials response.
 */
describe('password access keeps passwords and hashes secret', () => {
  const logLines: string[] = [];
  const responses: { op: string; body: string }[] = [];
  let server: RunningServer;
  let services: Services;

  async function call(op: string, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.text();
    responses.push({ op, body });
    return JSON.parse(body);
  }

  before(async () => {
    await resetData();
    const { config, ds } = testDb();
    services = createServices(config, ds, new FixedClock(PINNED_NOW));
    const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
    server = await startHttpServer(services, logger, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
  });

  it('shows a password only in the issueCredentials answer, never in logs, errors, other answers or stored rows', async () => {
    const secrets: string[] = [];
    const officerOtp = (await services.accounts.createOfficer('officer.secret')).password;
    secrets.push(officerOtp, 'officer passphrase 77', 'trader passphrase 77', 'Wrong-Guess-0123456', 'short-11ch');

    const o1 = (await call('login', LOGIN, { u: 'officer.secret', p: officerOtp })).data.login.token;
    await call('changePassword', CHANGE, { c: officerOtp, n: 'officer passphrase 77' }, o1);
    const officer = (await call('login', LOGIN, { u: 'officer.secret', p: 'officer passphrase 77' })).data.login.token;
    const contract = (await call('registerContract', REGISTER, { i: legalEntity() }, officer)).data.registerContract;
    const issued = (await call('issueCredentials', ISSUE, { id: contract.id }, officer)).data.issueCredentials;
    secrets.push(issued.password);

    await call('login', LOGIN, { u: issued.username, p: 'Wrong-Guess-0123456' });
    await call('login', LOGIN, { u: 'c-no-such-contract', p: issued.password });
    const t1 = (await call('login', LOGIN, { u: issued.username, p: issued.password })).data.login.token;
    await call('changePassword', CHANGE, { c: issued.password, n: 'short-11ch' }, t1);
    await call('changePassword', CHANGE, { c: 'Wrong-Guess-0123456', n: 'trader passphrase 77' }, t1);
    await call('changePassword', CHANGE, { c: issued.password, n: 'trader passphrase 77' }, t1);
    const t2 = (await call('login', LOGIN, { u: issued.username, p: 'trader passphrase 77' })).data.login.token;
    await call('me', '{ me { username role mustChangePassword } }', {}, t2);
    await call('contracts', CONTRACTS, {}, officer);

    // An unexpected database failure while a new hash is being stored: the error is logged and
    // answered as INTERNAL_SERVER_ERROR, without the statement's parameters (the hashes).
    const { ds, config } = testDb();
    // (Hashes are replaced through auth_set_password, migration 1764000001200.)
    const setPassword = 'FUNCTION auth_set_password(bigint, text, text, timestamptz)';
    await ds.query(`REVOKE EXECUTE ON ${setPassword} FROM ${config.db.appRole}`);
    let failed: any;
    try {
      failed = await call('changePassword', CHANGE, { c: 'trader passphrase 77', n: 'trader passphrase 78' }, t2);
    } finally {
      await ds.query(`GRANT EXECUTE ON ${setPassword} TO ${config.db.appRole}`);
    }
    secrets.push('trader passphrase 78');
    expect(failed.errors[0].extensions.code).to.equal('INTERNAL_SERVER_ERROR');
    expect(logLines.join('\n')).to.contain('storing the new password failed');

    const hashes: string[] = (await ds.query('SELECT password_hash FROM user_accounts')).map(
      (r: any) => r.password_hash,
    );
    expect(hashes).to.have.length(2);
    const forbidden = [...secrets, ...hashes, '$argon2'];

    const logs = logLines.join('\n');
    for (const s of forbidden) expect(logs, `log contains ${s.slice(0, 12)}…`).not.to.contain(s);

    const issuedAnswers = responses.filter((r) => r.op === 'issueCredentials');
    expect(issuedAnswers).to.have.length(1);
    expect(issuedAnswers[0].body).to.contain(issued.password);
    for (const r of responses) {
      for (const s of forbidden) {
        if (r.op === 'issueCredentials' && s === issued.password) continue;
        expect(r.body, `${r.op} answer contains ${s.slice(0, 12)}…`).not.to.contain(s);
      }
    }

    // Stored rows other than the hash column: sessions, counters, contracts, and the audit trail if there is one.
    const tables: string[] = (
      await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'user_accounts'`)
    ).map((t: any) => t.tablename);
    for (const t of tables) {
      const dump = JSON.stringify(await ds.query(`SELECT * FROM "${t}"`));
      for (const s of forbidden) expect(dump, `table ${t} contains ${s.slice(0, 12)}…`).not.to.contain(s);
    }
  });
});
