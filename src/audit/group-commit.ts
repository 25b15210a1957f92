/**
 * Group commit: items submitted within a short window (or while the previous batch is being
 * written) are written together by one call of `write`, and each submitter's promise settles
 * when that write has finished. One batch is in flight at a time, so batches reach the database
 * in submission order.
 */
export interface GroupCommitOptions {
  /** How long the first item of a batch waits for others, in milliseconds (0: the next tick). */
  windowMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<T, R> {
  private queue: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
    private readonly onBatch?: (size: number, ms: number, error?: unknown) => void,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Settles once everything submitted so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
  }

  /**
   * Swaps a submitted item that is still waiting for a batch for `next` (its submitter's promise
   * then settles with `next`'s result). False when the item is already being written, or done.
   */
  replaceQueued(item: T, next: T): boolean {
    const p = this.queue.find((q) => q.item === item);
    if (!p) return false;
    p.item = next;
    return true;
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.inFlight) return; // the batch after the current one starts when it finishes
    if (this.queue.length >= this.opts.maxBatch) {
      this.flush();
      return;
    }
    if (!this.timer) {
      const fire = () => {
        this.timer = null;
        this.flush();
      };
      // 0: only the records submitted in the same turn of the event loop (and those arriving while
      // a batch is being written) are grouped.
      this.timer = this.opts.windowMs > 0 ? setTimeout(fire, this.opts.windowMs) : setImmediate(fire);
    }
  }

  private flush(): void {
    if (this.timer) {
      if (this.opts.windowMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    const started = performance.now();
    this.inFlight = (async () => {
      try {
        const results = await this.write(batch.map((p) => p.item));
        this.onBatch?.(batch.length, performance.now() - started);
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (e) {
        this.onBatch?.(batch.length, performance.now() - started, e);
        for (const p of batch) p.reject(e);
      }
    })().finally(() => {
      this.inFlight = null;
      // Items that arrived during the write have waited long enough: write them now.
      if (this.queue.length > 0) this.flush();
    });
  }
}
