/**
 * A complaint may cite a receipt of the audit transparency log (the `extensions.receipt` of a
 * response: its seq and leaf hash). On filing, the service checks that the record at that seq exists,
 * is the filer's (participant from the session) and has that leaf hash, SHA-256(0x00 ‖ record hash),
 * computed by PostgreSQL: a forged, altered or someone else's receipt is RECEIPT_INVALID, the same
 * answer for each, so citations cannot probe other participants' records.
 */
import type { Sql } from '../db/tenant';
import { BadUserInputError, ReceiptInvalidError } from '../shared/errors';

/** What a client sends: the receipt's seq and leaf hash (hex, as in the response). */
export interface ReceiptCitationInput {
  seq: string;
  leafHash: string;
}

export interface ReceiptCitation {
  seq: string;
  leafHash: Buffer;
}

/** The citation checked for form (BAD_USER_INPUT naming the field); null when none was given. */
export function validateReceiptCitation(
  input: ReceiptCitationInput | null | undefined,
  field = 'input.receipt',
): ReceiptCitation | null {
  if (input === null || input === undefined) return null;
  const seq = String(input.seq ?? '').trim();
  if (!/^[1-9][0-9]{0,18}$/.test(seq) || BigInt(seq) > 9_223_372_036_854_775_807n) {
    throw new BadUserInputError(`${field}.seq: a positive whole number (decimal string) is expected`, `${field}.seq`);
  }
  const hex = String(input.leafHash ?? '')
    .trim()
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new BadUserInputError(`${field}.leafHash: 64 hexadecimal digits are expected`, `${field}.leafHash`);
  }
  return { seq, leafHash: Buffer.from(hex, 'hex') };
}

/** Refuses (RECEIPT_INVALID) a citation that is not one of `participantId`'s records with that leaf hash. */
export async function checkReceiptCitation(sql: Sql, participantId: string, c: ReceiptCitation): Promise<void> {
  const [hit] = await sql.query(
    `SELECT 1 AS ok FROM audit_records
      WHERE seq = $1::bigint AND participant_id = $2::bigint AND sha256('\\x00'::bytea || hash) = $3`,
    [c.seq, participantId, c.leafHash],
  );
  if (!hit) throw new ReceiptInvalidError();
}
