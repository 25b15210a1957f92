/**
 * Keys of a batch's declarations: which participant each belongs to, which existed already
 * (and whether their header changes), and the (participant, month) pairs the batch touches.
 */
import type { AffectedMonth } from './options';
import type { DeclRow, SinkBatch } from './row-sink';

/** What the database knows of a staged declaration's number (load-sql.ts PROBE_DECLARATIONS). */
export interface Probe {
  decl_idx: number;
  /** Registered to a participant other than this row's declarant. */
  foreign: boolean;
  /** The declarant's own declaration with this number, if any, and its header. */
  id: string | null;
  registration_date: string | null;
  direction: string | null;
  customs_post_code: string | null;
  procedure_code: string | null;
  declarant_name: string | null;
}

/** A declaration of the batch with its keys. */
export interface KeyedDecl {
  decl: DeclRow;
  participantId: string;
  /** '' for a new declaration until ids are allocated. */
  declarationId: string;
  isNew: boolean;
  changed: boolean;
}

export interface BatchKeys {
  /** Every declaration of the batch but those rejected. */
  keyed: KeyedDecl[];
  /** Declarations new to the database. */
  fresh: KeyedDecl[];
  /** Existing declarations whose header changes. */
  changed: KeyedDecl[];
}

/** Compares two non-negative integers written in decimal (bigint ids). */
export function compareDigits(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The (participant, month) pairs an import touched. */
export class AffectedMonths {
  private readonly pairs = new Map<string, AffectedMonth>();

  /** The month of `date` (YYYY-MM-DD or YYYY-MM) for the participant. */
  add(participantId: string, date: string): void {
    const month = `${date.slice(0, 7)}-01`;
    this.pairs.set(`${participantId}/${month}`, { participantId: String(participantId), month });
  }

  /** Every pair, ordered by participant then month. */
  list(): AffectedMonth[] {
    return [...this.pairs.values()].sort(
      (a, b) => compareDigits(a.participantId, b.participantId) || (a.month < b.month ? -1 : a.month > b.month ? 1 : 0),
    );
  }
}

/** Whether the stored header differs from the file's (DECL_FIELDS order: date, direction, …, name, post, procedure). */
function headerChanged(p: Probe, v: ReadonlyArray<string>): boolean {
  return (
    p.registration_date !== v[0] ||
    p.direction !== v[1] ||
    p.customs_post_code !== v[6] ||
    p.procedure_code !== v[7] ||
    p.declarant_name !== v[5]
  );
}

/**
 * Keys every declaration of the batch that was not rejected (`conflicts`) and records the months
 * that new and changed declarations touch (for a changed one, its old month too).
 */
export function keyDeclarations(
  batch: SinkBatch,
  conflicts: ReadonlyMap<number, string>,
  existing: ReadonlyMap<number, Probe>,
  participantOf: ReadonlyMap<number, string>,
  affected: AffectedMonths,
): BatchKeys {
  const keys: BatchKeys = { keyed: [], fresh: [], changed: [] };
  for (const d of batch.decls) {
    if (conflicts.has(d.idx)) continue;
    const participantId = participantOf.get(d.identIdx);
    if (participantId === undefined || participantId === null)
      throw new Error(`declarant of line ${d.line} not resolved`);
    const p = existing.get(d.idx);
    const v = d.fields;
    const k: KeyedDecl = {
      decl: d,
      participantId,
      declarationId: p?.id ?? '',
      isNew: p === undefined,
      changed: p !== undefined && headerChanged(p, v),
    };
    keys.keyed.push(k);
    if (k.isNew) keys.fresh.push(k);
    if (k.changed) {
      keys.changed.push(k);
      affected.add(participantId, p!.registration_date!);
    }
    if (k.isNew || k.changed) affected.add(participantId, v[0]);
  }
  return keys;
}
