/**
 * Declaration numbers the database already holds for another participant: each row of such a
 * declaration is an error and, in skip-invalid mode, a line of the rejects file rebuilt from the
 * staged row (the original record is not kept).
 */
import { uncopyValue } from './batch';
import { DECLARATION_COLUMNS } from './columns';
import type { Probe } from './keys';
import { DECL_FIELDS, ITEM_LEVEL_COLUMNS, type DeclRow, type RowSink, type SinkBatch } from './row-sink';

/** The probes split: numbers of another participant (by declaration index), the declarant's own declarations. */
export function splitProbes(
  batch: SinkBatch,
  probes: ReadonlyArray<Probe>,
): { conflicts: Map<number, string>; existing: Map<number, Probe> } {
  const conflicts = new Map<number, string>();
  const existing = new Map<number, Probe>();
  const byIdx = new Map(batch.decls.map((d) => [d.idx, d]));
  for (const p of probes) {
    if (p.foreign) conflicts.set(p.decl_idx, byIdx.get(p.decl_idx)!.number);
    else existing.set(p.decl_idx, p);
  }
  return { conflicts, existing };
}

/** Staged row i as the file's record, in the file's column order. */
function stagedRecord(sink: RowSink, batch: SinkBatch, d: DeclRow, i: number): string[] {
  const rows = batch.rows;
  const byColumn: Record<string, string> = { declaration_number: d.number, item_number: String(rows.items[i]) };
  DECL_FIELDS.forEach((c, j) => {
    byColumn[c] = d.fields[j];
  });
  const rest = rows.rest(i).replace(/\n$/, '').split('\t');
  ITEM_LEVEL_COLUMNS.forEach((c, j) => {
    byColumn[c] = uncopyValue(rest[j]);
  });
  const rec = new Array<string>(sink.header!.length);
  sink.columnOrder.forEach((pos, j) => {
    rec[pos] = byColumn[DECLARATION_COLUMNS[j]];
  });
  return rec;
}

/** Records an error (and a rejects line) for every row of the conflicting declarations; returns their number. */
export function rejectConflicts(
  sink: RowSink,
  batch: SinkBatch,
  conflicts: ReadonlyMap<number, string>,
  skipInvalid: boolean,
): number {
  const rows = batch.rows;
  const decls = new Map(batch.decls.map((d) => [d.idx, d]));
  let n = 0;
  for (let i = 0; i < rows.count; i++) {
    const number = conflicts.get(rows.decls[i]);
    if (number === undefined) continue;
    n++;
    const reason = `${number} is already registered to another declarant`;
    sink.addError(rows.lines[i], 'declaration_number', reason);
    if (skipInvalid && sink.collectsRejects && sink.header) {
      sink.rejectRow(stagedRecord(sink, batch, decls.get(rows.decls[i])!, i), `declaration_number: ${reason}`);
    }
  }
  sink.rejectedRows += n;
  return n;
}
