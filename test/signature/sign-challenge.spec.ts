/**
 * `npm run sign-challenge` as a user meets it: the service's address taken from PORT / HOST /
 * PUBLIC_ORIGIN like `npm start`, an unreachable address named with its cause, and PKCS#12 files
 * (certs-test/*.p12, passphrase `test-p12-passphrase`) opened with a passphrase from a file, the
 * environment or a terminal prompt that does not echo. Each run is a separate process against the
 * shared test server; the server's clock is pinned near the wall clock because openssl stamps
 * signingTime with it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Pkcs12Error, readPkcs12 } from '../../src/cli/pkcs12';
import { ConfigError, loadClientConfig } from '../../src/config';
import { freePort } from '../../src/shared/free-port';
import { ROOT, runCli, type CliRun } from '../support/cli';
import { beforeFreshData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { gql, wallClockServer } from '../support/server';

const CERTS = path.join(ROOT, 'certs-test');
const VOEN = '1402345671';
const PASSPHRASE = 'test-p12-passphrase';
const SCRIPT = 'src/cli/sign-challenge.ts';
const ME = '{ me { authMethod participant { voen } } }';

/** This process's environment without the variables that choose the service's address. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['PORT', 'HOST', 'PUBLIC_ORIGIN', 'P12_PASSPHRASE']) delete env[k];
  return { ...env, ...extra };
}

async function expectWorkingToken(run: CliRun): Promise<void> {
  expect(run.code, run.stderr).to.equal(0);
  expect(run.stdout).to.match(/^[^\s]+\n$/);
  expect(run.stderr).to.contain('logged in as Xəzər Logistika MMC');
  const me = await gql(ME, {}, run.stdout.trim());
  expect(me.errors, JSON.stringify(me.errors)).to.equal(undefined);
  expect(me.data.me).to.deep.equal({ authMethod: 'SIGNATURE', participant: { voen: VOEN } });
}

describe('npm run sign-challenge: address, errors, PKCS#12', function () {
  this.timeout(60_000);
  let url: string;
  let port: number;
  let passFile: string;
  let tmp: string;

  beforeFreshData(async () => {
    const { server, url: graphqlUrl } = await wallClockServer();
    url = graphqlUrl;
    port = server.port;
    await insertParticipant(VOEN, 'Xəzər Logistika MMC');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-challenge-test-'));
    passFile = path.join(tmp, 'passphrase');
    fs.writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const pem = ['--cert', path.join(CERTS, 'legal-rsa.cert.pem'), '--key', path.join(CERTS, 'legal-rsa.key.pem')];
  const p12 = (name: string) => ['--p12', path.join(CERTS, `${name}.p12`)];

  describe("the service's address", () => {
    it('defaults to http://HOST:PORT/graphql from PORT and HOST, as npm start listens', async () => {
      const run = await runCli(SCRIPT, pem, { env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1' }) });
      await expectWorkingToken(run);
    });

    it('takes PUBLIC_ORIGIN over HOST and PORT when it is set', async () => {
      const dead = await freePort();
      const env = cleanEnv({ PORT: String(dead), PUBLIC_ORIGIN: `http://127.0.0.1:${port}/` });
      await expectWorkingToken(await runCli(SCRIPT, pem, { env }));
    });

    it('names the URL it tried and the cause when nothing answers there (exit 1, no token)', async () => {
      const dead = await freePort();
      const run = await runCli(SCRIPT, pem, { env: cleanEnv({ PORT: String(dead) }) });
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.contain(`cannot reach the service at http://127.0.0.1:${dead}/graphql`);
      expect(run.stderr).to.contain(`ECONNREFUSED 127.0.0.1:${dead}`);
      expect(run.stderr).not.to.contain('fetch failed');
    });

    it('names a URL that answers without GraphQL (wrong path)', async () => {
      const wrong = url.replace(/\/graphql$/, '/nothing-here');
      const run = await runCli(SCRIPT, [...pem, '--url', wrong], { env: cleanEnv() });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain(`${wrong} answered HTTP 404 without a GraphQL response`);
    });

    it('exits 2 naming a bad PORT, as npm start would', async () => {
      const run = await runCli(SCRIPT, pem, { env: cleanEnv({ PORT: 'eighty' }) });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('PORT: expected an integer');
    });

    it('loadClientConfig: wildcard hosts are reached on loopback, IPv6 in brackets, PUBLIC_ORIGIN without its slash', () => {
      expect(loadClientConfig({}).graphqlUrl).to.equal('http://127.0.0.1:4000/graphql');
      expect(loadClientConfig({ HOST: '0.0.0.0', PORT: '8080' }).graphqlUrl).to.equal('http://127.0.0.1:8080/graphql');
      expect(loadClientConfig({ HOST: '::', PORT: '8080' }).graphqlUrl).to.equal('http://[::1]:8080/graphql');
      expect(loadClientConfig({ HOST: '::1' }).graphqlUrl).to.equal('http://[::1]:4000/graphql');
      expect(loadClientConfig({ HOST: 'stats.local' }).graphqlUrl).to.equal('http://stats.local:4000/graphql');
      expect(loadClientConfig({ PUBLIC_ORIGIN: 'https://stats.example.az/', PORT: '1' }).graphqlUrl).to.equal(
        'https://stats.example.az/graphql',
      );
      expect(loadClientConfig({ P12_PASSPHRASE: 'x' }).p12Passphrase).to.equal('x');
      expect(() => loadClientConfig({ PUBLIC_ORIGIN: 'ftp://x' })).to.throw(ConfigError, 'PUBLIC_ORIGIN');
    });
  });

  describe('--p12', () => {
    it('logs in with an RSA key, its certificate and chain from a .p12, passphrase from --passphrase-file', async () => {
      const run = await runCli(SCRIPT, [...p12('legal-rsa'), '--passphrase-file', passFile, '--url', url], {
        env: cleanEnv(),
      });
      await expectWorkingToken(run);
      expect(run.stderr).to.contain('signer: ').and.to.contain('VATAZ-1402345671');
    });

    it('logs in with an ECDSA key from a .p12 in the older 3DES/SHA-1 form, passphrase from P12_PASSPHRASE', async () => {
      const run = await runCli(SCRIPT, [...p12('legal-ec'), '--url', url], {
        env: cleanEnv({ P12_PASSPHRASE: PASSPHRASE }),
      });
      await expectWorkingToken(run);
    });

    it('asks for the passphrase on the terminal without echoing it', async function () {
      if (!fs.existsSync('/usr/bin/script')) this.skip(); // util-linux script gives the child a terminal
      const cmd = [process.execPath, '-r', './scripts/register.js', SCRIPT, ...p12('legal-rsa'), '--url', url]
        .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
        .join(' ');
      const child = spawn('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: cleanEnv() });
      let out = '';
      let typed = false;
      child.stdout.on('data', (d) => {
        out += String(d);
        if (!typed && out.includes('passphrase of ')) {
          typed = true;
          child.stdin.write(`${PASSPHRASE}\r`);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.contain(`passphrase of ${path.join(CERTS, 'legal-rsa.p12')}: `);
      expect(out).to.contain('logged in as Xəzər Logistika MMC');
      expect(out, out).not.to.contain(PASSPHRASE);
      const token = /^([A-Za-z0-9_-]{20,})\r?$/m.exec(out)?.[1];
      const me = await gql(ME, {}, token);
      expect(me.data?.me, out).to.deep.equal({ authMethod: 'SIGNATURE', participant: { voen: VOEN } });
    });

    it('opens .p12 files whose passphrase has non-ASCII letters, in the OpenSSL 3 and in the older form', () => {
      const pass = 'Xəzər-2025';
      for (const legacy of [false, true]) {
        const file = path.join(tmp, `utf8-${legacy}.p12`);
        execFileSync(
          'openssl',
          [
            'pkcs12',
            '-export',
            ...['-in', path.join(CERTS, 'legal-ec.cert.pem'), '-inkey', path.join(CERTS, 'legal-ec.key.pem')],
            ...(legacy ? ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] : []),
            ...['-passout', 'env:P12_TEST_PASS', '-out', file],
          ],
          { env: { ...process.env, P12_TEST_PASS: pass } },
        );
        const p12 = readPkcs12(fs.readFileSync(file), pass, file);
        expect(
          p12.certificate.raw.equals(new X509Certificate(fs.readFileSync(path.join(CERTS, 'legal-ec.cert.pem'))).raw),
        ).to.equal(true);
        expect(() => readPkcs12(fs.readFileSync(file), 'Xezer-2025', file)).to.throw(Pkcs12Error, 'wrong passphrase');
      }
    });

    it('exits 2 with "wrong passphrase" before asking the service for a challenge', async () => {
      const bad = path.join(tmp, 'wrong');
      fs.writeFileSync(bad, 'not-the-passphrase\n');
      const run = await runCli(SCRIPT, [...p12('legal-rsa'), '--passphrase-file', bad, '--url', url], {
        env: cleanEnv(),
      });
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.equal(
        `sign-challenge: ${path.join(CERTS, 'legal-rsa.p12')}: wrong passphrase (the file does not open with it)\n`,
      );
    });

    for (const [title, args, code, says] of [
      [
        'exits 2 for a .p12 that holds a certificate but no private key',
        p12('no-key'),
        2,
        'no-key.p12 holds no private key',
      ],
      [
        'exits 2 for a file that is not PKCS#12',
        ['--p12', path.join(CERTS, 'legal-rsa.cert.pem')],
        2,
        'legal-rsa.cert.pem is not a PKCS#12 (.p12/.pfx) file',
      ],
      [
        'fails (exit 1, CERT_UNTRUSTED, no token) for a .p12 whose certificate comes from an untrusted CA',
        p12('lookalike-leaf'),
        1,
        'sign-challenge: CERT_UNTRUSTED: ',
      ],
    ] as const) {
      it(title, async () => {
        const run = await runCli(SCRIPT, [...args, '--url', url], { env: cleanEnv({ P12_PASSPHRASE: PASSPHRASE }) });
        expect(run.code).to.equal(code);
        expect(run.stdout).to.equal('');
        expect(run.stderr).to.contain(says);
      });
    }

    it('without a terminal, a passphrase file or P12_PASSPHRASE: exits 2 saying how to give one', async () => {
      const run = await runCli(SCRIPT, [...p12('legal-rsa'), '--url', url], { env: cleanEnv() });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('needs its passphrase').and.to.contain('--passphrase-file FILE or P12_PASSPHRASE');
    });

    it('refuses a passphrase on the command line (exit 2) and --p12 together with --cert', async () => {
      const onLine = await runCli(SCRIPT, [...p12('legal-rsa'), '--passphrase', PASSPHRASE, '--url', url], {
        env: cleanEnv(),
      });
      expect(onLine.code).to.equal(2);
      expect(onLine.stderr).to.contain('a passphrase on the command line is visible to other users');
      const both = await runCli(SCRIPT, [...p12('legal-rsa'), ...pem, '--url', url], { env: cleanEnv() });
      expect(both.code).to.equal(2);
      expect(both.stderr).to.match(/^usage: npm run sign-challenge/);
    });
  });
});
