/**
 * A `Sql` for services that run exactly one statement (tradeStatistics, the declarations list, the
 * loaders' batched look-ups): each query is a request transaction of its own sent in one round trip
 * (RequestDb.send: prelude, statement, COMMIT) instead of three (prelude; statement; COMMIT) on run().
 * Only for one statement: two queries through it would be two transactions.
 */
import type { DbScope, RequestDb, Sql } from '../db/tenant';

export function sendingSql(db: Pick<RequestDb, 'send'>, scope: DbScope): Sql {
  return { query: (text, params) => db.send(scope, text, params ?? []) };
}
