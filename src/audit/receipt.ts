/**
 * Receipts of the audit transparency log, and their offline verification (`npm run verify-receipt`).
 *
 * Every GraphQL response that got an audit record carries `extensions.receipt`:
 *
 *   { "seq": "42", "leafHash": "<hex>", "responseHash": "<hex>", "logOrigin": "<AUDIT_LOG_ORIGIN>" }
 *
 * `seq` is the record's chain position (leaf index seq − 1), `leafHash` its RFC 6962 leaf hash
 * SHA-256(0x00 ‖ record hash), `responseHash` the record's response_hash. Hashes are lowercase hex.
 *
 * The receipt cannot be inside what the record hashes, so the record's response hash is over the
 * response as sent without it. A client recomputes it from the body it received:
 *
 *   o = JSON.parse(body); delete o.extensions.receipt; if (o.extensions is now {}) delete o.extensions;
 *   SHA-256(JSON.stringify({ errors: o.errors, data: o.data, extensions: o.extensions }) + "\n")
 *
 * (absent members are left out by JSON.stringify; that is Apollo Server's serialisation, and the
 * service never sends an empty `extensions` of its own). `responseHashOf` below does exactly that.
 *
 * A bundle (what a client saves, `npm run verify-receipt -- FILE`) is JSON:
 *
 *   { "response": "<the response body exactly as received, a string>",
 *     "inclusionProof": <data.auditInclusionProof of the service: seq, treeSize, leafHash, proof,
 *                        record, checkpoint>,
 *     "checkpoint": "<optional: a signed checkpoint note to check against instead of the proof's>" }
 *
 * and verification goes response → response hash → record content → leaf → inclusion proof → root
 * → checkpoint signature, naming the first part that fails.
 */
import crypto from 'node:crypto';
import { openCheckpointNote, type NoteVerifier } from './checkpoint-note';
import { leafHash, rootFromInclusionProof } from './merkle';

export interface Receipt {
  seq: string;
  leafHash: string;
  responseHash: string;
  logOrigin: string;
}

/** The receipt of a record: its seq, leaf hash, response hash and the log's origin. */
export function receiptOf(record: { seq: string; hash: Buffer }, responseHash: Buffer, logOrigin: string): Receipt {
  return {
    seq: record.seq,
    leafHash: leafHash(record.hash).toString('hex'),
    responseHash: responseHash.toString('hex'),
    logOrigin,
  };
}

/** The response hash a record holds, recomputed from a response body carrying its receipt. */
export function responseHashOf(body: string): Buffer {
  const o = JSON.parse(body) as { errors?: unknown; data?: unknown; extensions?: Record<string, unknown> };
  if (o.extensions && typeof o.extensions === 'object') {
    delete o.extensions.receipt;
    if (Object.keys(o.extensions).length === 0) delete o.extensions;
  }
  const text = `${JSON.stringify({ errors: o.errors, data: o.data, extensions: o.extensions })}\n`;
  return crypto.createHash('sha256').update(text, 'utf8').digest();
}

/** Positions in a record's canonical content (src/audit/record.ts canonicalContent), both hash versions. */
const CONTENT_SEQ = 2;
const CONTENT_RESPONSE_HASH = 22;

/** What the service answers for auditInclusionProof (hashes hex). */
export interface InclusionProofBundle {
  seq: string;
  treeSize: string;
  leafHash: string;
  proof: string[];
  /** The record's canonical content: SHA-256 of it is the record's hash. */
  record: string;
  /** The signed checkpoint note of tree size `treeSize` the proof leads to. */
  checkpoint: string;
}

export interface ReceiptBundle {
  response: string;
  inclusionProof: InclusionProofBundle;
  checkpoint?: string;
}

/** The part of a bundle that fails verification. */
export type ReceiptPart = 'bundle' | 'response' | 'record' | 'leaf' | 'proof' | 'root' | 'checkpoint';

export type ReceiptVerification =
  { ok: true; seq: string; treeSize: number; origin: string } | { ok: false; part: ReceiptPart; message: string };

const HEX32 = /^[0-9a-f]{64}$/;

