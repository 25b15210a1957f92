/**
 * The synchronous per-record half of the importer: checks the header, validates each row,
 * enforces the in-file rules (declaration-level fields identical on every item of a
 * declaration, no duplicate item numbers), and renders valid rows as COPY text for the staging
 * table and invalid ones as rejects-file CSV. Holds one small entry per declaration and per
 * declarant identity; item rows are not kept.
 */
import { reportCsvLine } from '../shared/csv-cell';
import { COL, DECLARATION_COLUMNS, type DeclarationColumn } from './columns';
import { RowStore, copyValue } from './batch';
import {
  RowValidator,
  UNKNOWN_REFERENCE_FLAGS,
  checkHeader,
  type FieldError,
  type ReferenceSets,
  type UnknownReferenceFlag,
} from './validate';

export interface RowError {
  line: number;
  text: string;
}

/** A declarant identity seen in the file (from the first valid row naming it). */
export interface IdentEntry {
  idx: number;
  voen: string;
  fin: string;
  gooen: string;
  name: string;
  line: number;
}

/** A declaration seen in the file, as handed to the staging COPY. */
export interface DeclRow {
  idx: number;
  number: string;
  /** Line of its first valid row. */
  line: number;
  identIdx: number;
  /** Declaration-level values in DECL_FIELDS order. */
  fields: string[];
  /** COPY array literal of the declaration-level unknown-reference flags. */
  flags: string;
}

/**
 * Declaration-level columns: identical on every item of one declaration within a file. They are the
 * format's columns after the two keys (number, item) and before the item-level ones (hs_code on).
 */
export const DECL_FIELDS: ReadonlyArray<DeclarationColumn> = DECLARATION_COLUMNS.slice(
  DECLARATION_COLUMNS.indexOf('registration_date'),
  DECLARATION_COLUMNS.indexOf('hs_code'),
);
const DECL_IDX = DECL_FIELDS.map((c) => COL[c]);
const NF = DECL_FIELDS.length;
/** Item numbers up to this are tracked in a per-declaration bit mask; larger ones in a Set. */
const MASK_ITEMS = 30;
const DECL_FLAG_LITERALS = ['{}', '{customs_post}', '{procedure}', '{customs_post,procedure}'];

/** Rows staged since the previous batch, ready for the database. */
export interface SinkBatch {
  /** The valid rows: line, declaration index, item number and item-level COPY text. */
  rows: RowStore;
  /** The declarations those rows belong to, and their declarants. */
  decls: DeclRow[];
  idents: IdentEntry[];
}

/** Item-level columns in RowStore text, in order (then unknown_reference): the format's columns from hs_code on. */
export const ITEM_LEVEL_COLUMNS: ReadonlyArray<DeclarationColumn> = DECLARATION_COLUMNS.slice(
  DECLARATION_COLUMNS.indexOf('hs_code'),
);

export interface RowSinkOptions {
  /** Write rejected rows as CSV (skip-invalid mode with a rejects file). */
  collectRejects: boolean;
  /** Errors kept in memory (the rest are only counted). */
  maxErrors: number;
}

/** Values of one column, each kept once; declarations refer to them by number. */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(v: string): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
}

/** A growable Int32Array. */
class IntColumn {
  data: Int32Array;
  constructor(initial = 1024) {
    this.data = new Int32Array(initial);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < n) size *= 2;
    const next = new Int32Array(size);
    next.set(this.data);
    this.data = next;
  }
}

export class RowSink {
  /** Set when the file cannot be imported at all (bad header). */
  fatal: RowError | undefined;
  /** Column names as in the file's header. */
  header: string[] | undefined;
  dataRows = 0;
  validRows = 0;
  rejectedRows = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  readonly identList: IdentEntry[] = [];
  /** Rejects CSV, not yet written. */
  rejects = '';

  private readonly validator: RowValidator;
  // Rows are encoded straight into buffers: long-lived strings of many rows would be promoted
  // out of the young generation and make garbage collection dominate.
  private store = new RowStore();
  private order: number[] = [];
  private sameOrder = true;
  private lastEndLine = 0;

  // Declarations, column-wise (a million-row file has a few hundred thousand): the number maps
  // to an index; declaration-level values are interned per column and stored as ids.
  private readonly declIndex = new Map<string, number>();
  private declCount = 0;
  private readonly interners = DECL_FIELDS.map(() => new Interner());
  private readonly declFields = new IntColumn(1024 * NF);
  private readonly declLine = new IntColumn();
  private readonly declIdent = new IntColumn();
  /** Bit i set: item number i (1…MASK_ITEMS) seen. */
  private readonly declMask = new IntColumn();
  /** Bit 0: customs post unknown, bit 1: procedure unknown. */
  private readonly declFlags = new IntColumn();
  /** "idx/item" of item numbers above MASK_ITEMS. */
  private readonly bigItems = new Set<string>();
  private readonly identIndex = new Map<string, number>();
  private readonly numbers: string[] = [];
  /** The batch a declaration was last handed out in. */
  private readonly declBatch = new IntColumn();
  private batchNo = 1;
  private batchDecls: number[] = [];

