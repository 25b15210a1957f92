/**
 * The application's services, built once per process and shared by every request. Resolvers
 * reach them through the GraphQL context; nothing here knows about GraphQL.
 */
import type { DataSource } from 'typeorm';
import { SessionService } from './auth/session.service';
import type { AppConfig } from './config';
import { RequestDb } from './db/tenant';
import { systemClock, type Clock } from './shared/clock';

export interface Services {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly ds: DataSource;
  /** Request-scoped queries under the request role and row-level security. */
  readonly db: RequestDb;
  readonly sessions: SessionService;
}

export function createServices(config: AppConfig, ds: DataSource, clock: Clock = systemClock): Services {
  const db = new RequestDb(ds, config.db.appRole);
  return {
    config,
    clock,
    ds,
    db,
    sessions: new SessionService(db, clock, config.session),
  };
}
