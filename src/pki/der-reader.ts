/**
 * A minimal, strict DER reader (X.690 DER subset): single-byte tags only, definite minimal lengths only, every
 * length bounds-checked against its enclosing element. Used by the CMS parser to locate the pieces the
 * validators need without building a PKI.js object tree. Throws DerError (never reads outside `buf`).
 */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
  CTX0: 0xa0, // [0] constructed
  CTX1: 0xa1, // [1] constructed
  CTX0_PRIM: 0x80, // [0] primitive
} as const;

/** One element: bytes [start, end) with its content at [valueStart, end). */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Reads the TLV header at `pos`; the element must end at or before `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (limit > buf.length) throw new DerError('element exceeds the buffer');
  if (pos + 2 > limit) throw new DerError('truncated element header');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let p = pos + 1;
  const first = buf[p++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError('length field too long');
    if (p + n > limit) throw new DerError('truncated length');
    if (buf[p] === 0) throw new DerError('non-minimal length encoding');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80) throw new DerError('non-minimal length encoding');
  }
  const end = p + len;
  if (end > limit) throw new DerError('element length exceeds its container');
  return { tag, start: pos, valueStart: p, end };
}

/** Iterates the children of a constructed element (or of a whole buffer range). */
export class DerReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new DerError('bad range');
    this.pos = start;
  }

  static inside(buf: Uint8Array, tlv: Tlv): DerReader {
    return new DerReader(buf, tlv.valueStart, tlv.end);
  }

  hasMore(): boolean {
    return this.pos < this.end;
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  /** The next element; with `tag`, it must carry exactly that tag. */
  next(what: string, tag?: number): Tlv {
    if (this.pos >= this.end) throw new DerError(`${what} is missing`);
    const tlv = readTlv(this.buf, this.pos, this.end);
    if (tag !== undefined && tlv.tag !== tag) {
      throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
    }
    this.pos = tlv.end;
    return tlv;
  }

  /** The next element if it carries `tag`, else undefined (nothing consumed). */
  optional(what: string, tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.next(what, tag) : undefined;
  }

  /** Requires that every byte of the range has been consumed. */
  done(what: string): void {
    if (this.pos !== this.end) throw new DerError(`${what}: unexpected trailing data`);
  }
}

/** Checks that [start, end) is a sequence of well-formed DER elements, recursively into constructed ones. */
export function checkWellFormed(buf: Uint8Array, start: number, end: number, depth = 0): void {
  if (depth > 32) throw new DerError('nesting too deep');
  const r = new DerReader(buf, start, end);
  while (r.hasMore()) {
    const t = r.next('element');
    if (t.tag & 0x20) checkWellFormed(buf, t.valueStart, t.end, depth + 1);
  }
}

export function value(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.valueStart, tlv.end - tlv.valueStart);
}

export function whole(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.start, tlv.end - tlv.start);
}

/** Dotted form of a DER OBJECT IDENTIFIER's content (minimal base-128 subidentifiers required). */
export function decodeOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) throw new DerError('not an OBJECT IDENTIFIER');
  if (tlv.end === tlv.valueStart) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: string[] = [];
  let acc = 0n;
  let inSub = false;
  let small = 0;
  let useBig = false;
  for (let i = tlv.valueStart; i < tlv.end; i++) {
    const b = buf[i]!;
    if (!inSub && b === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER subidentifier');
    inSub = true;
    if (useBig) acc = (acc << 7n) | BigInt(b & 0x7f);
    else {
      small = small * 128 + (b & 0x7f);
      if (small > 2 ** 45) {
        useBig = true;
        acc = BigInt(small);
      }
    }
    if ((b & 0x80) === 0) {
      const v = useBig ? acc : BigInt(small);
      if (parts.length === 0) {
        if (v < 40n) parts.push('0', v.toString());
        else if (v < 80n) parts.push('1', (v - 40n).toString());
        else parts.push('2', (v - 80n).toString());
      } else parts.push(v.toString());
      acc = 0n;
      small = 0;
      useBig = false;
      inSub = false;
    }
  }
  if (inSub) throw new DerError('truncated OBJECT IDENTIFIER');
  return parts.join('.');
}
