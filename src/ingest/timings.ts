/** Step durations for ImportOptions.onStep (benchmarks, diagnostics); nothing when no one listens. */
export type StepListener = (step: string, ms: number) => void;

export class Timings {
  constructor(private readonly onStep?: StepListener) {}

  /** A start mark for `end`. */
  start(): number {
    return performance.now();
  }

  /** Reports the time since `start` under `step`. */
  end(step: string, start: number): void {
    this.onStep?.(step, performance.now() - start);
  }

  /** Runs `work` and reports its duration under `step` once it has succeeded. */
  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const result = await work();
    this.onStep?.(step, performance.now() - t);
    return result;
  }
}
