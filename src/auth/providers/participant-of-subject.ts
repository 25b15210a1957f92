/**
 * The participant a certificate or portal assertion subject names (shared by the signature, Web
 * eID and portal providers): by VÖEN for a legal entity, by FIN for a natural person.
 */
import { ANONYMOUS, type RequestDb } from '../../db/tenant';
import type { SubjectMapping } from '../../pki';
import { ParticipantNotFoundError } from '../../shared/errors';

/** The participant's id, or PARTICIPANT_NOT_FOUND. */
export async function participantFor(db: RequestDb, mapping: SubjectMapping): Promise<string> {
  // Before the login there is no scope that may read participants: a SECURITY DEFINER function
  // answers this one question (migration 1764000001200).
  // One statement: one round trip (RequestDb.send).
  const rows = await db.send<{ id: string | null }>(
    ANONYMOUS,
    `SELECT auth_participant_of_subject($1::text, $2::text)::text AS id`,
    [mapping.kind === 'LEGAL_ENTITY' ? mapping.voen : null, mapping.kind === 'LEGAL_ENTITY' ? null : mapping.fin],
  );
  if (!rows[0]?.id) {
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
