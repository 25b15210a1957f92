/**
 * The cost of a signature login, measured in one run on the same pre-made signatures, against the floor of
 * what any verifier must do:
 *
 *  (a) floor: node:crypto alone. Before timing, each CMS is parsed once (PKI.js) to pull out the signer
 *      certificate DER, the DER of the signed attributes (as the SET that was signed), the messageDigest
 *      value and the signature value. Timed per signature: `new X509Certificate(der)` + `.publicKey` +
 *      SHA-256 of the challenge compared with messageDigest + `crypto.verify` of the signed attributes.
 *      No CMS parsing, no chain, no CRL, no subject mapping. (A second line shows `crypto.verify` alone with a
 *      pre-imported key, for reference.)
 *  (b) our verifier: `createPkiVerifier(config.pki).verifyCmsLogin({ signatureBase64, toBeSigned, now })` with
 *      `now` = the wall clock, caches warmed by one untimed pass (validated paths, imported keys, CRL signatures
 *      are cached; the CMS parse and the signature check are done every time). Goal: within 5x of (a). A further
 *      line times `parseCms` (src/pki/cms.ts) alone, to show which share of (b) the parsing is.
 *  (c) the whole login over HTTP: `createLoginChallenge` + `loginWithSignature` against the real server on a
 *      throw-away embedded PostgreSQL (or DATABASE_URL), audit on, a participant with VÖEN 1402345671. The
 *      challenges are created (timed), signed with openssl (untimed), then logged in with (timed).
 *  (d) when the dev dependency `pkijs-v3` (npm:pkijs@3.4.0) is installed: raw PKI.js `ContentInfo.fromBER` +
 *      `new SignedData()` (parse) and parse + `SignedData.verify({ checkChain: false })` with a plain Node
 *      WebCrypto engine, pkijs 3.4 (with its asn1js 3) vs 4.0 (with asn1js 4), 5 interleaved rounds, best counts.
 *
 * Signatures: `openssl cms -sign -binary -md sha256 -nodetach -outform DER` (what `npm run sign-challenge`
 * makes), signer certificate only, over distinct challenge texts; RSA-2048 (certs-test/legal-rsa) and ECDSA
 * P-256 (certs-test/legal-ec). Signing time is wall-clock, so the whole run must stay within
 * PKI_SIGNING_TIME_SKEW_SECONDS (default 300 s) of signing; it takes well under a minute.
 *
 * `runPkiBench(log)` is called by the bench runner; `node -r ./scripts/register.js bench/pki.bench.ts` runs it
 * alone. PKI_BENCH_N (signatures per key type, default 200), PKI_BENCH_HTTP_N (logins per key type over HTTP,
 * default 100), PKI_BENCH_MS (time budget of one measure in (a)/(b), default 2000; (d) uses 20 % of it per measure
 * and round) and DATABASE_URL apply. The whole run takes about a minute on 2 cores.
 */
import { execFile } from 'node:child_process';
import { createHash, KeyObject, randomBytes, verify as cryptoVerify, webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { challengeText } from '../src/auth/challenge.service';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded';
import { startHttpServer, type RunningServer } from '../src/http/server';
import { createPkiVerifier } from '../src/pki';
import { parseCms } from '../src/pki/cms';
import { createServices } from '../src/services';
import { createLogger } from '../src/shared/logger';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const CERTS = path.join(ROOT, 'certs-test');
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const VOEN = '1402345671';

export type Signer = 'legal-rsa' | 'legal-ec';
const SIGNERS: { who: Signer; label: string }[] = [
  { who: 'legal-rsa', label: 'RSA-2048' },
  { who: 'legal-ec', label: 'P-256' },
];

interface Sample {
  toBeSigned: string;
  base64: string;
  der: Buffer;
  // extracted before timing, for the floor
  certDer: Buffer;
  signedAttrs: Buffer;
  messageDigest: Buffer;
  signature: Buffer;
}

/** `openssl cms -sign` over each text, `parallel` at a time; returns base64 DER. */
export async function signAll(who: Signer, texts: string[], dir: string): Promise<string[]> {
  const out: string[] = new Array(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      const input = path.join(dir, `${who}-${i}-${randomBytes(4).toString('hex')}.txt`);
      fs.writeFileSync(input, texts[i]!, 'utf8');
      const { stdout } = await execFileAsync(
        'openssl',
        [
          'cms',
          '-sign',
          '-binary',
          '-md',
          'sha256',
          '-nodetach',
          '-outform',
          'DER',
          '-in',
          input,
          '-signer',
          path.join(CERTS, `${who}.cert.pem`),
          '-inkey',
          path.join(CERTS, `${who}.key.pem`),
        ],
        { encoding: 'buffer', maxBuffer: 1 << 20 },
      );
      fs.rmSync(input);
      out[i] = stdout.toString('base64');
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, os.cpus().length) }, worker));
  return out;
}

