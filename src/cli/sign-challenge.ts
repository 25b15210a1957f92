/**
 * `npm run sign-challenge -- --cert C --key K [--detached] [--url URL] [--certfile F]`
 * `npm run sign-challenge -- --p12 FILE [--passphrase-file F] [--detached] [--url URL] [--certfile F]`
 *
 * Client tooling for the signature login: fetches a challenge from the service, signs its exact
 * text with the openssl CLI (CMS, SHA-256, as a trader's own software would), logs in and prints
 * the session token on stdout. Talks to the service over HTTP only (no database).
 *
 * The signer is a PEM certificate and key, or a PKCS#12 (.p12/.pfx) file: its passphrase comes from
 * --passphrase-file, else P12_PASSPHRASE, else a prompt on the terminal that does not echo (never
 * from the command line, which other users of the machine can read). The PKCS#12 key reaches
 * openssl in a private temporary folder, encrypted under a one-time passphrase handed over on
 * openssl's standard input.
 *
 * The service's address: --url, else the one `npm start` serves with the same PUBLIC_ORIGIN, HOST
 * and PORT (src/config, loadClientConfig). Exit codes: 0 token printed; 1 the service refused the
 * login or could not be reached; 2 the command line, a file or the passphrase is wrong.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadClientConfig } from '../config';
import { Pkcs12Error, readPkcs12 } from './pkcs12';

const USAGE =
  'usage: npm run sign-challenge -- --cert CERT.pem --key KEY.pem [--detached] [--url URL] [--certfile CHAIN.pem]\n' +
  '       npm run sign-challenge -- --p12 FILE.p12 [--passphrase-file FILE] [--detached] [--url URL] [--certfile CHAIN.pem]\n' +
  '       (the PKCS#12 passphrase: --passphrase-file, P12_PASSPHRASE, or asked on the terminal)\n';

/** A problem of the command line or the local files: exit 2. */
class LocalError extends Error {}

/** The terminal prompt was left with Ctrl-C: exit 130. */
class Interrupted extends Error {}

/** A request that gets no answer in this time fails (naming the URL) instead of hanging. */
const REQUEST_TIMEOUT_MS = 30_000;

async function graphql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    throw new Error(
      `cannot reach the service at ${url}: ${causeOf(e)} (is it running? --url, or PUBLIC_ORIGIN / HOST / PORT as for npm start, give its address)`,
      { cause: e },
    );
  }
  const text = await res.text();
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered HTTP ${res.status} without a GraphQL response (is it the service's /graphql?)`);
  }
  if (body.errors?.length) {
    const e = body.errors[0]!;
    throw new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  }
  return body.data as T;
}

/** What fetch's "fetch failed" hides: e.g. `connect ECONNREFUSED 127.0.0.1:4000`, `getaddrinfo ENOTFOUND x`. */
function causeOf(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof AggregateError && cause.message === '') {
    return cause.errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; ');
  }
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return cause.message === '' ? (code ?? cause.name) : cause.message;
  }
  return e instanceof Error ? e.message : String(e);
}

interface Options {
  cert?: string;
  key?: string;
  p12?: string;
  passphraseFile?: string;
  detached: boolean;
  url?: string;
  certfile?: string;
}

function parseOptions(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        cert: { type: 'string' },
        key: { type: 'string' },
        p12: { type: 'string' },
        'passphrase-file': { type: 'string' },
        detached: { type: 'boolean', default: false },
        url: { type: 'string' },
        certfile: { type: 'string' },
      },
    }));
  } catch (e) {
    const msg = (e as Error).message;
    if (/'--pass(phrase|word|in)?'/.test(msg)) {
      throw new LocalError(
        'a passphrase on the command line is visible to other users: use --passphrase-file FILE, P12_PASSPHRASE, or answer the prompt',
      );
    }
    throw new LocalError(`${msg}\n${USAGE}`);
  }
  const o: Options = { ...values, passphraseFile: values['passphrase-file'], detached: values.detached ?? false };
  const pem = o.cert !== undefined || o.key !== undefined;
  if (o.p12 !== undefined ? pem : !o.cert || !o.key) throw new LocalError(USAGE);
  if (o.passphraseFile !== undefined && o.p12 === undefined)
    throw new LocalError(`--passphrase-file goes with --p12\n${USAGE}`);
  for (const f of [o.cert, o.key, o.p12, o.passphraseFile, o.certfile]) {
    if (f !== undefined && !fs.existsSync(f)) throw new LocalError(`no such file: ${f}`);
  }
  return o;
}