/** Verifies a saved bundle offline with the log's verifier key only (see the header for the order). */
export function verifyReceiptBundle(bundle: unknown, verifier: NoteVerifier): ReceiptVerification {
  const fail = (part: ReceiptPart, message: string): ReceiptVerification => ({ ok: false, part, message });
  const b = bundle as Partial<ReceiptBundle> | null;
  if (!b || typeof b !== 'object' || typeof b.response !== 'string' || !b.inclusionProof) {
    return fail('bundle', 'a bundle is a JSON object with "response" (a string) and "inclusionProof"');
  }
  const p = b.inclusionProof;
  if (
    typeof p.seq !== 'string' ||
    typeof p.treeSize !== 'string' ||
    typeof p.record !== 'string' ||
    typeof p.checkpoint !== 'string' ||
    !Array.isArray(p.proof) ||
    !p.proof.every((x) => typeof x === 'string' && HEX32.test(x))
  ) {
    return fail('bundle', 'inclusionProof needs seq, treeSize, proof (hex hashes), record and checkpoint');
  }
  // 1. The response: its receipt, and its hash without the receipt.
  let receipt: Partial<Receipt> | undefined;
  let responseHash: Buffer;
  try {
    receipt = (JSON.parse(b.response) as { extensions?: { receipt?: Partial<Receipt> } }).extensions?.receipt;
    responseHash = responseHashOf(b.response);
  } catch {
    return fail('response', 'the saved response is not JSON');
  }
  if (!receipt || typeof receipt.seq !== 'string' || !HEX32.test(String(receipt.leafHash))) {
    return fail('response', 'the saved response carries no receipt (extensions.receipt with seq and leafHash)');
  }
  if (receipt.responseHash !== responseHash.toString('hex')) {
    return fail(
      'response',
      `the response hashes to ${responseHash.toString('hex')}, not to the receipt's responseHash ${String(receipt.responseHash)}: the response was altered`,
    );
  }
  if (p.seq !== receipt.seq) return fail('bundle', `the proof is of seq ${p.seq}, the receipt of seq ${receipt.seq}`);
  // 2. The record: it holds this response's hash, and it hashes to the receipt's leaf.
  let content: unknown[];
  try {
    content = JSON.parse(p.record) as unknown[];
    if (!Array.isArray(content)) throw new Error('not an array');
  } catch {
    return fail('record', 'the record content is not a JSON array (canonical record content)');
  }
  if (String(content[CONTENT_SEQ]) !== receipt.seq) {
    return fail('record', `the record content is of seq ${String(content[CONTENT_SEQ])}, not ${receipt.seq}`);
  }
  if (content[CONTENT_RESPONSE_HASH] !== responseHash.toString('hex')) {
    return fail('record', 'the record content holds another response hash than this response (record replaced)');
  }
  const recordHash = crypto.createHash('sha256').update(p.record, 'utf8').digest();
  const leaf = leafHash(recordHash);
  if (leaf.toString('hex') !== receipt.leafHash) {
    return fail(
      'record',
      `the record content gives leaf ${leaf.toString('hex')}, not the receipt's ${receipt.leafHash} (record altered or replaced)`,
    );
  }
  if (p.leafHash !== receipt.leafHash) {
    return fail('leaf', `the proof is for leaf ${p.leafHash}, not the receipt's ${receipt.leafHash}`);
  }
  // 3. The inclusion proof leads from the leaf to a root.
  const index = Number(receipt.seq) - 1;
  const size = Number(p.treeSize);
  const root = rootFromInclusionProof(
    index,
    size,
    leaf,
    p.proof.map((x) => Buffer.from(x, 'hex')),
  );
  if (!root) return fail('proof', `the proof does not fit leaf ${index} of a tree of ${p.treeSize}`);
  // 4. The checkpoint: signed by the key, of this log, of this tree size, with this root.
  const note = b.checkpoint ?? p.checkpoint;
  let body;
  try {
    body = openCheckpointNote(note, verifier, typeof receipt.logOrigin === 'string' ? receipt.logOrigin : undefined);
  } catch (e) {
    return fail('checkpoint', `the checkpoint does not verify with ${verifier.name}: ${(e as Error).message}`);
  }
  if (body.size !== size) {
    return fail('root', `the checkpoint is of tree size ${body.size}, the proof of ${size}`);
  }
  if (!body.rootHash.equals(root)) {
    return fail(
      'root',
      `the proof leads to root ${root.toString('base64')}, the signed checkpoint has ${body.rootHash.toString('base64')}`,
    );
  }
  return { ok: true, seq: receipt.seq, treeSize: size, origin: body.origin };
}
