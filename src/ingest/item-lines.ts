/**
 * The declaration_items COPY lines of a batch, rendered once the keys are known, in primary-key
 * order (sorted input halves index maintenance): byte copies of the staged rows (batch.ts).
 */
import { LineWriter, copyValue } from './batch';
import { compareDigits, type KeyedDecl } from './keys';
import type { SinkBatch } from './row-sink';

/**
 * Renders a batch's rows as declaration_items COPY lines in primary-key order: `fresh` for
 * declarations created by this batch, `existing` for the others. Rows of rejected
 * declarations have no keys and are left out.
 */
export function renderItems(
  batch: SinkBatch,
  keyed: KeyedDecl[],
): { fresh: Buffer[]; freshRows: number; existing: Buffer[] } {
  const rows = batch.rows;
  const sorted = [...keyed].sort(
    (a, b) => compareDigits(a.participantId, b.participantId) || compareDigits(a.declarationId, b.declarationId),
  );
  const rankOf = new Map<number, number>();
  const heads: Buffer[] = [];
  const mids: Buffer[] = [];
  const isNew: boolean[] = [];
  sorted.forEach((k, r) => {
    const v = k.decl.fields; // DECL_FIELDS order
    rankOf.set(k.decl.idx, r);
    heads.push(Buffer.from(`${k.participantId}\t${k.declarationId}\t`));
    mids.push(Buffer.from(`\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t`));
    isNew.push(k.isNew);
  });
  const rank = new Int32Array(rows.count);
  const sortKey = new Float64Array(rows.count);
  const order: number[] = [];
  for (let i = 0; i < rows.count; i++) {
    const r = rankOf.get(rows.decls[i]);
    if (r === undefined) continue;
    rank[i] = r;
    // Item numbers are below 2^30 (at most 9 digits).
    sortKey[i] = r * 1073741824 + rows.items[i];
    order.push(i);
  }
  order.sort((a, b) => sortKey[a] - sortKey[b]);
  const fresh = new LineWriter();
  const existing = new LineWriter();
  let freshRows = 0;
  for (const i of order) {
    const r = rank[i];
    const w = isNew[r] ? fresh : existing;
    if (isNew[r]) freshRows++;
    w.bytes(heads[r]);
    w.int(rows.items[i]);
    w.bytes(mids[r]);
    w.bytes(rows.buf, rows.start(i), rows.ends[i]);
  }
  return { fresh: fresh.finish(), freshRows, existing: existing.finish() };
}
