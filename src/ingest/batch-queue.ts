/**
 * Batches go to the database one after another while parsing continues (the parser and the
 * database each keep a core busy). At most MAX_QUEUED_BATCHES wait, so memory stays bounded
 * when the database is the slower side. After the first failure later batches are skipped and
 * the failure is thrown to whoever submits or drains next.
 */
import type { SinkBatch } from './row-sink';

/** Batches parsed ahead of the database at most. */
export const MAX_QUEUED_BATCHES = 2;

export class BatchQueue {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private error: Error | undefined;

  constructor(private readonly load: (batch: SinkBatch) => Promise<void>) {}

  /** Queues a batch; waits while too many are queued. Throws an earlier batch's failure. */
  async submit(batch: SinkBatch): Promise<void> {
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.error === undefined) await this.load(batch);
      } catch (e) {
        this.error = e instanceof Error ? e : new Error(String(e));
      } finally {
        this.queued--;
      }
    });
    while (this.queued > MAX_QUEUED_BATCHES && this.error === undefined) await this.tail;
    if (this.error !== undefined) throw this.error;
  }

  /** Waits for every queued batch; throws the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    if (this.error !== undefined) throw this.error;
  }

  /** Waits for the batch still running on the connection, whatever its outcome (before a ROLLBACK). */
  async settle(): Promise<void> {
    await this.tail.catch(() => undefined);
  }
}
