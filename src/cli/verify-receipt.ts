/**
 * `npm run verify-receipt -- BUNDLE.json (--key FILE | --verifier-key KEY)`
 * `npm run verify-receipt -- --fetch --url URL --token TOKEN --response RESPONSE.json --out BUNDLE.json [--key …]`
 *
 * Checks a saved response with its receipt, its inclusion proof and a signed checkpoint offline, with
 * only the log's public key: response → response hash → record content → leaf → inclusion proof →
 * root → checkpoint signature (src/audit/receipt.ts; the bundle format is documented there and in
 * src/audit/README.md). No database, no configuration.
 *
 * The key: --verifier-key `<origin>+<hash>+<base64>` (as GET /audit/verifier-key serves it), or --key
 * FILE holding that line or a PEM Ed25519 public key (then named after the receipt's logOrigin).
 *
 * --fetch assembles a bundle: it reads the saved response body (RESPONSE.json, the exact bytes
 * received), asks the service at URL for auditInclusionProof of its receipt's seq with the bearer
 * TOKEN, writes BUNDLE.json and, when a key is given, verifies it.
 *
 * Exit codes: 0 the receipt verifies; 1 it does not (the message names the failing part) or the
 * service refused; 2 the command line or a file is wrong.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { noteVerifier, parseVerifierKey, type NoteVerifier } from '../audit/checkpoint-note';
import { verifyReceiptBundle, type ReceiptBundle } from '../audit/receipt';

const USAGE =
  'usage: npm run verify-receipt -- BUNDLE.json (--key FILE | --verifier-key KEY)\n' +
  '       npm run verify-receipt -- --fetch --url URL --token TOKEN --response RESPONSE.json --out BUNDLE.json [--key FILE | --verifier-key KEY]\n';

class UsageError extends Error {}

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The verifier: a note verifier key line, or a PEM public key named after the log's origin. */
function loadVerifier(keyText: string, origin: string | undefined): NoteVerifier {
  const t = keyText.trim();
  if (t.includes('-----BEGIN')) {
    if (!origin) throw new UsageError('a PEM key needs the log origin: the receipt carries none');
    try {
      const pub = crypto.createPublicKey(t);
      return noteVerifier(origin, pub);
    } catch (e) {
      throw new UsageError(`the key is not an Ed25519 public key: ${(e as Error).message}`);
    }
  }
  try {
    return parseVerifierKey(t);
  } catch (e) {
    throw new UsageError(`the key: ${(e as Error).message}`);
  }
}

async function fetchBundle(url: string, token: string, response: string): Promise<ReceiptBundle> {
  let seq: unknown;
  try {
    seq = (JSON.parse(response) as { extensions?: { receipt?: { seq?: unknown } } }).extensions?.receipt?.seq;
  } catch {
    throw new UsageError('the saved response is not JSON');
  }
  if (typeof seq !== 'string') throw new UsageError('the saved response carries no receipt (extensions.receipt.seq)');
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query:
        'query($s: String!) { auditInclusionProof(seq: $s) { seq treeSize leafHash recordHash record proof rootHash checkpoint } }',
      variables: { s: seq },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as {
    data?: { auditInclusionProof?: ReceiptBundle['inclusionProof'] };
    errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
  };
  const proof = body.data?.auditInclusionProof;
  if (!proof) {
    const e = body.errors?.[0];
    const retry = e?.extensions?.retryAfterSeconds ? ` (retry in ${e.extensions.retryAfterSeconds} s)` : '';
    throw new Error(`the service refused: ${e?.extensions?.code ?? res.status} ${e?.message ?? ''}${retry}`);
  }
  return { response, inclusionProof: proof };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      'verifier-key': { type: 'string' },
      fetch: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      response: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const keyText = values['verifier-key'] ?? (values.key ? readFile(values.key, 'key file') : undefined);
  let bundle: ReceiptBundle;
  if (values.fetch) {
    if (!values.url || !values.token || !values.response || !values.out || positionals.length > 0) {
      throw new UsageError('--fetch needs --url, --token, --response and --out (and no bundle file)');
    }
    bundle = await fetchBundle(values.url, values.token, readFile(values.response, 'response file'));
    fs.writeFileSync(values.out, `${JSON.stringify(bundle, null, 2)}\n`);
    process.stdout.write(`bundle written to ${values.out}\n`);
    if (!keyText) return 0;
  } else {
    if (positionals.length !== 1) throw new UsageError('name one bundle file');
    if (!keyText) throw new UsageError('give the public key: --key FILE or --verifier-key KEY');
    const text = readFile(positionals[0], 'bundle');
    try {
      bundle = JSON.parse(text) as ReceiptBundle;
    } catch {
      throw new UsageError(`bundle ${positionals[0]}: not JSON`);
    }
  }
  let origin: string | undefined;
  try {
    const r = (JSON.parse(String(bundle.response)) as { extensions?: { receipt?: { logOrigin?: unknown } } }).extensions
      ?.receipt?.logOrigin;
    origin = typeof r === 'string' ? r : undefined;
  } catch {
    origin = undefined;
  }
  const verifier = loadVerifier(keyText!, origin);
  const result = verifyReceiptBundle(bundle, verifier);
  if (!result.ok) {
    process.stderr.write(`verify-receipt: FAIL ${result.part}: ${result.message}\n`);
    return 1;
  }
  process.stdout.write(
    `verify-receipt: OK: the response is audit record ${result.seq}, included in the tree of ${result.treeSize} records ` +
      `signed by ${verifier.name} (response, record, leaf, inclusion proof, root and checkpoint signature verified)\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`verify-receipt: ${(e as Error).message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`verify-receipt: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
