/**
 * Loads one staged batch into the declaration tables (all inside the import's transaction).
 * Declarations are matched by number with one index probe each; new ones get ids from the
 * identity column's sequence and, like the items of new declarations, are written with COPY in
 * primary-key order. Items of declarations that already existed go through a staging table and
 * an upsert that leaves identical rows untouched. Accumulates the counts.
 */
import type { PoolClient, QueryResultRow } from 'pg';
import { copyValue } from './batch';
import { copyChunks, textChunks } from './copy-in';
import { rejectConflicts, splitProbes } from './conflicts';
import { renderItems } from './item-lines';
import { AffectedMonths, compareDigits, keyDeclarations, type KeyedDecl, type Probe } from './keys';
import * as q from './load-sql';
import type { AffectedMonth } from './options';
import type { RowSink, SinkBatch } from './row-sink';
import { TRUNCATE_STAGING } from './staging';
import type { Timings } from './timings';

export interface LoaderOptions {
  /** declarations.imported_at and participants.created_at. */
  now: Date;
  skipInvalid: boolean;
  timings: Timings;
}

export interface LoadCounts {
  inserted: number;
  replaced: number;
  participantsCreated: number;
  declarationsCreated: number;
  declarationsUpdated: number;
  /** Valid rows rejected by the database checks. */
  conflictRows: number;
}

export class BatchLoader {
  readonly counts: LoadCounts = {
    inserted: 0,
    replaced: 0,
    participantsCreated: 0,
    declarationsCreated: 0,
    declarationsUpdated: 0,
    conflictRows: 0,
  };
  private readonly affected = new AffectedMonths();
  /** The declarations.id identity's sequence, looked up on first use. */
  private idSequence?: string;

  constructor(
    private readonly client: PoolClient,
    private readonly sink: RowSink,
    private readonly opts: LoaderOptions,
  ) {}

  async load(batch: SinkBatch): Promise<void> {
    if (batch.rows.count === 0) return;
    await this.stage(batch);
    // Declarants already known; then what the database holds under each declaration number.
    await this.sql('resolve_idents', q.RESOLVE_IDENTS);
    const probes = await this.sql<Probe>('probe_declarations', q.PROBE_DECLARATIONS);
    const { conflicts, existing } = splitProbes(batch, probes.rows);
    if (conflicts.size > 0) {
      this.counts.conflictRows += rejectConflicts(this.sink, batch, conflicts, this.opts.skipInvalid);
      await this.client.query(q.DROP_CONFLICTS, [[...conflicts.keys()]]);
    }
    // A file that will be rejected: keep checking (to report every problem), stop writing.
    if (this.sink.errorCount > 0 && !this.opts.skipInvalid) return;

    const participantOf = await this.participants();
    const keys = keyDeclarations(batch, conflicts, existing, participantOf, this.affected);
    this.counts.declarationsCreated += keys.fresh.length;
    this.counts.declarationsUpdated += keys.changed.length;
    if (keys.fresh.length > 0) await this.writeNewDeclarations(keys.fresh);
    if (keys.changed.length > 0) await this.writeChangedHeaders(keys.changed);

    // Items, rendered with their keys in primary-key order: straight into declaration_items for
    // new declarations; through staging and an upsert for declarations that already existed.
    const r = renderItems(batch, keys.keyed);
    if (r.fresh.length > 0) {
      await this.copy('copy_new_items', q.COPY_NEW_ITEMS, r.fresh);
      this.counts.inserted += r.freshRows;
    }
    if (r.existing.length > 0) await this.upsertExistingItems(r.existing);
    if (keys.changed.length > 0) await this.sql('propagate_headers', q.PROPAGATE_HEADERS);
  }

  /** Every (participant, month) touched, ordered by participant then month. */
  affectedMonths(): AffectedMonth[] {
    return this.affected.list();
  }

  private async sql<R extends QueryResultRow = Record<string, unknown>>(
    step: string,
    text: string,
    params?: unknown[],
  ) {
    return this.opts.timings.time(step, () => this.client.query<R>(text, params));
  }

  private async copy(step: string, sql: string, chunks: ReadonlyArray<string | Buffer>): Promise<void> {
    await this.opts.timings.time(step, () => copyChunks(this.client, sql, chunks));
  }

