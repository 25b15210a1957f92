import { expect } from 'chai';
import { testDb } from '../support/db';

describe('entities and migrations', () => {
  it('describe the same schema: TypeORM would change nothing in the migrated database', async () => {
    const sql = await testDb().ds.driver.createSchemaBuilder().log();
    const up = sql.upQueries.map((q) => q.query);
    expect(up, up.join('\n')).to.deep.equal([]);
  });
});
