import { expect } from 'chai';
import { Client } from 'pg';
import { RequestDb, traderScope, ANONYMOUS } from '../../src/db/tenant';
import { resetData, testDb } from '../support/db';

async function insertParticipantWithDeclaration(voen: string, number: string): Promise<string> {
  const { ds } = testDb();
  const [p] = await ds.query(
    `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', $1, $2, now()) RETURNING id`,
    [`Company ${voen}`, voen],
  );
  await ds.query(
    `INSERT INTO declarations (participant_id, number, registration_date, direction, customs_post_code,
       procedure_code, declarant_name, imported_at) VALUES ($1, $2, '2024-01-10', 'IM', '10100', '40', 'x', now())`,
    [p.id, number],
  );
  return String(p.id);
}

describe('row-level security on tenant tables', () => {
  let a: string;
  let b: string;
  beforeEach(async () => {
    await resetData();
    a = await insertParticipantWithDeclaration('1000000001', 'A-1');
    b = await insertParticipantWithDeclaration('1000000002', 'B-1');
  });

  it('shows the request role no rows when the participant setting is missing', async () => {
    const { url, config } = testDb();
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL ROLE ${config.db.appRole}`);
      const r = await c.query('SELECT count(*)::int AS n FROM declarations');
      expect(r.rows[0].n).to.equal(0);
      await c.query('ROLLBACK');
      // The same query as the owner sees both rows: the policy, not an empty table, hid them.
      const all = await c.query('SELECT count(*)::int AS n FROM declarations');
      expect(all.rows[0].n).to.equal(2);
    } finally {
      await c.end();
    }
  });

  it('lets a query without a participant filter see only the bound participant', async () => {
    const { ds, config } = testDb();
    const rdb = new RequestDb(ds, config.db.appRole);
    const seenByA = await rdb.run(traderScope(a), (sql) =>
      sql.query<{ number: string }>('SELECT number FROM declarations'),
    );
    expect(seenByA.map((r) => r.number)).to.deep.equal(['A-1']);
    const seenByB = await rdb.run(traderScope(b), (sql) =>
      sql.query<{ number: string }>('SELECT number FROM declarations'),
    );
    expect(seenByB.map((r) => r.number)).to.deep.equal(['B-1']);
  });

  it('runs requests as a role that cannot bypass RLS and owns no table', async () => {
    const { ds, config } = testDb();
    const rdb = new RequestDb(ds, config.db.appRole);
    const [r] = await rdb.run(ANONYMOUS, (sql) =>
      sql.query<{ role: string; bypass: boolean; super: boolean; owned: number }>(
        `SELECT current_user AS role, rolbypassrls AS bypass, rolsuper AS super,
              (SELECT count(*)::int FROM pg_tables WHERE tableowner = current_user) AS owned
         FROM pg_roles WHERE rolname = current_user`,
      ),
    );
    expect(r).to.deep.equal({ role: config.db.appRole, bypass: false, super: false, owned: 0 });
  });

  it('refuses writes to tenant tables from the request role', async () => {
    const { ds, config } = testDb();
    const rdb = new RequestDb(ds, config.db.appRole);
    let err: unknown;
    try {
      await rdb.run(traderScope(a), (sql) => sql.query(`DELETE FROM declarations`));
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/permission denied/);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM declarations');
    expect(n).to.equal(2);
  });
});
