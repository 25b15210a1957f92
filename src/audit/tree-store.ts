/**
 * The audit log's Merkle tree kept in PostgreSQL (audit_tree_nodes, migration 1764000001100), so that
 * proofs cost O(log n) stored hashes at any size instead of a scan of every record.
 *
 * A row is one complete subtree of the RFC 6962 tree: level h covers 2^h leaves, idx is its position
 * at that level (leaves idx·2^h … (idx+1)·2^h − 1). Level 0 holds the leaf hashes. The checkpointer
 * writes them (`CompactRange.appendLeafHash` tells it every subtree an append completes) as it extends
 * the tree it verified, before it signs a checkpoint covering them; rows are deterministic, so a second
 * instance writing the same ones changes nothing (ON CONFLICT DO NOTHING). About 2n rows for n records.
 *
 * Any node of a tree of size m — complete or on its right edge — is a fold of the complete subtrees of
 * the binary decomposition of its range, so the root and every proof read at most O(log² m) rows (in
 * practice ~2 log m), fetched in one statement: the algorithm is run once with a recording reader to
 * learn which rows it needs (which rows does not depend on their hashes), then again over the rows read.
 */
import type { Sql } from '../db/tenant';
import { consistencyProofFrom, inclusionProofFrom, rootFrom, type NodeReader } from './merkle';

// The algorithms live in merkle.ts (shared with the in-memory tree); named here too for the stored tree's readers.
export { consistencyProofFrom, inclusionProofFrom, rangeHashFrom, rootFrom, type NodeReader } from './merkle';

/** One complete subtree: 2^level leaves from idx · 2^level. */
export interface TreeNode {
  level: number;
  idx: number;
  hash: Buffer;
}

/** The (level, idx) of every node `compute` reads, in first-read order, without duplicates. */
export function nodesRead(compute: (get: NodeReader) => unknown): [number, number][] {
  const seen = new Set<string>();
  const keys: [number, number][] = [];
  const zero = Buffer.alloc(32);
  compute((level, idx) => {
    const k = `${level}/${idx}`;
    if (!seen.has(k)) {
      seen.add(k);
      keys.push([level, idx]);
    }
    return zero;
  });
  return keys;
}

/** A node the computation needs is not stored (yet): the tree has not been extended that far. */
export class TreeNodeMissingError extends Error {
  constructor(
    readonly level: number,
    readonly idx: number,
  ) {
    super(`audit tree: node ${level}/${idx} is not stored`);
    this.name = 'TreeNodeMissingError';
  }
}

/** Runs `compute` over the stored nodes it needs, read in one statement. */
export async function withStoredNodes<T>(sql: Sql, compute: (get: NodeReader) => T): Promise<T> {
  const keys = nodesRead(compute);
  const found = new Map<string, Buffer>();
  if (keys.length > 0) {
    const rows = await sql.query<{ level: number; idx: string; hash: Buffer }>(
      // One primary-key probe per wanted node (LATERAL), never a scan of the table.
      `SELECT k.level, k.idx::text AS idx, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS k(level, idx)
        CROSS JOIN LATERAL (SELECT t.hash FROM audit_tree_nodes t WHERE t.level = k.level AND t.idx = k.idx) n`,
      [keys.map(([l]) => l), keys.map(([, i]) => String(i))],
    );
    for (const r of rows) found.set(`${r.level}/${r.idx}`, r.hash);
  }
  return compute((level, idx) => {
    const h = found.get(`${level}/${idx}`);
    if (!h) throw new TreeNodeMissingError(level, idx);
    return h;
  });
}

/** How many leaves the stored tree holds (the largest stored leaf index + 1). */
export async function storedTreeSize(sql: Sql): Promise<number> {
  const [r] = await sql.query<{ n: string | null }>(
    `SELECT (max(idx) + 1)::text AS n FROM audit_tree_nodes WHERE level = 0`,
  );
  return r?.n ? Number(r.n) : 0;
}

/** Stores complete subtrees (those already there are left as they are). */
export async function storeTreeNodes(sql: Sql, nodes: TreeNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 20_000) {
    const chunk = nodes.slice(i, i + 20_000);
    await sql.query(
      `INSERT INTO audit_tree_nodes (level, idx, hash)
       SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT (level, idx) DO NOTHING`,
      [chunk.map((n) => n.level), chunk.map((n) => String(n.idx)), chunk.map((n) => n.hash)],
    );
  }
}

/** The root of the first `size` stored leaves. */
export function storedRoot(sql: Sql, size: number): Promise<Buffer> {
  return withStoredNodes(sql, (get) => rootFrom(get, size));
}

/** The inclusion proof of leaf `index` in the stored tree of `size` leaves. */
export function storedInclusionProof(sql: Sql, index: number, size: number): Promise<Buffer[]> {
  return withStoredNodes(sql, (get) => inclusionProofFrom(get, index, size));
}

/** The consistency proof between the stored trees of `first` and `second` leaves. */
export function storedConsistencyProof(sql: Sql, first: number, second: number): Promise<Buffer[]> {
  return withStoredNodes(sql, (get) => consistencyProofFrom(get, first, second));
}
