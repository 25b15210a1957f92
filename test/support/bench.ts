/** The HTTP load bench (bench/http.bench.ts) as the bench specs run it: short, small, its log kept. */
import { expect } from 'chai';
import { runHttpBench, type HttpBenchOptions, type HttpCaseResult } from '../../bench/http.bench';
import { testDb } from './db';

export interface ShortBench {
  /** The results of the cases run, in the order run. */
  readonly results: HttpCaseResult[];
  /** What the bench printed. */
  readonly lines: string[];
  /** The result of case `name`, failing the test with the bench's log when it is missing. */
  byName(name: string): HttpCaseResult;
}

/**
 * Runs `opts.cases` for about a second a measurement (one second of warm-up, 4 connections) over the
 * test database with small data sets (300/600 items, a 40-item neighbour); `opts` adds or overrides.
 */
export async function runShortHttpBench(opts: Partial<HttpBenchOptions> & { cases: string[] }): Promise<ShortBench> {
  const lines: string[] = [];
  const results = await runHttpBench({
    seconds: 1,
    warmupSeconds: 1,
    connections: 4,
    smallItems: 300,
    midItems: 600,
    neighbourItems: 40,
    database: { url: testDb().url },
    log: (l) => lines.push(l),
    ...opts,
  });
  return {
    results,
    lines,
    byName(name) {
      const r = results.find((x) => x.name === name);
      expect(r, `case ${name} in ${lines.join('\n')}`).to.not.equal(undefined);
      return r!;
    },
  };
}
