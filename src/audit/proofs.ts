/**
 * Proofs of the audit transparency log for its users (GraphQL auditInclusionProof and
 * auditConsistencyProof, GET /audit/checkpoint): every statement they run is here, over `Sql` (the
 * request role; a trader's transaction is bound to their participant, so row-level security hides
 * other participants' records as well as the explicit filter below).
 *
 * Proofs come from the stored tree (audit_tree_nodes, src/audit/tree-store.ts) and lead to signed
 * checkpoints (C2SP notes) made with the service's key. A record or size a checkpoint does not cover
 * yet is AUDIT_PROOF_PENDING with retryAfterSeconds (checkpoints follow every AUDIT_CHECKPOINT_SECONDS).
 */
import type { Sql } from '../db/tenant';
import { AuditProofPendingError, BadUserInputError, NotFoundError } from '../shared/errors';
import { leafHash } from './merkle';
import { canonicalContent, rowToRecord, type AuditRow } from './record';
import { storedConsistencyProof, storedInclusionProof, TreeNodeMissingError } from './tree-store';

export interface ProofOptions {
  /** The trader's participant: only their own records. Null: an officer, any record. */
  participantId: string | null;
  /** Only checkpoints signed by this key (the service's). */
  keyId: string;
  /** When to ask again for what no checkpoint covers yet. */
  retryAfterSeconds: number;
}

export interface SignedCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  /** The C2SP signed note. */
  note: string;
}

export interface InclusionProof {
  seq: string;
  leafIndex: number;
  treeSize: number;
  leafHash: Buffer;
  recordHash: Buffer;
  /** The record's canonical content (src/audit/record.ts): SHA-256 of it is recordHash. */
  record: string;
  proof: Buffer[];
  rootHash: Buffer;
  checkpoint: string;
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  proof: Buffer[];
  fromCheckpoint: string;
  toCheckpoint: string;
}

/** A positive tree size or seq given as a decimal string; BAD_USER_INPUT naming `field` otherwise. */
export function positiveInteger(value: unknown, field: string): number {
  const s = String(value ?? '').trim();
  if (!/^[1-9][0-9]{0,15}$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new BadUserInputError(`${field}: a positive whole number (decimal string) is expected`, field);
  }
  return Number(s);
}

/** The newest checkpoint signed by `keyId` (with a note), or null before the first. */
export async function newestCheckpoint(sql: Sql, keyId: string): Promise<SignedCheckpoint | null> {
  const [c] = await sql.query<{ tree_size: string; root_hash: Buffer; note: string }>(
    `SELECT c.tree_size::text AS tree_size, c.root_hash, c.note FROM audit_checkpoints c
      WHERE c.note IS NOT NULL AND c.key_id = $1 ORDER BY c.tree_size DESC, c.id DESC LIMIT 1`,
    [keyId],
  );
  return c ? { treeSize: Number(c.tree_size), rootHash: c.root_hash, note: c.note } : null;
}

async function checkpointOfSize(sql: Sql, keyId: string, size: number): Promise<SignedCheckpoint | null> {
  const [c] = await sql.query<{ root_hash: Buffer; note: string }>(
    `SELECT c.root_hash, c.note FROM audit_checkpoints c
      WHERE c.note IS NOT NULL AND c.key_id = $1 AND c.tree_size = $2 ORDER BY c.id DESC LIMIT 1`,
    [keyId, size],
  );
  return c ? { treeSize: size, rootHash: c.root_hash, note: c.note } : null;
}

function pending(what: string, retryAfterSeconds: number): AuditProofPendingError {
  return new AuditProofPendingError(
    `${what} is not covered by a signed checkpoint yet; ask again in a few seconds`,
    retryAfterSeconds,
  );
}

/**
 * The inclusion proof of record `seq` to the newest signed checkpoint, with the record's canonical
 * content (from which its hash, hence its leaf, is recomputed). A trader asking for another
 * participant's record gets the same NOT_FOUND as for a seq that does not exist.
 */
export async function auditInclusionProof(sql: Sql, seqArg: unknown, opts: ProofOptions): Promise<InclusionProof> {
  const seq = positiveInteger(seqArg, 'seq');
  const rows = await sql.query<AuditRow>(
    opts.participantId === null
      ? `SELECT * FROM audit_records WHERE seq = $1`
      : `SELECT * FROM audit_records WHERE seq = $1 AND participant_id = $2::bigint`,
    opts.participantId === null ? [seq] : [seq, opts.participantId],
  );
  if (rows.length === 0) throw new NotFoundError(`seq: no audit record ${seq} that you may see`);
  const rec = rowToRecord(rows[0]);
  const cp = await newestCheckpoint(sql, opts.keyId);
  if (!cp || cp.treeSize < seq) throw pending(`audit record ${seq}`, opts.retryAfterSeconds);
  let proof: Buffer[];
  try {
    proof = await storedInclusionProof(sql, seq - 1, cp.treeSize);
  } catch (e) {
    // The tree of a database that had checkpoints before the tree was stored is filled in by the next one.
    if (e instanceof TreeNodeMissingError) throw pending(`audit record ${seq}`, opts.retryAfterSeconds);
    throw e;
  }
  const { hash, ...content } = rec;
  return {
    seq: rec.seq,
    leafIndex: seq - 1,
    treeSize: cp.treeSize,
    leafHash: leafHash(hash),
    recordHash: hash,
    record: canonicalContent(content),
    proof,
    rootHash: cp.rootHash,
    checkpoint: cp.note,
  };
}

/** The consistency proof between the signed checkpoints of sizes `from` and `to` (from ≤ to). */
export async function auditConsistencyProof(
  sql: Sql,
  fromArg: unknown,
  toArg: unknown,
  opts: Omit<ProofOptions, 'participantId'>,
): Promise<ConsistencyProof> {
  const from = positiveInteger(fromArg, 'fromSize');
  const to = positiveInteger(toArg, 'toSize');
  if (from > to) throw new BadUserInputError('fromSize: must not exceed toSize', 'fromSize');
  const newest = await newestCheckpoint(sql, opts.keyId);
  if (!newest || newest.treeSize < to) throw pending(`tree size ${to}`, opts.retryAfterSeconds);
  const a = await checkpointOfSize(sql, opts.keyId, from);
  const b = await checkpointOfSize(sql, opts.keyId, to);
  if (!a) throw new BadUserInputError(`fromSize: no signed checkpoint of tree size ${from}`, 'fromSize');
  if (!b) throw new BadUserInputError(`toSize: no signed checkpoint of tree size ${to}`, 'toSize');
  let proof: Buffer[];
  try {
    proof = await storedConsistencyProof(sql, from, to);
  } catch (e) {
    if (e instanceof TreeNodeMissingError) throw pending(`tree size ${to}`, opts.retryAfterSeconds);
    throw e;
  }
  return { fromSize: from, toSize: to, proof, fromCheckpoint: a.note, toCheckpoint: b.note };
}