  constructor(
    ref: ReferenceSets,
    private readonly opts: RowSinkOptions,
  ) {
    this.validator = new RowValidator(ref);
  }

  get declarationCount(): number {
    return this.declCount;
  }

  /** One parsed record; `endLine` is the physical line its last character is on. */
  record(rec: string[], endLine: number): void {
    const line = this.startLine(rec, endLine);
    if (this.header === undefined) {
      this.onHeader(rec, line);
      return;
    }
    if (this.fatal) return;
    this.dataRows++;
    if (rec.length !== this.header.length) {
      this.reject(rec, line, [
        { column: 'record', reason: `expected ${this.header.length} fields, got ${rec.length}` },
      ]);
      return;
    }
    let f: string[];
    if (this.sameOrder) f = rec;
    else {
      f = new Array(DECLARATION_COLUMNS.length);
      for (let i = 0; i < f.length; i++) f[i] = rec[this.order[i]];
    }
    const errors = this.validator.check(f);
    if (errors.length > 0) {
      this.reject(rec, line, errors);
      return;
    }
    const number = f[COL.declaration_number];
    const item = this.validator.itemNumber;
    let idx = this.declIndex.get(number);
    if (idx === undefined) idx = this.newDeclaration(number, f, line);
    else if (this.checkInFile(idx, f, number, item, errors).length > 0) {
      this.reject(rec, line, errors);
      return;
    }
    this.stage(idx, line, item, f);
  }

  /** The physical line a record starts on (its last character is on `endLine`). */
  private startLine(rec: string[], endLine: number): number {
    let line = endLine;
    if (endLine !== this.lastEndLine + 1) {
      // Skipped empty lines, or line breaks inside quoted fields: count back from the end.
      let breaks = 0;
      for (let i = 0; i < rec.length; i++) {
        const v = rec[i];
        for (let p = v.indexOf('\n'); p !== -1; p = v.indexOf('\n', p + 1)) breaks++;
      }
      line = endLine - breaks;
    }
    this.lastEndLine = endLine;
    return line;
  }

  /**
   * The in-file rules for a further item of declaration `idx`: declaration-level values equal
   * to its first row's, item number not seen before. Adds the problems to `errors`.
   */
  private checkInFile(idx: number, f: string[], number: string, item: number, errors: FieldError[]): FieldError[] {
    const base = idx * NF;
    const ids = this.declFields.data;
    for (let i = 0; i < NF; i++) {
      const first = this.interners[i].values[ids[base + i]];
      const value = f[DECL_IDX[i]];
      if (first !== value) {
        errors.push({
          column: DECL_FIELDS[i],
          reason: `"${clip(value)}" differs from "${clip(first)}" on line ${this.declLine.data[idx]} (same declaration ${clip(number)})`,
        });
      }
    }
    if (!this.addItem(idx, item)) {
      errors.push({
        column: 'item_number',
        reason: `item ${item} of declaration ${clip(number)} appears more than once in the file`,
      });
    }
    return errors;
  }

  /** A valid row into the current batch: its declaration noted, its item-level part as COPY text. */
  private stage(idx: number, line: number, item: number, f: string[]): void {
    this.validRows++;
    if (this.declBatch.data[idx] !== this.batchNo) {
      this.declBatch.data[idx] = this.batchNo;
      this.batchDecls.push(idx);
    }
    this.store.add(
      line,
      idx,
      item,
      `${f[COL.hs_code]}\t${copyValue(f[COL.description])}\t${copyValue(f[COL.origin_country])}\t${f[COL.partner_country]}\t${copyValue(f[COL.transport_mode])}\t${f[COL.net_weight_kg]}\t${f[COL.gross_weight_kg]}\t${copyValue(f[COL.supplementary_quantity])}\t${copyValue(f[COL.supplementary_unit])}\t${copyValue(f[COL.invoice_value])}\t${copyValue(f[COL.invoice_currency])}\t${f[COL.customs_value_azn]}\t${f[COL.statistical_value_usd]}\t${FLAG_LITERALS[flagMask(this.validator.flags)]}\n`,
    );
  }

  /** Valid rows since the last cutBatch. */
  get batchRows(): number {
    return this.store.count;
  }

  /** Whether rejected rows are rendered as CSV. */
  get collectsRejects(): boolean {
    return this.opts.collectRejects;
  }

  /** Appends a row rejected later (by the database checks) to the rejects CSV. */
  rejectRow(rec: string[], error: string): void {
    if (this.opts.collectRejects) this.rejects += reportCsvLine([...rec, error]);
  }

  /** Records an error found later (in the database) for a row already accepted here. */
  addError(line: number, column: string, reason: string): void {
    this.errorCount++;
    if (this.errors.length < this.opts.maxErrors)
      this.errors.push({ line, text: `line ${line}: ${column}: ${reason}` });
  }