/** Reads a line from the terminal without echoing it (raw mode; Enter ends it, Backspace edits it). */
function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  input.setRawMode(true); // before the prompt: nothing typed after it is echoed
  process.stderr.write(prompt);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = (e?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(value.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new Interrupted('interrupted'));
        if (ch === '\u0004' && value.length === 0) return finish(new LocalError('no passphrase given'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch === '\u0015') value = [];
        else if (ch >= ' ') value.push(ch);
      }
    };
    input.on('data', onData);
  });
}

async function passphraseFor(o: Options, fromEnv: string | undefined): Promise<string> {
  if (o.passphraseFile !== undefined) return fs.readFileSync(o.passphraseFile, 'utf8').replace(/\r?\n$/, '');
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new LocalError(
      `${o.p12} needs its passphrase: run in a terminal to be asked, or give --passphrase-file FILE or P12_PASSPHRASE`,
    );
  }
  return askHidden(`passphrase of ${o.p12}: `);
}

/** openssl's signer arguments; the PKCS#12 contents are written into `dir` (removed by the caller). */
interface Signer {
  args: string[];
  /** openssl's standard input (the one-time passphrase of the key written from a PKCS#12). */
  stdin?: string;
}

async function signerFrom(o: Options, dir: string, passphraseFromEnv: string | undefined): Promise<Signer> {
  if (o.p12 === undefined) {
    return { args: ['-signer', o.cert!, '-inkey', o.key!, ...(o.certfile ? ['-certfile', o.certfile] : [])] };
  }
  const p12 = readPkcs12(fs.readFileSync(o.p12), await passphraseFor(o, passphraseFromEnv), o.p12);
  const oneTime = crypto.randomBytes(32).toString('base64url');
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  const key = write(
    'key.pem',
    p12.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: oneTime }) as string,
  );
  const cert = write('cert.pem', p12.certificate.toString());
  const chain = p12.chain.map((c) => c.toString()).join('') + (o.certfile ? fs.readFileSync(o.certfile, 'utf8') : '');
  process.stderr.write(`signer: ${p12.certificate.subject.replace(/\n/g, ', ')}\n`);
  return {
    args: [
      '-signer',
      cert,
      '-inkey',
      key,
      '-passin',
      'stdin',
      ...(chain ? ['-certfile', write('chain.pem', chain)] : []),
    ],
    stdin: `${oneTime}\n`,
  };
}

async function main(): Promise<number> {
  const o = parseOptions();
  let client;
  try {
    client = loadClientConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new LocalError(e.message);
    throw e;
  }
  const url = o.url ?? client.graphqlUrl;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-challenge-'));
  try {
    const signer = await signerFrom(o, dir, client.p12Passphrase);
    const { createLoginChallenge: c } = await graphql<{
      createLoginChallenge: { id: string; toBeSigned: string; expiresAt: string };
    }>(url, 'mutation { createLoginChallenge { id toBeSigned expiresAt } }');
    process.stderr.write(`signing:\n${c.toBeSigned}`);
    const input = path.join(dir, 'challenge.txt');
    fs.writeFileSync(input, c.toBeSigned, 'utf8');
    const signature = execFileSync(
      'openssl',
      [
        'cms',
        '-sign',
        '-binary',
        '-md',
        'sha256',
        '-outform',
        'DER',
        '-in',
        input,
        ...signer.args,
        ...(o.detached ? [] : ['-nodetach']),
      ],
      { input: signer.stdin ?? '' },
    ).toString('base64');
    const data = await graphql<{
      loginWithSignature: { token: string; expiresAt: string; viewer: { participant: { name: string } | null } };
    }>(
      url,
      'mutation($id: ID!, $s: String!) { loginWithSignature(challengeId: $id, signature: $s) { token expiresAt viewer { participant { name } } } }',
      { id: c.id, s: signature },
    );
    process.stderr.write(
      `logged in as ${data.loginWithSignature.viewer.participant?.name ?? '?'} until ${data.loginWithSignature.expiresAt}\n`,
    );
    process.stdout.write(`${data.loginWithSignature.token}\n`);
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    const usage = e instanceof LocalError && e.message.startsWith('usage:');
    process.stderr.write(usage ? e.message : `sign-challenge: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof Interrupted ? 130 : e instanceof LocalError || e instanceof Pkcs12Error ? 2 : 1;
  },
);