  /** The batch's declaration numbers and declarants into the staging tables. */
  private async stage(batch: SinkBatch): Promise<void> {
    await this.sql('truncate', TRUNCATE_STAGING);
    await this.copy(
      'copy_declarations',
      q.COPY_STAGED_DECLS,
      textChunks(batch.decls, (d) => `${d.idx}\t${copyValue(d.number)}\t${d.identIdx}\n`),
    );
    await this.copy(
      'copy_declarations',
      q.COPY_STAGED_IDENTS,
      textChunks(
        batch.idents,
        (i) =>
          `${i.idx}\t${copyValue(i.voen)}\t${copyValue(i.fin)}\t${copyValue(i.gooen)}\t${copyValue(i.name)}\t${i.line}\n`,
      ),
    );
  }

  /** Creates the participants first seen in this batch; the participant of every staged declarant. */
  private async participants(): Promise<Map<number, string>> {
    const created = await this.sql<{ n: number }>('create_participants', q.CREATE_PARTICIPANTS, [this.opts.now]);
    this.counts.participantsCreated += created.rows[0].n;
    if (created.rows[0].n > 0) await this.sql('resolve_idents', q.RESOLVE_IDENTS);
    const owners = await this.client.query<{ ident_idx: number; participant_id: string }>(q.IDENT_OWNERS);
    return new Map(owners.rows.map((r) => [r.ident_idx, r.participant_id]));
  }

  /** New declarations take ids in (participant, file) order and are written with COPY. */
  private async writeNewDeclarations(fresh: KeyedDecl[]): Promise<void> {
    fresh.sort((a, b) => compareDigits(a.participantId, b.participantId) || a.decl.idx - b.decl.idx);
    // The sequence is looked up once: pg_get_serial_sequence() in the query would run per row
    // (most of the cost). One row with every id; the sequence caches 1,000 values per session.
    this.idSequence ??= (await this.client.query<{ seq: string }>(q.ID_SEQUENCE)).rows[0].seq;
    const ids = await this.sql<{ ids: string }>('allocate_ids', q.ALLOCATE_IDS, [fresh.length, this.idSequence]);
    const sortedIds = ids.rows[0].ids.split(',').sort(compareDigits);
    fresh.forEach((k, i) => {
      k.declarationId = sortedIds[i];
    });
    const at = this.opts.now.toISOString();
    await this.copy(
      'copy_new_declarations',
      q.COPY_NEW_DECLARATIONS,
      textChunks(fresh, (k) => {
        const v = k.decl.fields;
        return `${k.participantId}\t${k.declarationId}\t${copyValue(k.decl.number)}\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t${copyValue(v[5])}\t${at}\n`;
      }),
    );
  }

  /** Existing declarations whose header changes: the new header, through staging. */
  private async writeChangedHeaders(changed: KeyedDecl[]): Promise<void> {
    await this.copy(
      'copy_changed',
      q.COPY_CHANGED,
      textChunks(changed, (k) => {
        const v = k.decl.fields;
        return `${k.participantId}\t${k.declarationId}\t${v[0]}\t${v[1]}\t${copyValue(v[6])}\t${v[7]}\t${copyValue(v[5])}\t${k.decl.flags}\n`;
      }),
    );
    await this.sql('update_declarations', q.UPDATE_DECLARATIONS, [this.opts.now]);
  }

  /** Items of existing declarations: inserted, replaced when a value differs, else left alone. */
  private async upsertExistingItems(lines: Buffer[]): Promise<void> {
    await this.copy('copy_existing_items', q.COPY_EXISTING_ITEMS, lines);
    await this.sql('upsert_existing_items', q.UPSERT_EXISTING_ITEMS);
    const c = await this.client.query<{ ins: number; upd: number }>(q.UPSERT_COUNTS);
    this.counts.inserted += c.rows[0].ins;
    this.counts.replaced += c.rows[0].upd;
    if (c.rows[0].ins + c.rows[0].upd > 0) {
      await this.sql('touch_declarations', q.TOUCH_DECLARATIONS, [this.opts.now]);
      const months = await this.client.query<{ participant_id: string; month: string }>(q.UPSERTED_MONTHS);
      for (const m of months.rows) this.affected.add(m.participant_id, m.month);
    }
  }
}
