import { setupTestDb, teardownTestDb } from './db';

/** Root hooks: one database for the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120000);
    await setupTestDb();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60000);
    await teardownTestDb();
  },
};