/** The pieces the floor needs, pulled out of the CMS with PKI.js (untimed). */
function extract(toBeSigned: string, base64: string): Sample {
  const der = Buffer.from(base64, 'base64');
  const ci = pkijs.ContentInfo.fromBER(der);
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0]!;
  const cert = sd.certificates![0] as pkijs.Certificate;
  const md = si.signedAttrs!.attributes.find((a) => a.type === OID_MESSAGE_DIGEST)!.values[0] as asn1js.OctetString;
  return {
    toBeSigned,
    base64,
    der,
    certDer: Buffer.from(cert.toSchema().toBER(false)),
    // [0] IMPLICIT re-tagged as SET (0x31) by PKI.js: what was signed
    signedAttrs: Buffer.from(si.signedAttrs!.encodedValue),
    messageDigest: Buffer.from(md.valueBlock.valueHexView),
    signature: Buffer.from(si.signature.valueBlock.valueHexView),
  };
}

function newChallengeText(origin: string): string {
  return challengeText(origin, randomBytes(32).toString('base64'), new Date(Date.now() + 300_000));
}

/**
 * Runs `op` over the samples round-robin within about `budgetMs`: an untimed warm-up (one pass over the
 * samples, cut at a quarter of the budget but at least 10 operations), then three timed stretches of a quarter
 * of the budget each; the best stretch counts. Returns operations per second.
 */
async function measure<T>(samples: readonly T[], op: (s: T) => unknown, budgetMs: number): Promise<number> {
  const slice = budgetMs / 4;
  let k = 0;
  const tw = performance.now();
  while (k < samples.length && (k < 10 || performance.now() - tw < slice)) await op(samples[k++]!);
  let best = 0;
  for (let rep = 0; rep < 3; rep += 1) {
    let n = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      await op(samples[k++ % samples.length]!);
      n += 1;
      elapsed = performance.now() - t0;
    } while (elapsed < slice);
    best = Math.max(best, n / (elapsed / 1000));
  }
  return best;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en').padStart(7);

function floorVerify(s: Sample): void {
  const x = new X509Certificate(s.certDer);
  const key = x.publicKey;
  if (!createHash('sha256').update(s.toBeSigned, 'utf8').digest().equals(s.messageDigest))
    throw new Error('floor: messageDigest mismatch');
  if (!cryptoVerify('sha256', s.signedAttrs, key, s.signature)) throw new Error('floor: signature does not verify');
}

type PkijsModule = typeof import('pkijs');

function loadPkijsV3(): PkijsModule | undefined {
  try {
    // Optional dev dependency (package.json: "pkijs-v3": "npm:pkijs@3.4.0"), with its own asn1js 3.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pkijs-v3') as PkijsModule;
  } catch {
    return undefined;
  }
}

function rawPkijs(lib: PkijsModule): { parse: (s: Sample) => unknown; verify: (s: Sample) => Promise<void> } {
  const engine = new lib.CryptoEngine({ name: 'bench-node-webcrypto', crypto: webcrypto });
  const parse = (s: Sample) => {
    const ci = lib.ContentInfo.fromBER(s.der);
    return new lib.SignedData({ schema: ci.content });
  };
  return {
    parse,
    verify: async (s: Sample) => {
      const sd = parse(s);
      const ok = await sd.verify({ signer: 0, checkChain: false }, engine);
      if (ok !== true) throw new Error('pkijs: signature does not verify');
    },
  };
}

