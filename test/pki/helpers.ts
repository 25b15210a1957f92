/**
 * Test helpers for the PKI specs: sign with the real openssl CLI into temp files, build Web eID tokens with
 * node:crypto, make CRLs with `openssl ca`, run an `openssl ocsp` responder on a free port.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, createPrivateKey, constants, sign as cryptoSign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AppError, type ErrorCode } from '../../src/shared/errors';
import { freePort } from '../../src/shared/free-port';
import { createPkiVerifier, parsePkiConfig, type PkiVerifier } from '../../src/pki';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CERTS = path.join(ROOT, 'certs-test');
export const cert = (name: string) => path.join(CERTS, `${name}.cert.pem`);
export const key = (name: string) => path.join(CERTS, `${name}.key.pem`);

export interface Identities {
  policyOid: string;
  legalEntity: { voen: string; name: string; representative: { fin: string; name: string }; certs: string[] };
  naturalPerson: { fin: string; name: string; certs: string[] };
  negative: Record<string, { fin?: string; voen?: string }>;
}
export const identities: Identities = JSON.parse(fs.readFileSync(path.join(CERTS, 'identities.json'), 'utf8'));

let tmpRoot: string | undefined;
/** A fresh directory under one per-run temp root (removed at exit). */
/** Writes `text` to a file called `name` in a fresh temporary folder and returns its path. */
export function tempFile(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

/** A subject-profile file (PKI_SUBJECT_PROFILE) holding `rules`, as written, valid or not. */
export function profileFile(name: string, rules: unknown[]): string {
  return tempFile(name, JSON.stringify({ rules }));
}

export function tempDir(prefix = 'pki'): string {
  if (!tmpRoot) {
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-tests-'));
    const dir = tmpRoot;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return fs.mkdtempSync(path.join(tmpRoot, `${prefix}-`));
}

export function openssl(args: string[], input?: Buffer | string): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface SignOptions {
  detached?: boolean;
  certfile?: string;
  cades?: boolean;
  pss?: boolean;
  md?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  noattr?: boolean;
  nocerts?: boolean;
  /** extra signers: [name, …] (makes a multi-signer CMS) */
  extraSigners?: string[];
}

/** `openssl cms -sign -binary -outform DER` over the exact UTF-8 bytes of `text`; returns base64. */
export function signCms(signer: string, text: string | Buffer, o: SignOptions = {}): string {
  const dir = tempDir('cms');
  const inFile = path.join(dir, 'tbs.bin');
  const outFile = path.join(dir, 'sig.der');
  fs.writeFileSync(inFile, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  const args = [
    'cms',
    '-sign',
    '-binary',
    '-md',
    o.md ?? 'sha256',
    '-outform',
    'DER',
    '-in',
    inFile,
    '-out',
    outFile,
    '-signer',
    cert(signer),
    '-inkey',
    key(signer),
  ];
  if (o.pss) args.push('-keyopt', 'rsa_padding_mode:pss');
  for (const s of o.extraSigners ?? []) args.push('-signer', cert(s), '-inkey', key(s));
  if (o.detached === false) args.push('-nodetach');
  if (o.certfile) args.push('-certfile', o.certfile);
  if (o.cades) args.push('-cades');
  if (o.noattr) args.push('-noattr');
  if (o.nocerts) args.push('-nocerts');
  openssl(args);
  return fs.readFileSync(outFile).toString('base64');
}

/**
 * An e-gov portal assertion as the portal sends it: its claims signed by `signer` (the allow-listed
 * `portal` certificate by default) in a CMS that carries them. It vouches for the VÖEN of the test
 * certificate legal-rsa, issued at `now` and valid two minutes, with a fresh jti; `claims` overrides any.
 */
export function portalAssertion(now: Date, claims: Record<string, unknown> = {}, signer = 'portal'): string {
  const iat = Math.floor(now.getTime() / 1000);
  const body = {
    iss: 'egov.gov.az',
    aud: 'customs-stats',
    sub: { voen: '1402345671' },
    iat,
    exp: iat + 120,
    jti: `jti-${process.hrtime.bigint()}`,
    authnMethod: 'ASAN_IMZA',
    ...claims,
  };
  return signCms(signer, JSON.stringify(body), { detached: false, certfile: cert('issuing-ca') });
}

export function certDerBase64(name: string): string {
  return openssl(['x509', '-in', cert(name), '-outform', 'DER']).toString('base64');
}

/** Builds a web-eid:1.0 token the way the Web eID app does: sign hash(origin) ‖ hash(nonce). */
export function webEidToken(
  signer: string,
  origin: string,
  nonce: string,
  algorithm = 'ES256',
  over: Record<string, unknown> = {},
): string {
  const bits = algorithm.slice(2);
  const hash = bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256';
  const data = Buffer.concat([createHash(hash).update(origin).digest(), createHash(hash).update(nonce).digest()]);
  const privateKey = createPrivateKey(fs.readFileSync(key(signer)));
  let signature: Buffer;
  if (algorithm.startsWith('ES')) signature = cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  else if (algorithm.startsWith('PS'))
    signature = cryptoSign(hash, data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: hash === 'sha256' ? 32 : hash === 'sha384' ? 48 : 64,
    });
  else signature = cryptoSign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  return JSON.stringify({
    format: 'web-eid:1.0',
    unverifiedCertificate: certDerBase64(signer),
    algorithm,
    signature: signature.toString('base64'),
    appVersion: 'https://web-eid.eu/web-eid-app/releases/2.5.0+0',
    ...over,
  });
}

/** Expects the promise to reject with an AppError of `code`; returns it for further assertions. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  let result: unknown;
  try {
    result = await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(AppError);
    expect((e as AppError).code, (e as AppError).message).to.equal(code);
    return e as AppError;
  }
  return expect.fail(`expected ${code}, but it resolved with ${JSON.stringify(result).slice(0, 300)}`);
}

/** A verifier with the default test configuration plus overrides. */
export function verifier(env: Record<string, string | undefined> = {}): PkiVerifier {
  return createPkiVerifier(parsePkiConfig(env, ROOT));
}

/** `openssl ca -gencrl` for a CA of certs-test, optionally revoking some certificates, with explicit dates. */
export function makeCrl(opts: {
  ca: string;
  revoke?: string[];
  lastUpdate?: string;
  nextUpdate?: string;
  out?: string;
}): string {
  const dir = tempDir('crl');
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  fs.writeFileSync(path.join(dir, 'crlnumber'), '2000\n');
  const cnf = path.join(dir, 'ca.cnf');
  fs.writeFileSync(
    cnf,
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      `database = ${dir}/index.txt`,
      `crlnumber = ${dir}/crlnumber`,
      'default_md = sha256',
      'default_crl_days = 30',
      'crl_extensions = crl_ext',
      '[ crl_ext ]',
      'authorityKeyIdentifier = keyid:always',
      '',
    ].join('\n'),
  );
  const base = ['-batch', '-config', cnf, '-cert', cert(opts.ca), '-keyfile', key(opts.ca)];
  for (const r of opts.revoke ?? []) openssl(['ca', ...base, '-revoke', cert(r), '-crl_reason', 'keyCompromise']);
  const out = opts.out ?? path.join(dir, 'out.crl.pem');
  const dates = [
    ...(opts.lastUpdate ? ['-crl_lastupdate', opts.lastUpdate] : []),
    ...(opts.nextUpdate ? ['-crl_nextupdate', opts.nextUpdate] : ['-crldays', '30']),
  ];
  openssl(['ca', ...base, '-gencrl', ...dates, '-out', out]);
  return out;
}

export interface Responder {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `openssl ocsp` on a free port with certs-test/ocsp-index.txt; resolves once it accepts connections. */
export async function startOcspResponder(): Promise<Responder> {
  const port = await freePort();
  // OpenSSL 3.0: -port takes a number and listens on all interfaces; we only ever connect to 127.0.0.1.
  const proc: ChildProcess = spawn(
    'openssl',
    [
      'ocsp',
      '-port',
      String(port),
      '-index',
      path.join(CERTS, 'ocsp-index.txt'),
      '-CA',
      cert('issuing-ca'),
      '-rsigner',
      cert('ocsp-responder'),
      '-rkey',
      key('ocsp-responder'),
      '-ignore_err',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Readiness: openssl prints this once it listens. (Do not probe with a bare TCP connect: the 3.0 responder
  // is single-threaded and blocks on a connection that never sends a request.)
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`openssl ocsp did not start: ${stderr}`));
    }, 10000);
    proc.stderr!.on('data', (d) => {
      stderr += String(d);
      if (stderr.includes('waiting for OCSP client connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