  /** Column positions in the file, in DECLARATION_COLUMNS order. */
  get columnOrder(): ReadonlyArray<number> {
    return this.order;
  }

  /**
   * Hands out what was staged since the previous call: the COPY data of the valid rows, the
   * declarations those rows belong to and their declarants.
   */
  cutBatch(): SinkBatch {
    const ids = this.declFields.data;
    const decls: DeclRow[] = [];
    const identSeen = new Set<number>();
    const idents: IdentEntry[] = [];
    for (const idx of this.batchDecls) {
      const fields = new Array<string>(NF);
      for (let i = 0; i < NF; i++) fields[i] = this.interners[i].values[ids[idx * NF + i]];
      const identIdx = this.declIdent.data[idx];
      decls.push({
        idx,
        number: this.numbers[idx],
        line: this.declLine.data[idx],
        identIdx,
        fields,
        flags: DECL_FLAG_LITERALS[this.declFlags.data[idx]],
      });
      if (!identSeen.has(identIdx)) {
        identSeen.add(identIdx);
        idents.push(this.identList[identIdx]);
      }
    }
    const batch = { rows: this.store, decls, idents };
    this.store = new RowStore();
    this.batchNo++;
    this.batchDecls = [];
    return batch;
  }

  private newDeclaration(number: string, f: ReadonlyArray<string>, line: number): number {
    const idx = this.declCount++;
    this.declIndex.set(number, idx);
    this.numbers.push(number);
    this.declFields.ensure((idx + 1) * NF);
    for (const col of [this.declLine, this.declIdent, this.declMask, this.declFlags, this.declBatch])
      col.ensure(idx + 1);
    const ids = this.declFields.data;
    for (let i = 0; i < NF; i++) ids[idx * NF + i] = this.interners[i].id(f[DECL_IDX[i]]);
    this.declLine.data[idx] = line;
    this.declIdent.data[idx] = this.identFor(f, line);
    const flags = this.validator.flags;
    this.declFlags.data[idx] = (flags.includes('customs_post') ? 1 : 0) | (flags.includes('procedure') ? 2 : 0);
    this.declMask.data[idx] = 0;
    this.addItem(idx, this.validator.itemNumber);
    return idx;
  }

  /** Marks an item number as seen; false when it already was. */
  private addItem(idx: number, item: number): boolean {
    if (item <= MASK_ITEMS) {
      const bit = 1 << item;
      const mask = this.declMask.data[idx];
      if (mask & bit) return false;
      this.declMask.data[idx] = mask | bit;
      return true;
    }
    const key = `${idx}/${item}`;
    if (this.bigItems.has(key)) return false;
    this.bigItems.add(key);
    return true;
  }

  private onHeader(rec: string[], line: number): void {
    this.header = rec;
    const { problems, order } = checkHeader(rec);
    if (problems.length > 0) {
      this.fatal = { line, text: `line ${line}: header: ${problems.join('; ')}` };
      return;
    }
    this.order = order;
    this.sameOrder = order.every((p, i) => p === i);
  }

  private identFor(f: ReadonlyArray<string>, line: number): number {
    const voen = f[COL.declarant_voen];
    const fin = f[COL.declarant_fin];
    const gooen = f[COL.declarant_gooen];
    const key = `${voen}\u0001${fin}\u0001${gooen}`;
    let idx = this.identIndex.get(key);
    if (idx === undefined) {
      idx = this.identList.length;
      this.identList.push({ idx, voen, fin, gooen, name: f[COL.declarant_name], line });
      this.identIndex.set(key, idx);
    }
    return idx;
  }

  private reject(rec: string[], line: number, errors: FieldError[]): void {
    this.rejectedRows++;
    for (const e of errors) this.addError(line, e.column, e.reason);
    if (this.opts.collectRejects) {
      this.rejects += reportCsvLine([...rec, errors.map((e) => `${e.column}: ${e.reason}`).join('; ')]);
    }
  }
}

/** Unknown-reference flags as a bit mask (bit i = UNKNOWN_REFERENCE_FLAGS[i]). */
function flagMask(flags: ReadonlyArray<UnknownReferenceFlag>): number {
  let m = 0;
  for (const f of flags) m |= FLAG_BITS[f];
  return m;
}
const FLAG_BITS = Object.fromEntries(UNKNOWN_REFERENCE_FLAGS.map((f, i) => [f, 1 << i])) as Record<
  UnknownReferenceFlag,
  number
>;

/** COPY literal of unknown_reference for each flag mask. */
const FLAG_LITERALS = Array.from(
  { length: 1 << UNKNOWN_REFERENCE_FLAGS.length },
  (_, m) => `{${UNKNOWN_REFERENCE_FLAGS.filter((__, i) => m & (1 << i)).join(',')}}`,
);

function clip(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}
