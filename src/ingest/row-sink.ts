/**
 * The synchronous per-record half of the importer: checks the header, validates each row,
 * enforces the in-file rules (declaration-level fields identical on every item of a
 * declaration, no duplicate item numbers), and renders valid rows as COPY text for the staging
 * table and invalid ones as rejects-file CSV. Holds one small entry per declaration and per
 * declarant identity; item rows are not kept.
 */
import { COL, DECLARATION_COLUMNS, type DeclarationColumn, csvLine } from './columns';
import { RowValidator, checkHeader, type FieldError, type ReferenceSets } from './validate';

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

/** Declaration-level columns: identical on every item of one declaration within a file. */
export const DECL_FIELDS: ReadonlyArray<DeclarationColumn> = [
  'registration_date', 'direction', 'declarant_voen', 'declarant_fin', 'declarant_gooen', 'declarant_name',
  'customs_post_code', 'procedure_code',
];
const DECL_IDX = DECL_FIELDS.map((c) => COL[c]);
const NF = DECL_FIELDS.length;
/** Item numbers up to this are tracked in a per-declaration bit mask; larger ones in a Set. */
const MASK_ITEMS = 30;
const OUT_BUFFER = 1 << 20;
const DECL_FLAG_LITERALS = ['{}', '{customs_post}', '{procedure}', '{customs_post,procedure}'];

const RE_COPY_ESCAPE = /[\\\t\n\r]/;
const RE_COPY_ESCAPE_G = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in PostgreSQL COPY text format; '' is NULL. */
export function copyValue(v: string): string {
  if (v === '') return '\\N';
  return RE_COPY_ESCAPE.test(v) ? v.replace(RE_COPY_ESCAPE_G, (c) => COPY_ESCAPES[c]) : v;
}

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
  // COPY text is encoded straight into buffers: a long-lived string of many rows would be
  // promoted out of the young generation and make garbage collection dominate.
  private out = Buffer.allocUnsafe(OUT_BUFFER);
  private outPos = 0;
  private readonly filled: Buffer[] = [];
  private order: number[] = [];
  private sameOrder = true;
  private lastEndLine = 0;
  private readonly flagLiterals = new Map<string, string>();

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

  constructor(ref: ReferenceSets, private readonly opts: RowSinkOptions) {
    this.validator = new RowValidator(ref);
  }

  get declarationCount(): number {
    return this.declCount;
  }

  /** One parsed record; `endLine` is the physical line its last character is on. */
  record(rec: string[], endLine: number): void {
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
    if (this.header === undefined) {
      this.onHeader(rec, line);
      return;
    }
    if (this.fatal) return;
    this.dataRows++;
    if (rec.length !== this.header.length) {
      this.reject(rec, line, [{ column: 'record', reason: `expected ${this.header.length} fields, got ${rec.length}` }]);
      return;
    }
    let f: string[];
    if (this.sameOrder) f = rec;
    else {
      f = new Array(DECLARATION_COLUMNS.length);
      for (let i = 0; i < f.length; i++) f[i] = rec[this.order[i]];
    }
    const v = this.validator;
    const errors = v.check(f);
    if (errors.length > 0) {
      this.reject(rec, line, errors);
      return;
    }
    const number = f[COL.declaration_number];
    const item = v.itemNumber;
    let idx = this.declIndex.get(number);
    if (idx === undefined) {
      idx = this.newDeclaration(number, f, line);
    } else {
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
        errors.push({ column: 'item_number', reason: `item ${item} of declaration ${clip(number)} appears more than once in the file` });
      }
      if (errors.length > 0) {
        this.reject(rec, line, errors);
        return;
      }
    }
    this.validRows++;
    this.emit(`${line}\t${idx}\t${item}\t${f[COL.hs_code]}\t${copyValue(f[COL.description])}\t${copyValue(f[COL.origin_country])}\t${f[COL.partner_country]}\t${copyValue(f[COL.transport_mode])}\t${f[COL.net_weight_kg]}\t${f[COL.gross_weight_kg]}\t${copyValue(f[COL.supplementary_quantity])}\t${copyValue(f[COL.supplementary_unit])}\t${copyValue(f[COL.invoice_value])}\t${copyValue(f[COL.invoice_currency])}\t${f[COL.customs_value_azn]}\t${f[COL.statistical_value_usd]}\t${this.flagLiteral(v.flags)}\n`);
  }

  /** Staging COPY data ready to send (with `all`, also the partly filled buffer). */
  takeOutput(all = false): Buffer[] {
    if (all && this.outPos > 0) {
      this.filled.push(this.out.subarray(0, this.outPos));
      this.out = Buffer.allocUnsafe(OUT_BUFFER);
      this.outPos = 0;
    }
    return this.filled.splice(0, this.filled.length);
  }

  private emit(text: string): void {
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    if (this.outPos + text.length * 3 > this.out.length) {
      if (this.outPos > 0) this.filled.push(this.out.subarray(0, this.outPos));
      this.out = Buffer.allocUnsafe(Math.max(OUT_BUFFER, text.length * 3));
      this.outPos = 0;
    }
    this.outPos += this.out.write(text, this.outPos);
  }

  /** Records an error found later (in the database) for a row already accepted here. */
  addError(line: number, column: string, reason: string): void {
    this.errorCount++;
    if (this.errors.length < this.opts.maxErrors) this.errors.push({ line, text: `line ${line}: ${column}: ${reason}` });
  }

  /** Column positions in the file, in DECLARATION_COLUMNS order. */
  get columnOrder(): ReadonlyArray<number> {
    return this.order;
  }

  /** The declarations of the file in order of first appearance. */
  *declarations(): Generator<DeclRow> {
    const ids = this.declFields.data;
    for (const [number, idx] of this.declIndex) {
      const fields = new Array<string>(NF);
      for (let i = 0; i < NF; i++) fields[i] = this.interners[i].values[ids[idx * NF + i]];
      yield {
        idx, number, line: this.declLine.data[idx], identIdx: this.declIdent.data[idx], fields,
        flags: DECL_FLAG_LITERALS[this.declFlags.data[idx]],
      };
    }
  }

  private newDeclaration(number: string, f: ReadonlyArray<string>, line: number): number {
    const idx = this.declCount++;
    this.declIndex.set(number, idx);
    this.declFields.ensure((idx + 1) * NF);
    for (const col of [this.declLine, this.declIdent, this.declMask, this.declFlags]) col.ensure(idx + 1);
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

  private flagLiteral(flags: ReadonlyArray<string>): string {
    if (flags.length === 0) return '{}';
    const key = flags.join(',');
    let lit = this.flagLiterals.get(key);
    if (lit === undefined) {
      lit = `{${key}}`;
      this.flagLiterals.set(key, lit);
    }
    return lit;
  }

  private reject(rec: string[], line: number, errors: FieldError[]): void {
    this.rejectedRows++;
    for (const e of errors) this.addError(line, e.column, e.reason);
    if (this.opts.collectRejects) {
      this.rejects += csvLine([...rec, errors.map((e) => `${e.column}: ${e.reason}`).join('; ')]);
    }
  }
}

function clip(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}
