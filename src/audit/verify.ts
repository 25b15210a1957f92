/**
 * Verifies the audit chain and reports the first broken link (in chain order):
 *  - a record whose content no longer matches its hash (edited);
 *  - a gap in the chain positions or a previous-hash that does not match (removed or reordered);
 *  - a record that differs from a signed checkpoint of it (the chain was rewritten with
 *    recomputed hashes: only the service key can sign the new head);
 *  - a signed checkpoint naming a record that no longer exists (the newest records were deleted);
 *  - a checkpoint with a bad signature, or one in the witness log but not in the database;
 *  - a signed Merkle tree root (C2SP checkpoint note) that the records no longer give;
 *  - records missing at the end of the chain, or a newest record that differs from the one the
 *    writers recorded as the chain head (audit_chain_head, advanced on every insert, never lowered).
 * Records after the newest checkpoint are covered by the chain only (reported as a warning).
 */
import fs from 'node:fs';
import type { Sql } from '../db/tenant';
import { checkpointFromRow } from './audit.service';
import { CompactRange, leafHash } from './merkle';
import { GENESIS_HASH, recordHash, rowToRecord, type AuditRow } from './record';
import { checkpointSignatureValid, parseWitnessLine, type Checkpoint, type SigningKey } from './signing';

export interface BrokenLink {
  /** The record at fault: altered, out of place, or missing (named by a checkpoint). */
  recordId: string | null;
  seq: string;
  /** The first chain position at fault: the record named, or for a gap the first missing position. */
  firstBadSeq: string;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  witnessEntries: number;
  head: { id: string; seq: string } | null;
  broken: BrokenLink | null;
  warnings: string[];
}

interface KnownCheckpoint extends Checkpoint {
  source: 'database' | 'witness';
  valid: boolean;
}

const cpKey = (c: Checkpoint) => `${c.seq}|${c.recordId}|${c.headHash.toString('hex')}|${c.signature.toString('hex')}`;

