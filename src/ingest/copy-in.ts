/**
 * Writing to streams with back-pressure, and COPY … FROM STDIN through pg-copy-streams: the
 * importer's bulk path into PostgreSQL (staging tables and the declaration tables alike).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Size of the text pieces handed to a stream (~1 MiB of UTF-16 code units). */
export const FLUSH_CHARS = 1 << 20;

/** Writes text and, when the stream's buffer is full, waits for it to drain (or fail). */
export async function writeWithBackpressure(stream: Writable, text: string | Buffer): Promise<void> {
  if (text.length === 0) return;
  if (stream.write(text)) return;
  await Promise.race([
    once(stream, 'drain'),
    once(stream, 'error').then(([e]) => {
      throw e;
    }),
  ]);
}

/** Writes to a COPY FROM STDIN stream and waits for PostgreSQL to confirm. */
export async function copyIn(
  client: PoolClient,
  sql: string,
  produce: (w: (text: string | Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const stream = client.query(copyFrom(sql));
  const done = finished(stream);
  done.catch(() => undefined);
  try {
    await produce((text) => writeWithBackpressure(stream, text));
    stream.end();
  } catch (e) {
    stream.destroy(e as Error);
    await done.catch(() => undefined);
    throw e;
  }
  await done;
}

/** COPYs ready-made chunks of COPY text. */
export async function copyChunks(
  client: PoolClient,
  sql: string,
  chunks: ReadonlyArray<string | Buffer>,
): Promise<void> {
  await copyIn(client, sql, async (put) => {
    for (const c of chunks) await put(c);
  });
}

/** COPY text of many records in ~1 MiB strings. */
export function textChunks<T>(items: ReadonlyArray<T>, line: (item: T) => string): string[] {
  const chunks: string[] = [];
  let text = '';
  for (const it of items) {
    text += line(it);
    if (text.length >= FLUSH_CHARS) {
      chunks.push(text);
      text = '';
    }
  }
  if (text.length > 0) chunks.push(text);
  return chunks;
}
