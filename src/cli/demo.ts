/**
 * The deterministic demo data set loaded on the embedded server's first start: participants
 * whose identities match the test certificates in certs-test/, plus generated others, with tens
 * of thousands of items over several years in both directions.
 */
import type { DataSource } from 'typeorm';
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

/** Fresh sessions for the demo participants (printed by npm start so GraphiQL works at once). */
export async function demoSessions(services: Services): Promise<{ name: string; token: string }[]> {
  const out: { name: string; token: string }[] = [];
  for (const who of DEMO_IDENTITIES.slice(0, 2)) {
    const [p] = await services.ds.query<{ id: string; name: string }[]>(
      `SELECT id::text AS id, name FROM participants
        WHERE ($1::text IS NOT NULL AND voen = $1) OR ($1::text IS NULL AND fin = $2)`,
      [who.voen ?? null, who.fin ?? null],
    );
    if (!p) continue;
    const s = await services.sessions.create({
      role: 'TRADER',
      authMethod: 'PASSWORD',
      participantId: p.id,
      userAccountId: null,
      username: null,
      mustChangePassword: false,
      detail: { demo: true },
    });
    out.push({ name: p.name, token: s.token });
  }
  return out;
}
