/**
 * The participant a certificate or portal assertion subject names (shared by the signature, Web
 * eID and portal providers): by VÖEN for a legal entity, by FIN for a natural person.
 */
import type { RequestDb } from '../../db/tenant';
import type { SubjectMapping } from '../../pki';
import { ParticipantNotFoundError } from '../../shared/errors';

/** The participant's id, or PARTICIPANT_NOT_FOUND. */
export async function participantFor(db: RequestDb, mapping: SubjectMapping): Promise<string> {
  const rows = await db.run(null, (sql) =>
    mapping.kind === 'LEGAL_ENTITY'
      ? sql.query<{ id: string }>(`SELECT id::text AS id FROM participants WHERE voen = $1`, [mapping.voen])
      : sql.query<{ id: string }>(`SELECT id::text AS id FROM participants WHERE fin = $1`, [mapping.fin]),
  );
  if (!rows[0]) {
    throw new ParticipantNotFoundError(
      mapping.kind === 'LEGAL_ENTITY'
        ? `no participant with VÖEN ${mapping.voen} is registered with the service`
        : `no participant with FIN ${mapping.fin} is registered with the service`,
    );
  }
  return rows[0].id;
}

/** The fields every trader principal of a certificate login shares. */
export function traderOf(participantId: string) {
  return {
    role: 'TRADER',
    participantId,
    userAccountId: null,
    username: null,
    mustChangePassword: false,
  } as const;
}