export async function runPkiBench(log: (line: string) => void): Promise<void> {
  const N = Number(process.env.PKI_BENCH_N ?? 200);
  const HTTP_N = Number(process.env.PKI_BENCH_HTTP_N ?? 100);
  const BUDGET_MS = Number(process.env.PKI_BENCH_MS ?? 2000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-pki-bench-'));
  let embedded: EmbeddedServer | undefined;
  let db: Database | undefined;
  let server: RunningServer | undefined;
  try {
    const baseConfig = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      PKI_ALLOW_TEST_PKI: 'true',
      LOG_LEVEL: 'silent',
      DATABASE_URL: undefined,
    });
    const origin = baseConfig.http.publicOrigin;
    log(
      `pki bench: ${os.cpus().length} cores, node ${process.version}, openssl ${(await execFileAsync('openssl', ['version'])).stdout.trim()}`,
    );
    log(
      `  ${N} CMS signatures per key type (openssl cms -sign -nodetach -md sha256, signer certificate only), distinct challenges`,
    );

    // ---- the samples, made and dissected once before any timing
    const samples = new Map<Signer, Sample[]>();
    for (const { who } of SIGNERS) {
      const texts = Array.from({ length: N }, () => newChallengeText(origin));
      const sigs = await signAll(who, texts, tmp);
      samples.set(
        who,
        texts.map((t, i) => extract(t, sigs[i]!)),
      );
    }

    // ---- (a) floor and (b) verifier, per key type
    const verifier = createPkiVerifier(baseConfig.pki);
    log(
      `\n(a) floor vs (b) verifyCmsLogin, verifications/s (best of 3 timed stretches of ${Math.round(BUDGET_MS / 4)} ms, after an` +
        " untimed warm-up that also fills the verifier's path/key/CRL caches)",
    );
    for (const { who, label } of SIGNERS) {
      const ss = samples.get(who)!;
      const keys = new Map<string, KeyObject>();
      const cryptoOnly = await measure(
        ss,
        (s) => {
          let key = keys.get(who);
          if (!key) keys.set(who, (key = new X509Certificate(s.certDer).publicKey));
          if (!cryptoVerify('sha256', s.signedAttrs, key, s.signature)) throw new Error('verify failed');
        },
        BUDGET_MS,
      );
      const floor = await measure(ss, floorVerify, BUDGET_MS);
      const ours = await measure(
        ss,
        async (s) => {
          const signer = await verifier.verifyCmsLogin({
            signatureBase64: s.base64,
            toBeSigned: s.toBeSigned,
            now: new Date(),
          });
          if (signer.mapping.kind !== 'LEGAL_ENTITY' || signer.mapping.voen !== VOEN)
            throw new Error('unexpected mapping');
        },
        BUDGET_MS,
      );
      const parseOnly = await measure(ss, (s) => parseCms(s.base64), BUDGET_MS);
      log(`  ${label.padEnd(9)} crypto.verify alone (cached key)          ${fmt(cryptoOnly)} /s`);
      log(`  ${label.padEnd(9)} (a) floor: X509Certificate + verify        ${fmt(floor)} /s`);
      log(
        `  ${label.padEnd(9)} (b) verifyCmsLogin                         ${fmt(ours)} /s   (b)/(a) = ${(ours / floor).toFixed(2)}: ${(floor / ours).toFixed(2)}x the floor's time` +
          `  (goal: verification within 5x of the floor: ${floor / ours <= 5 ? 'met' : 'NOT met'})`,
      );
      log(
        `  ${label.padEnd(9)}     of which parseCms (src/pki/cms.ts)   ${fmt(parseOnly)} /s   = ${Math.round((100 * ours) / parseOnly)} % of (b)'s time`,
      );
    }

    // ---- (d) pkijs 3.4 vs 4.0, raw parse and parse + verify
    const v3 = loadPkijsV3();
    if (!v3) {
      log('\n(d) pkijs 3.4 vs 4.0: skipped (dev dependency pkijs-v3 = npm:pkijs@3.4.0 not installed)');
    } else {
      const libs = { '3.4': rawPkijs(v3), '4.0': rawPkijs(pkijs) };
      const D_BUDGET_MS = BUDGET_MS * 0.2;
      const D_ROUNDS = 5;
      log(
        `\n(d) raw PKI.js SignedData, pkijs ${(require('pkijs-v3/package.json') as { version: string }).version} (asn1js 3) vs ` +
          `${(require('pkijs/package.json') as { version: string }).version} (asn1js 4), ops/s, ${D_ROUNDS} interleaved rounds, best counts`,
      );
      for (const { who, label } of SIGNERS) {
        const ss = samples.get(who)!;
        const best: Record<string, number> = {};
        for (let round = 0; round < D_ROUNDS; round += 1) {
          for (const [name, lib] of Object.entries(libs)) {
            const p = await measure(ss, lib.parse, D_BUDGET_MS);
            const v = await measure(ss, lib.verify, D_BUDGET_MS);
            best[`${name} parse`] = Math.max(best[`${name} parse`] ?? 0, p);
            best[`${name} verify`] = Math.max(best[`${name} verify`] ?? 0, v);
          }
        }
        log(
          `  ${label.padEnd(9)} parse:          3.4 ${fmt(best['3.4 parse']!)} /s   4.0 ${fmt(best['4.0 parse']!)} /s   3.4 is ${(best['3.4 parse']! / best['4.0 parse']!).toFixed(2)}x as fast`,
        );
        log(
          `  ${label.padEnd(9)} parse + verify: 3.4 ${fmt(best['3.4 verify']!)} /s   4.0 ${fmt(best['4.0 verify']!)} /s   3.4 is ${(best['3.4 verify']! / best['4.0 verify']!).toFixed(2)}x as fast`,
        );
      }
    }

    // ---- (c) the whole login over HTTP
    const external = process.env.DATABASE_URL;
    embedded = external
      ? undefined
      : await startEmbeddedPostgres({
          // Not under the 0700 temporary folder: the postgres OS user must reach it.
          dataRoot: path.join(os.tmpdir(), `customs-pki-bench-pg-${process.pid}-${Date.now()}`),
          port: 0,
          database: 'pkibench',
          ephemeral: true,
        });
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      PKI_ALLOW_TEST_PKI: 'true',
      LOG_LEVEL: 'silent',
      DATABASE_URL: external ?? embedded!.url,
      CHALLENGE_RATE_PER_MINUTE: '100000',
      AUDIT_DATA_DIR: path.join(tmp, 'audit'),
      AUDIT_CHECKPOINT_SECONDS: '0',
    });
    db = await openDatabase(config);
    await db.ds.query(
      `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', 'Xəzər Logistika MMC', $1, now())
       ON CONFLICT DO NOTHING`,
      [VOEN],
    );
    const services = createServices(config, db.ds);
    server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), { host: '127.0.0.1', port: 0 });
    const url = `${server.url}/graphql`;
    const post = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(`bench: ${JSON.stringify(body.errors).slice(0, 500)}`);
      return body.data;
    };
    const CHALLENGE = 'mutation { createLoginChallenge { id toBeSigned } }';
    const LOGIN =
      'mutation($id: ID!, $s: String!) { loginWithSignature(challengeId: $id, signature: $s) { token viewer { participant { voen } } } }';

    /** n challenges (timed), signed (untimed), logged in (timed); returns the two timings in ms. */
    const logins = async (who: Signer, n: number) => {
      const challenges: { id: string; toBeSigned: string }[] = [];
      const tc = performance.now();
      for (let i = 0; i < n; i += 1) challenges.push((await post(CHALLENGE)).createLoginChallenge);
      const createMs = performance.now() - tc;
      const sigs = await signAll(
        who,
        challenges.map((c) => c.toBeSigned),
        tmp,
      );
      const lat: number[] = [];
      const tl = performance.now();
      for (let i = 0; i < n; i += 1) {
        const t = performance.now();
        const data = await post(LOGIN, { id: challenges[i]!.id, s: sigs[i] });
        lat.push(performance.now() - t);
        if (data.loginWithSignature.viewer.participant.voen !== VOEN) throw new Error('bench: wrong participant');
      }
      const loginMs = performance.now() - tl;
      lat.sort((a, b) => a - b);
      return {
        createMs,
        loginMs,
        p50: lat[Math.floor(lat.length / 2)]!,
        p95: lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.95) - 1)]!,
      };
    };

    log(
      `\n(c) whole signature login over HTTP, sequential, ${HTTP_N} logins per key type after 20 warm-up logins ` +
        `(createLoginChallenge + loginWithSignature; openssl signing between them is not timed; ${external ? 'DATABASE_URL' : 'embedded PostgreSQL'}, audit on)`,
    );
    for (const { who, label } of SIGNERS) {
      await logins(who, 20);
      const r = await logins(who, HTTP_N);
      const perS = HTTP_N / ((r.createMs + r.loginMs) / 1000);
      log(
        `  ${label.padEnd(9)} ${fmt(perS)} logins/s   createLoginChallenge mean ${(r.createMs / HTTP_N).toFixed(2)} ms   ` +
          `loginWithSignature mean ${(r.loginMs / HTTP_N).toFixed(2)} ms p50 ${r.p50.toFixed(2)} ms p95 ${r.p95.toFixed(2)} ms`,
      );
    }
  } finally {
    await server?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runPkiBench((line) => process.stdout.write(`${line}\n`)).catch((e) => {
    process.stderr.write(`pki bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
