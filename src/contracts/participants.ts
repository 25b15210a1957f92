/**
 * Finds the participant a contract is for, or creates it: a participant the imported
 * declarations already know (by VÖEN, FIN or GÖÖEN) is merged — the identifiers it lacked are
 * added — never duplicated. Identifiers pointing at different participants, or contradicting the
 * one found, are a conflict (BAD_USER_INPUT) for the officer to resolve.
 */
import type { Sql } from '../db/tenant';
import { BadUserInputError } from '../shared/errors';
import type { ParticipantKind } from './documents';

export interface ParticipantIdentity {
  kind: ParticipantKind;
  name: string;
  voen: string | null;
  fin: string | null;
  gooen: string | null;
}

interface Row {
  id: string;
  kind: ParticipantKind;
  name: string;
  voen: string | null;
  fin: string | null;
  gooen: string | null;
}

const LABEL = { voen: 'VÖEN', fin: 'FIN', gooen: 'GÖÖEN' } as const;

/** Returns the participant id (existing or new). Runs inside the caller's transaction. */
export async function resolveParticipant(
  sql: Sql,
  p: ParticipantIdentity,
  now: Date,
): Promise<{ id: string; created: boolean }> {
  const rows = await sql.query<Row>(
    `SELECT id::text AS id, kind, name, voen, fin, gooen FROM participants
      WHERE voen = $1 OR fin = $2 OR gooen = $3
      ORDER BY id FOR UPDATE`,
    [p.voen, p.fin, p.gooen],
  );
  if (rows.length > 1) {
    const who = rows.map((r) => {
      const ids = (['voen', 'fin', 'gooen'] as const)
        .filter((k) => r[k] !== null && r[k] === p[k])
        .map((k) => `${LABEL[k]} ${r[k]}`);
      return `${ids.join(', ')} → participant ${r.id} (${r.name})`;
    });
    throw new BadUserInputError(`the identifiers belong to different participants: ${who.join('; ')}`, 'participant');
  }
  const found = rows[0];
  if (!found) {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO participants (kind, name, voen, fin, gooen, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
      [p.kind, p.name, p.voen, p.fin, p.gooen, now],
    );
    return { id: row.id, created: true };
  }
  if (found.kind !== p.kind) {
    throw new BadUserInputError(
      `participant ${found.id} (${found.name}) with these identifiers is known as ${found.kind}, not ${p.kind}`,
      'kind',
    );
  }
  for (const k of ['voen', 'fin', 'gooen'] as const) {
    if (p[k] !== null && found[k] !== null && found[k] !== p[k]) {
      throw new BadUserInputError(
        `participant ${found.id} (${found.name}) has ${LABEL[k]} ${found[k]}, the contract gives ${p[k]}`,
        k,
      );
    }
  }
  if ((p.voen && !found.voen) || (p.fin && !found.fin) || (p.gooen && !found.gooen)) {
    await sql.query(
      `UPDATE participants SET voen = coalesce(voen, $2), fin = coalesce(fin, $3), gooen = coalesce(gooen, $4) WHERE id = $1`,
      [found.id, p.voen, p.fin, p.gooen],
    );
  }
  return { id: found.id, created: false };
}
