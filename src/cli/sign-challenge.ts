/**
 * `npm run sign-challenge -- --cert C --key K [--detached] [--url URL] [--certfile F]`
 *
 * Client tooling for the signature login: fetches a challenge from the service, signs its exact
 * text with the openssl CLI (CMS, SHA-256, as a trader's own software would), logs in and prints
 * the session token on stdout. Talks to the service over HTTP only (no database).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

async function graphql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  }
  return body.data as T;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cert: { type: 'string' },
      key: { type: 'string' },
      detached: { type: 'boolean', default: false },
      url: { type: 'string', default: 'http://localhost:4000/graphql' },
      certfile: { type: 'string' },
    },
  });
  if (!values.cert || !values.key) {
    process.stderr.write(
      'usage: npm run sign-challenge -- --cert CERT.pem --key KEY.pem [--detached] [--url URL] [--certfile CHAIN.pem]\n',
    );
    return 2;
  }
  for (const f of [values.cert, values.key, values.certfile].filter(Boolean) as string[]) {
    if (!fs.existsSync(f)) {
      process.stderr.write(`sign-challenge: no such file: ${f}\n`);
      return 2;
    }
  }
  const { createLoginChallenge: c } = await graphql<{ createLoginChallenge: { id: string; toBeSigned: string } }>(
    values.url!,
    'mutation { createLoginChallenge { id toBeSigned expiresAt } }',
  );
  process.stderr.write(`signing:\n${c.toBeSigned}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-challenge-'));
  try {
    const input = path.join(dir, 'challenge.txt');
    fs.writeFileSync(input, c.toBeSigned, 'utf8');
    const signature = execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-md',
      'sha256',
      '-outform',
      'DER',
      '-in',
      input,
      '-signer',
      values.cert,
      '-inkey',
      values.key,
      ...(values.detached ? [] : ['-nodetach']),
      ...(values.certfile ? ['-certfile', values.certfile] : []),
    ]).toString('base64');
    const data = await graphql<{
      loginWithSignature: { token: string; expiresAt: string; viewer: { participant: { name: string } | null } };
    }>(
      values.url!,
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
    process.stderr.write(`sign-challenge: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
