/**
 * The rejects file of skip-invalid mode: the file's header plus an `error` column, then every
 * rejected row, as RowSink renders them (formula-like cells neutralised, src/shared/csv-cell.ts).
 * Written in ~1 MiB pieces while parsing; removed when the import fails as a whole.
 */
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { reportCsvLine } from '../shared/csv-cell';
import { FLUSH_CHARS, writeWithBackpressure } from './copy-in';
import type { RowSink } from './row-sink';

export class RejectsFile {
  private headerWritten = false;

  private constructor(
    readonly path: string,
    private readonly stream: fs.WriteStream,
  ) {}

  static open(path: string): RejectsFile {
    const stream = fs.createWriteStream(path);
    // A write error surfaces in writeWithBackpressure; unhandled, it would crash the process.
    stream.on('error', () => undefined);
    return new RejectsFile(path, stream);
  }

  /** Writes the sink's pending rejects once there are enough of them. */
  async flushSome(sink: RowSink): Promise<void> {
    if (sink.rejects.length >= FLUSH_CHARS) await this.flush(sink);
  }

  /** Writes the sink's pending rejects (after the header, the first time there is one). */
  async flush(sink: RowSink): Promise<void> {
    if (!this.headerWritten && sink.header) {
      this.headerWritten = true;
      sink.rejects = reportCsvLine([...sink.header, 'error']) + sink.rejects;
    }
    const text = sink.rejects;
    sink.rejects = '';
    await writeWithBackpressure(this.stream, text);
  }

  /** Closes the file; `discard` removes it (nothing was imported, so it would describe nothing). */
  async close(discard: boolean): Promise<void> {
    this.stream.end();
    await finished(this.stream).catch(() => undefined);
    if (discard) await fs.promises.rm(this.path, { force: true });
  }
}

/** The rejects file of an import: skip-invalid mode only; by default `<input>.rejects.csv` for a path input. */
export function rejectsPathFor(
  input: unknown,
  opts: { skipInvalid?: boolean; rejectsPath?: string },
): string | undefined {
  if (!(opts.skipInvalid ?? false)) return undefined;
  return opts.rejectsPath ?? (typeof input === 'string' ? `${input}.rejects.csv` : undefined);
}
