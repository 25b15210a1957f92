/**
 * One database connection at a time per operation. An operation's resolvers (aliases, loaders) may
 * call RequestDb.run concurrently; here they queue within their own operation, so a participant
 * holds at most as many connections of the main pool as it has operations admitted
 * (RATE_CONCURRENT_OPERATIONS, src/limits/fair-share.ts), whatever each operation asks for: 38
 * aliased statistics no longer take the whole pool. The operation is known through an
 * AsyncLocalStorage scope the HTTP layer opens around each GraphQL request (inOperationScope).
 * Work outside a request (the importer, the CLIs) and a run nested in another run are not queued.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RequestDb } from '../db/tenant';

interface Scope {
  /** Runs of this operation waiting for the connection. */
  readonly queue: (() => void)[];
  busy: boolean;
}

const operations = new AsyncLocalStorage<Scope>();
/** Set inside a run: a run nested in it (a loader called from within) goes straight through. */
const insideRun = new AsyncLocalStorage<true>();

/** Runs `fn` (one GraphQL request) as one operation of the gate. */
export function inOperationScope<T>(fn: () => T): T {
  return operations.run({ queue: [], busy: false }, fn);
}

export class OperationGatedDb extends RequestDb {
  protected override async admitted<T>(fn: () => Promise<T>): Promise<T> {
    const scope = operations.getStore();
    if (!scope || insideRun.getStore()) return fn();
    if (scope.busy) await new Promise<void>((resolve) => scope.queue.push(resolve));
    else scope.busy = true;
    try {
      return await insideRun.run(true, fn);
    } finally {
      const next = scope.queue.shift();
      if (next) next();
      else scope.busy = false;
    }
  }
}
