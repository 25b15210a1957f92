/**
 * Where an export's bytes go: a Sink in front of the HTTP response that hashes and counts every byte
 * handed to the socket (the SHA-256 the audit records and the Content-Digest trailer carry), waits
 * for the socket to drain (backpressure: constant memory however slow the client), and gives up
 * when the client went away or stalls. The format writers (CSV, XLSX) write rows into it.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvHeader, csvRecord, xlsxCell, type CellValue, type Column } from './cells';

/** Why an export stopped before its end on the client's side (the audit record's error code). */
export class ClientGoneError extends Error {
  constructor(readonly code: 'CLIENT_DISCONNECTED' | 'CLIENT_STALLED') {
    super(code === 'CLIENT_DISCONNECTED' ? 'the client closed the connection' : 'the client stopped reading');
    this.name = 'ClientGoneError';
  }
}

/** What a Sink writes to: the HTTP response. */
export interface ByteTarget {
  write(chunk: Buffer): boolean;
  once(event: 'drain' | 'close', fn: () => void): unknown;
  off(event: 'drain' | 'close', fn: () => void): unknown;
  readonly destroyed: boolean;
}

export class Sink {
  private readonly hash = crypto.createHash('sha256');
  bytes = 0;
  private gone: ClientGoneError | null = null;
  private rejectFailed!: (e: ClientGoneError) => void;
  /** Rejects once the client is gone (for waits that do not go through write()). */
  readonly failed: Promise<never> = new Promise<never>((_, reject) => {
    this.rejectFailed = reject;
  });

  constructor(
    private readonly target: ByteTarget,
    private readonly stallMs: number,
  ) {
    this.failed.catch(() => undefined);
  }

  /** The client is gone: every later write fails with this. */
  fail(e: ClientGoneError): void {
    if (this.gone) return;
    this.gone = e;
    this.rejectFailed(e);
  }

  get failure(): ClientGoneError | null {
    return this.gone;
  }

  /** Throws when the client is gone. */
  check(): void {
    if (this.gone) throw this.gone;
  }

  /** Hashes and sends `chunk`; resolves when the socket can take more. */
  async write(chunk: Buffer): Promise<void> {
    if (this.gone) throw this.gone;
    if (this.target.destroyed) {
      const e = new ClientGoneError('CLIENT_DISCONNECTED');
      this.fail(e);
      throw e;
    }
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.target.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: ClientGoneError) => {
        clearTimeout(timer);
        this.target.off('drain', onDrain);
        this.target.off('close', onClose);
        if (e) {
          this.fail(e);
          reject(e);
        } else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new ClientGoneError('CLIENT_DISCONNECTED'));
      const timer = setTimeout(() => done(new ClientGoneError('CLIENT_STALLED')), this.stallMs);
      this.target.once('drain', onDrain);
      this.target.once('close', onClose);
    });
  }

  /** SHA-256 of every byte written so far. */
  digest(): Buffer {
    return this.hash.copy().digest();
  }
}

export interface RowWriter {
  /** Writes one row; resolves when more may be written. */
  row(values: readonly CellValue[]): Promise<void>;
  /** Ends the file (flushes everything through the sink). */
  end(): Promise<void>;
}

/** CSV text collected before it is handed to the sink (fewer, larger socket writes). */
const CSV_CHUNK = 64 * 1024;

/** CSV, UTF-8 (optionally with a BOM for Excel), RFC 4180 with CRLF, a header row. */
export async function csvWriter(sink: Sink, columns: readonly Column[], bom: boolean): Promise<RowWriter> {
  let pending = (bom ? '\ufeff' : '') + csvHeader(columns);
  const flush = async () => {
    if (pending === '') return;
    const chunk = Buffer.from(pending, 'utf8');
    pending = '';
    await sink.write(chunk);
  };
  return {
    async row(values) {
      pending += csvRecord(columns, values);
      if (pending.length >= CSV_CHUNK) await flush();
    },
    end: flush,
  };
}

/**
 * XLSX from exceljs's streaming WorkbookWriter: rows are committed as they come and the zip is
 * written through the sink. Every buffer in between is bounded: the writer waits for the zip to
 * take the sheet's pending XML before it accepts more rows.
 */
export async function xlsxWriter(sink: Sink, columns: readonly Column[], sheetName: string): Promise<RowWriter> {
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      sink.write(chunk).then(() => cb(), cb);
    },
  });
  out.on('error', () => undefined);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(columns.map((c) => c.name)).commit();
  let sinceCheck = 0;
  // The sheet's XML waiting for the zip (exceljs's StreamBuf, 64 KB buffers): kept to a few MB.
  const pendingSheetBuffers = () =>
    ((ws as unknown as { stream?: { buffers?: unknown[] } }).stream?.buffers?.length ?? 0) as number;
  return {
    async row(values) {
      sink.check();
      ws.addRow(columns.map((c, i) => xlsxCell(c.kind, values[i]))).commit();
      if (++sinceCheck < 500) return;
      sinceCheck = 0;
      while (pendingSheetBuffers() > 32) {
        sink.check();
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    async end() {
      ws.commit();
      // A client gone mid-file leaves the zip waiting for a socket that will never drain.
      await Promise.race([wb.commit(), sink.failed]);
    },
  };
}
