/**
 * Compact per-batch storage of validated rows, and rendering of the final COPY lines.
 *
 * A row's item-level part (hs_code … unknown_reference, already in COPY text format) is encoded
 * straight into one growing buffer; line, declaration and item number go to typed arrays. Once
 * the database has assigned the keys, each row is rendered as
 *   participant_id, declaration_id, item_number, <declaration-level columns>, <item-level part>
 * by copying bytes, in primary-key order. No per-row JavaScript strings survive the parse, so
 * garbage collection stays cheap.
 */

function grow(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  let size = a.length * 2;
  while (size < min) size *= 2;
  const next = new Int32Array(size);
  next.set(a);
  return next;
}

export class RowStore {
  count = 0;
  lines: Int32Array<ArrayBuffer> = new Int32Array(1024);
  decls: Int32Array<ArrayBuffer> = new Int32Array(1024);
  items: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** End offset of each row's item-level part in `buf` (it starts where the previous one ends). */
  ends: Int32Array<ArrayBuffer> = new Int32Array(1024);
  buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;

  add(line: number, decl: number, item: number, rest: string): void {
    const i = this.count;
    if (i === this.lines.length) {
      this.lines = grow(this.lines, i + 1);
      this.decls = grow(this.decls, i + 1);
      this.items = grow(this.items, i + 1);
      this.ends = grow(this.ends, i + 1);
    }
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    if (this.pos + rest.length * 3 > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + rest.length * 3) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    this.pos += this.buf.write(rest, this.pos);
    this.lines[i] = line;
    this.decls[i] = decl;
    this.items[i] = item;
    this.ends[i] = this.pos;
    this.count = i + 1;
  }

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1];
  }

  /** The item-level part of row i as text (for the rejects file). */
  rest(i: number): string {
    return this.buf.toString('utf8', this.start(i), this.ends[i]);
  }
}

const CHUNK = 1 << 20;

/** Builds COPY data in ~1 MiB buffers. */
export class LineWriter {
  readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.pos = 0;
  }

  bytes(src: Buffer, start = 0, end = src.length): void {
    this.ensure(end - start);
    src.copy(this.buf, this.pos, start, end);
    this.pos += end - start;
  }

  /** A non-negative integer in decimal. */
  int(n: number): void {
    this.ensure(16);
    if (n === 0) {
      this.buf[this.pos++] = 48;
      return;
    }
    let digits = 0;
    for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let m = n; m > 0; m = Math.floor(m / 10)) this.buf[--p] = 48 + (m % 10);
  }

  /** All data written so far; the writer is empty afterwards. */
  finish(): Buffer[] {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(0);
    this.pos = 0;
    return this.chunks.splice(0, this.chunks.length);
  }
}

const RE_COPY_ESCAPE = /[\\\t\n\r]/;
const RE_COPY_ESCAPE_G = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in PostgreSQL COPY text format; '' is NULL. */
export function copyValue(v: string): string {
  if (v === '') return '\\N';
  return RE_COPY_ESCAPE.test(v) ? v.replace(RE_COPY_ESCAPE_G, (c) => COPY_ESCAPES[c]) : v;
}

/** Inverse of COPY text escaping for one field; '\N' is ''. */
export function uncopyValue(v: string): string {
  if (v === '\\N') return '';
  return v.includes('\\')
    ? v.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c))
    : v;
}
