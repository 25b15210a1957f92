/** ImportOptions.onProgress: where the import is, from the bytes read and the sink's counts. */
import type { ImportProgress } from './options';
import type { RowSink } from './row-sink';

export class ProgressReporter {
  bytesRead = 0;

  constructor(
    private readonly sink: RowSink,
    private readonly totalBytes: number | undefined,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {}

  report(phase: ImportProgress['phase']): void {
    const { sink, bytesRead, totalBytes } = this;
    this.onProgress?.({ phase, bytesRead, totalBytes, rows: sink.dataRows, rejected: sink.rejectedRows });
  }
}
