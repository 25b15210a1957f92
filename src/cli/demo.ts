/**
 * The deterministic demo data set loaded on the embedded server's first start: participants
 * whose identities match the test certificates in certs-test/, plus generated others, with tens
 * of thousands of items over several years in both directions.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { generateDeclarationsCsv, type ParticipantIdentity } from '../ingest/generate';
import { importDeclarations } from '../ingest/importer';
import type { Services } from '../services';

/** Identities that the test certificates (certs-test/) and the demo logins refer to. */
export const DEMO_IDENTITIES: ParticipantIdentity[] = [
  { voen: '1402345671', name: 'Xəzər Logistika MMC' },
  { fin: '7ABCD12', name: 'Aysel Məmmədova' },
  { voen: '1700456782', name: 'Gəncə Aqro ASC' },
  { voen: '1500987653', fin: '3QWE7RT', name: 'Rəşad Quliyev (fərdi sahibkar)' },
];

export const DEMO_DATA = { items: 40_000, participants: 8, seed: 2013, from: '2021-01-01', to: '2025-12-31' } as const;

export async function hasAnyDeclarations(ds: DataSource): Promise<boolean> {
  const [r] = await ds.query('SELECT EXISTS (SELECT 1 FROM declarations) AS any');
  return Boolean(r.any);
}

export async function seedDemoData(
  ds: DataSource,
  opts: { log: (m: string) => void; rollupMinItems: number },
): Promise<void> {
  opts.log(
    `loading demo data: ${DEMO_DATA.items} items of ${DEMO_DATA.participants} participants (seed ${DEMO_DATA.seed})`,
  );
  const csv = generateDeclarationsCsv({ ...DEMO_DATA, participantsList: DEMO_IDENTITIES });
  const summary = await importDeclarations(ds, csv, { skipInvalid: false, rollupMinItems: opts.rollupMinItems });
  opts.log(`demo data loaded: ${JSON.stringify(summary)}`);
}

/**
 * What npm start says about the demo tokens: they are ordinary sessions, so a token ends after the
 * idle limit without a request, and at the absolute limit after the start however much it is used.
 */
export function demoTokenLifetime(limits: { idleMinutes: number; absoluteHours: number }): string {
  return (
    `each ends after ${limits.idleMinutes} min without a request (SESSION_IDLE_MINUTES) and ` +
    `${limits.absoluteHours} h after this start at the latest (SESSION_ABSOLUTE_HOURS); restart for fresh ones`
  );
}

/** The test certificates (certs-test/) the demo logins sign with, by demo identity. */
export const DEMO_SIGNERS: readonly { identity: ParticipantIdentity; cert: string }[] = [
  { identity: DEMO_IDENTITIES[0], cert: 'legal-ec' },
  { identity: DEMO_IDENTITIES[1], cert: 'person-ec' },
];

/**
 * Demo tokens are for trying the service out: never under NODE_ENV=production, where npm start
 * creates and prints none.
 */
export function demoTokensAllowed(config: Pick<AppConfig, 'env'>): boolean {
  return config.env !== 'production';
}

/** A web-eid:1.0 token (ES256) for `nonce` at `origin`, signed with a test certificate's key. */
function webEidToken(certsDir: string, cert: string, origin: string, nonce: string): string {
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(certsDir, `${cert}.key.pem`)));
  const signature = crypto.sign('sha256', Buffer.concat([sha(origin), sha(nonce)]), {
    key,
    dsaEncoding: 'ieee-p1363',
  });
  const der = new crypto.X509Certificate(fs.readFileSync(path.join(certsDir, `${cert}.cert.pem`))).raw;
  return JSON.stringify({
    format: 'web-eid:1.0',
    unverifiedCertificate: der.toString('base64'),
    algorithm: 'ES256',
    signature: signature.toString('base64'),
  });
}

async function post<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': DEMO_USER_AGENT },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const e = body.errors?.[0];
    throw new Error(`${e?.extensions?.code ?? res.status}: ${e?.message ?? 'no data'}`);
  }
  return body.data;
}

/** The user agent of the demo logins, in their audit records. */
export const DEMO_USER_AGENT = 'npm start (demo tokens)';

/**
 * Fresh sessions for the demo participants (printed by npm start so GraphiQL works at once), opened
 * the way any trader opens one: a Web eID login over HTTP to the running service at `url`, signed
 * with the demo identity's test certificate. Each is an ordinary SIGNATURE session of that
 * participant (revoked with it, expiring like any other), and each login leaves its audit record.
 * None outside demoTokensAllowed; an identity that cannot log in (not loaded, or a PKI that does not
 * trust the test certificates) is reported in `failed`.
 */
export async function demoSessions(
  services: Services,
  url: string,
): Promise<{ sessions: { name: string; token: string }[]; failed: string[] }> {
  const out: { name: string; token: string }[] = [];
  const failed: string[] = [];
  if (!demoTokensAllowed(services.config)) return { sessions: out, failed };
  const certsDir = path.join(services.config.rootDir, 'certs-test');
  for (const { identity, cert } of DEMO_SIGNERS) {
    try {
      const { createLoginChallenge: c } = await post<{ createLoginChallenge: { id: string; nonce: string } }>(
        url,
        'mutation DemoChallenge { createLoginChallenge { id nonce } }',
      );
      const token = webEidToken(certsDir, cert, services.config.http.publicOrigin, c.nonce);
      const { loginWithWebEid: s } = await post<{
        loginWithWebEid: { token: string; viewer: { participant: { name: string } | null } };
      }>(
        url,
        'mutation DemoLogin($id: ID!, $t: String!) { loginWithWebEid(challengeId: $id, token: $t) { token viewer { participant { name } } } }',
        { id: c.id, t: token },
      );
      out.push({ name: s.viewer.participant?.name ?? identity.name, token: s.token });
    } catch (e) {
      failed.push(`${identity.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { sessions: out, failed };
}
