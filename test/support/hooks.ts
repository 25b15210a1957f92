import { setupTestDb, teardownTestDb } from './db';
import { stopTestServer } from './server';

/** Root hooks: one database (and at most one HTTP server) for the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120000);
    await setupTestDb();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60000);
    await stopTestServer();
    await teardownTestDb();
  },
};
