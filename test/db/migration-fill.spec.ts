/**
 * Migration 1764000000500 (TradeRollups) fills rollups for participants that already had 20,000
 * items when it ran, and 1764000001600 (RollupsForEveryTrader) for every other participant with
 * items. On a new database there are none, so only a database migrated with data in it exercises
 * that SQL: this spec builds one, on the test server, in a database of its own.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { Client } from 'pg';
import { MIGRATION_FILES, migrationSql } from '../../src/db/migrations';
import { testDb } from '../support/db';

const BEFORE_ROLLUPS = MIGRATION_FILES.indexOf('1764000000500-TradeRollups');

/** [grain, HS prefix length (0: none), partner country kept] as the migration defines the six grains. */
const GRAINS: [number, number, boolean][] = [
  [0, 0, false],
  [1, 0, true],
  [2, 2, false],
  [3, 2, true],
  [4, 4, false],
  [5, 4, true],
];

describe('migration TradeRollups on a database that already has items', function () {
  this.timeout(120_000);
  const name = `customs_migfill_${crypto.randomBytes(4).toString('hex')}`;
  let admin: Client;
  let c: Client;

  before(async () => {
    admin = new Client({ connectionString: testDb().url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(testDb().url);
    u.pathname = `/${name}`;
    c = new Client({ connectionString: u.toString() });
    await c.connect();
    const role = testDb().config.db.appRole;
    for (const f of MIGRATION_FILES.slice(0, BEFORE_ROLLUPS)) await c.query(migrationSql(f, role).up);
    // A participant over the 20,000-item threshold of that day and one under it.
    await c.query(`
      INSERT INTO participants (kind, name, voen, created_at) VALUES
        ('LEGAL_ENTITY', 'Big', '1000000001', now()), ('LEGAL_ENTITY', 'Small', '1000000002', now());
      INSERT INTO declarations (participant_id, number, registration_date, direction, customs_post_code,
                                procedure_code, declarant_name, imported_at)
      SELECT p.id, p.name || '-' || g, date '2024-01-01' + (g % 400), CASE WHEN g % 3 = 0 THEN 'EX' ELSE 'IM' END,
             'P' || (g % 4), lpad((40 + g % 2)::text, 2, '0'), p.name, now()
        FROM participants p, generate_series(1, 2000) g
       WHERE p.name = 'Big' OR g <= 3;
      INSERT INTO declaration_items (participant_id, declaration_id, item_number, registration_date, direction,
             customs_post_code, procedure_code, hs_code, partner_country, net_weight_kg, gross_weight_kg,
             customs_value_azn, statistical_value_usd)
      SELECT d.participant_id, d.id, n, d.registration_date, d.direction, d.customs_post_code, d.procedure_code,
             lpad(((d.id * 7 + n * 13) % 97 + 1)::text, 2, '0') || lpad(((d.id + n) % 5)::text, 2, '0') || '000000',
             (ARRAY['TR', 'RU', 'GE', 'CN'])[1 + (d.id + n) % 4], n * 1.5, n * 2.25, d.id % 1000 + n * 0.01, n * 3.33
        FROM declarations d, generate_series(1, 10) n;`);
    await c.query(migrationSql(MIGRATION_FILES[BEFORE_ROLLUPS], role).up);
  });

  after(async () => {
    await c?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it('keeps rollups for the participant over the threshold only', async () => {
    const { rows } = await c.query(
      `SELECT p.name FROM rollup_participants r JOIN participants p ON p.id = r.participant_id`,
    );
    expect(rows.map((r: { name: string }) => r.name)).to.deep.equal(['Big']);
    const { rows: small } = await c.query(
      `SELECT count(*)::int AS n FROM trade_rollups t JOIN participants p ON p.id = t.participant_id WHERE p.name = 'Small'`,
    );
    expect(small[0].n).to.equal(0);
  });

  /** Rollup rows of `who` at `grain` against that participant's items grouped the same way. */
  async function expectGrainEqualsItems(who: string, [grain, hs, country]: [number, number, boolean]) {
    const hsExpr = hs === 0 ? 'NULL::text' : `left(hs_code, ${hs})`;
    const partner = country ? 'partner_country' : 'NULL::char(2)';
    const keys = `date_trunc('month', registration_date)::date, direction, customs_post_code, procedure_code, ${hsExpr}, ${partner}`;
    const raw = await c.query(
      `
      SELECT (${keys}) AS k, count(DISTINCT declaration_id)::int AS declarations, count(*)::int AS items,
             sum(customs_value_azn)::text AS azn, sum(statistical_value_usd)::text AS usd,
             sum(net_weight_kg)::text AS net, sum(gross_weight_kg)::text AS gross
        FROM declaration_items i JOIN participants p ON p.id = i.participant_id
       WHERE p.name = $1 GROUP BY ${keys} ORDER BY 1`,
      [who],
    );
    const rolled = await c.query(
      `
      SELECT (registration_date, direction, customs_post_code, procedure_code, hs_code, partner_country) AS k,
             declaration_count AS declarations, item_count AS items, customs_value_azn::text AS azn,
             statistical_value_usd::text AS usd, net_weight_kg::text AS net, gross_weight_kg::text AS gross
        FROM trade_rollups t JOIN participants p ON p.id = t.participant_id
       WHERE grain = $1 AND p.name = $2 ORDER BY 1`,
      [grain, who],
    );
    expect(raw.rows.length, who).to.be.greaterThan(who === 'Big' ? 10 : 0);
    expect(rolled.rows, who).to.deep.equal(raw.rows);
  }

  const grainName = ([grain, hs, country]: [number, number, boolean]) =>
    `grain ${grain} (HS ${hs || 'none'}${country ? ', partner country' : ''})`;

  for (const g of GRAINS) {
    it(`${grainName(g)} equals the items grouped the same way`, () => expectGrainEqualsItems('Big', g));
  }

  describe('then RollupsForEveryTrader (every trader gets rollups, issue 9)', () => {
    const NEXT = MIGRATION_FILES.indexOf('1764000001600-RollupsForEveryTrader');
    let bigRowsBefore: unknown[];

    before(async () => {
      bigRowsBefore = (
        await c.query(`SELECT t.* FROM trade_rollups t ORDER BY t.grain, t.registration_date, t.direction,
        t.customs_post_code, t.procedure_code, t.hs_code NULLS FIRST, t.partner_country NULLS FIRST`)
      ).rows;
      const role = testDb().config.db.appRole;
      for (const f of MIGRATION_FILES.slice(BEFORE_ROLLUPS + 1, NEXT + 1)) await c.query(migrationSql(f, role).up);
    });

    it('lists the participant under the old threshold too, each participant once', async () => {
      const { rows } = await c.query(
        `SELECT p.name FROM rollup_participants r JOIN participants p ON p.id = r.participant_id ORDER BY p.name`,
      );
      expect(rows.map((r: { name: string }) => r.name)).to.deep.equal(['Big', 'Small']);
    });

    it('leaves the rollups of a participant already listed as they were', async () => {
      const { rows } = await c.query(`SELECT t.* FROM trade_rollups t JOIN participants p ON p.id = t.participant_id
        WHERE p.name = 'Big' ORDER BY t.grain, t.registration_date, t.direction, t.customs_post_code, t.procedure_code,
        t.hs_code NULLS FIRST, t.partner_country NULLS FIRST`);
      expect(rows).to.deep.equal(bigRowsBefore);
    });

    for (const g of GRAINS) {
      it(`${grainName(g)} of the newly listed participant equals its items`, () => expectGrainEqualsItems('Small', g));
    }
  });
});