export async function verifyAuditChain(
  sql: Sql,
  key: SigningKey,
  opts: { witnessFile?: string | null; pageSize?: number; origin?: string } = {},
): Promise<VerifyResult> {
  const pageSize = opts.pageSize ?? 5000;
  const warnings: string[] = [];
  const dbCps = (
    await sql.query<Parameters<typeof checkpointFromRow>[0]>(
      `SELECT c.seq::text AS seq, c.record_id::text AS record_id, c.head_hash, c.created_at, c.key_id, c.signature,
              c.root_hash, c.note
       FROM audit_checkpoints c ORDER BY c.seq, c.id`,
    )
  ).map(checkpointFromRow);
  const witness: Checkpoint[] = [];
  if (opts.witnessFile && fs.existsSync(opts.witnessFile)) {
    const lines = fs
      .readFileSync(opts.witnessFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const l of lines) {
      try {
        witness.push(parseWitnessLine(l));
      } catch {
        warnings.push(`witness log ${opts.witnessFile}: an unreadable line was skipped`);
      }
    }
  }
  const inDb = new Set(dbCps.map(cpKey));
  const all: KnownCheckpoint[] = [
    ...dbCps.map((c) => ({ ...c, source: 'database' as const, valid: checkpointSignatureValid(key, c, opts.origin) })),
    ...witness
      .filter((c) => !inDb.has(cpKey(c)))
      .map((c) => ({ ...c, source: 'witness' as const, valid: checkpointSignatureValid(key, c, opts.origin) })),
  ].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
  const bySeq = new Map<string, KnownCheckpoint[]>();
  for (const c of all) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);

  const result = (
    b: (Omit<BrokenLink, 'firstBadSeq'> & { firstBadSeq?: string }) | null,
    records: number,
    head: VerifyResult['head'],
  ): VerifyResult => {
    const broken = b ? { ...b, firstBadSeq: b.firstBadSeq ?? b.seq } : null;
    return {
      ok: broken === null,
      records,
      checkpoints: dbCps.length,
      witnessEntries: witness.length,
      head,
      broken,
      warnings,
    };
  };

  type Found = Omit<BrokenLink, 'firstBadSeq'> & { firstBadSeq?: string };
  const range = CompactRange.empty();
  const checkCheckpoint = (c: KnownCheckpoint, row: { id: string; hash: Buffer } | null): Found | null => {
    const at = `checkpoint of ${c.createdAt.toISOString()} (seq ${c.seq}, ${c.source})`;
    if (!c.valid) {
      return {
        recordId: c.recordId,
        seq: c.seq,
        reason: `${at}: signature invalid or not made by the service key ${key.keyId}`,
      };
    }
    if (c.source === 'witness') {
      return {
        recordId: c.recordId,
        seq: c.seq,
        reason: `${at}: in the witness log but missing from audit_checkpoints (deleted)`,
      };
    }
    if (row === null) {
      return {
        recordId: c.recordId,
        seq: c.seq,
        reason: `${at}: the signed record ${c.recordId} is missing (newest records deleted)`,
      };
    }
    if (c.note !== undefined && !range.root().equals(c.rootHash!)) {
      return {
        recordId: row.id,
        seq: c.seq,
        reason: `${at}: the Merkle tree of records 1..${c.seq} differs from the signed root (chain rewritten at or before this record)`,
      };
    }
    if (row.id !== c.recordId || !row.hash.equals(c.headHash)) {
      return {
        recordId: row.id,
        seq: c.seq,
        reason: `${at}: record ${row.id} differs from the signed head (chain rewritten at or before this record)`,
      };
    }
    return null;
  };

  let expected = 1n;
  let prev: Buffer = GENESIS_HASH;
  let count = 0;
  let head: VerifyResult['head'] = null;
  for (;;) {
    const rows = await sql.query<AuditRow>(
      `SELECT * FROM audit_records WHERE seq >= $1 ORDER BY seq LIMIT ${pageSize}`,
      [expected.toString()],
    );
    for (const row of rows) {
      const rec = rowToRecord(row);
      const seq = BigInt(rec.seq);
      if (seq !== expected) {
        return result(
          {
            recordId: rec.id,
            seq: rec.seq,
            firstBadSeq: expected.toString(),
            reason: `records at chain positions ${expected}..${seq - 1n} are missing`,
          },
          count,
          head,
        );
      }
      if (!rec.prevHash.equals(prev)) {
        return result(
          {
            recordId: rec.id,
            seq: rec.seq,
            firstBadSeq: (seq - 1n).toString(),
            reason: `its previous-record hash does not match the previous record (record ${seq - 1n} altered and its hash recomputed, or this link)`,
          },
          count,
          head,
        );
      }
      const { hash, ...content } = rec;
      if (!recordHash(content).equals(hash)) {
        return result(
          { recordId: rec.id, seq: rec.seq, reason: 'its content does not match its hash (record altered)' },
          count,
          head,
        );
      }
      range.appendLeafHash(leafHash(hash));
      for (const c of bySeq.get(rec.seq) ?? []) {
        const b = checkCheckpoint(c, rec);
        if (b) return result(b, count, head);
      }
      prev = hash;
      expected += 1n;
      count += 1;
      head = { id: rec.id, seq: rec.seq };
    }
    if (rows.length < pageSize) break;
  }
  for (const c of all) {
    if (BigInt(c.seq) < expected) continue;
    const b = checkCheckpoint(c, null);
    if (b) {
      if (b.reason.includes('missing (newest records deleted)')) {
        b.reason += `; the chain now ends at seq ${expected - 1n}${head ? ` (record ${head.id})` : ''}`;
        b.firstBadSeq = expected.toString();
      }
      return result(b, count, head);
    }
  }
  // The head the writers advanced (never lowered): records missing after the last one, or a newest
  // record altered with its hash recomputed, show here even before a checkpoint covers them.
  const [written] = await sql
    .query<{ seq: string; hash: Buffer }>(`SELECT seq::text AS seq, hash FROM audit_chain_head`)
    .catch(() => [] as { seq: string; hash: Buffer }[]);
  if (written && BigInt(written.seq) >= expected) {
    return result(
      {
        recordId: null,
        seq: written.seq,
        firstBadSeq: expected.toString(),
        reason: `records at chain positions ${expected}..${written.seq} are missing (newest records deleted; the chain head was at seq ${written.seq})`,
      },
      count,
      head,
    );
  }
  if (written && head && BigInt(written.seq) === BigInt(head.seq) && !written.hash.equals(prev)) {
    return result(
      {
        recordId: head.id,
        seq: head.seq,
        reason: 'the newest record differs from the one written (altered and its hash recomputed)',
      },
      count,
      head,
    );
  }
  const newest = all[all.length - 1];
  if (!newest) {
    if (count > 0)
      warnings.push('no signed checkpoint yet: deleting the newest records or rewriting the chain would go unnoticed');
  } else if (head && BigInt(newest.seq) < BigInt(head.seq)) {
    warnings.push(
      `${BigInt(head.seq) - BigInt(newest.seq)} record(s) after the newest checkpoint (seq ${newest.seq}) are covered by the chain only`,
    );
  }
  return result(null, count, head);
}
