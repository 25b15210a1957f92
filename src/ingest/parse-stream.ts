/**
 * The source side of an import: the input (a path or a stream) read through csv-parse with
 * back-pressure, each record handed synchronously to the RowSink. A CSV syntax error, a bad
 * header or an empty file rejects the file as a whole.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Parser } from 'csv-parse';
import { ImportRejectedError } from './errors';
import type { RowSink } from './row-sink';

/** csv-parse's stream parser, with each record handed synchronously to a callback. */
class RecordParser extends Parser {
  constructor(private readonly onRecord: (rec: string[], endLine: number) => void) {
    super({ bom: true, relax_column_count: true, skip_empty_lines: true });
  }

  // Records arrive here from csv-parse's transform while `info.lines` is the line the record
  // ended on; handling them in place avoids an object-mode stream hop per record.
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    this.onRecord(chunk as string[], this.info.lines);
    return true;
  }
}

export interface ImportSource {
  stream: Readable;
  /** File size when the input is a path. */
  totalBytes?: number;
  /** Closes a file the importer opened (a caller's stream is left alone); may be called again. */
  close(): void;
}

export async function openSource(input: Readable | string): Promise<ImportSource> {
  if (typeof input !== 'string') return { stream: input, close: () => undefined };
  const totalBytes = (await fs.promises.stat(input)).size;
  const stream = fs.createReadStream(input, { highWaterMark: 1 << 20 });
  return { stream, totalBytes, close: () => stream.destroy() };
}

/**
 * Feeds the whole source to the sink. After each chunk `afterChunk` gets the bytes read so far
 * (to cut batches, flush rejects, report progress, notice an interruption); its promise holds
 * the reading back. Stops early at a CSV syntax error or a bad header, then throws
 * ImportRejectedError, as for an empty file.
 */
export async function parseSource(
  source: ImportSource,
  sink: RowSink,
  afterChunk: (bytesRead: number) => Promise<void>,
): Promise<void> {
  const parser = new RecordParser((rec, endLine) => sink.record(rec, endLine));
  let parseError: Error | undefined;
  parser.on('error', (e) => {
    parseError = e;
  });
  let bytesRead = 0;
  for await (const chunk of source.stream) {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
    if (!parser.write(chunk)) {
      // Rejects (instead of hanging) when the parser fails before draining.
      await once(parser, 'drain').catch((e) => {
        parseError ??= e;
      });
    }
    if (parseError || sink.fatal) break;
    await afterChunk(bytesRead);
  }
  if (!parseError && !sink.fatal) {
    parser.end();
    await finished(parser, { readable: false }).catch((e) => {
      parseError ??= e;
    });
  }
  source.close();
  if (parseError) throw new ImportRejectedError([`line ${parser.info.lines}: csv: ${parseError.message}`], 1, 0);
  if (sink.fatal) throw new ImportRejectedError([sink.fatal.text], 1, 0);
  if (sink.header === undefined) throw new ImportRejectedError(['line 1: header: the file is empty'], 1, 0);
}
