import { expect } from 'chai';
import { RequestDb, traderScope } from '../../src/db/tenant';
import { beforeFreshData, testDb } from '../support/db';
import { insertOneImport, insertParticipant } from '../support/fixtures';
import { errorCode, gql, testServer, traderToken, type GqlResult } from '../support/server';
import { auditRows, officerToken, schemaHas, type AuditRowText } from './helpers';

const ENTRY = `id sequence occurredAt requestId sessionId participantId role authMethod login clientIp userAgent operationType
  operationName rootFields documentHash variables outcome errorCodes rowsReturned responseHash httpStatus durationMs complaintId hash`;
const AUDIT_LOG = `query($f: AuditFilter, $first: Int, $after: String) { auditLog(filter: $f, first: $first, after: $after) {
  edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
const HISTORY = `query($first: Int, $after: String) { myQueryHistory(first: $first, after: $after) {
  edges { cursor node { id participantId operationName rootFields variables } } pageInfo { hasNextPage endCursor } } }`;
const STATS = `query($p: AuditPeriod!) { serviceStatistics(period: $p) { from to operations failedOperations errorRate
  latencyP50Ms latencyP95Ms operationsPerHour { hour operations failed } errorsByCode { code count rate }
  activeParticipants loginsByMethod { method attempts succeeded refused } refusedLogins } }`;

const T10 = new Date('2025-05-01T10:05:00.000Z');
const T11 = new Date('2025-05-01T11:40:00.000Z');
const T13 = new Date('2025-05-01T13:00:00.000Z');

/** Walks a whole connection with pages of `first`, returning the node ids in order. */
async function walk(
  query: string,
  vars: Record<string, unknown>,
  token: string,
  field: string,
  first: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const r: GqlResult = await gql(query, { ...vars, first, after }, token);
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const conn: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
      r.data[field];
    expect(conn.edges.length).to.be.at.most(first);
    ids.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!conn.pageInfo.hasNextPage) return ids;
    after = conn.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

/** Nearest-rank percentile, computed here independently of PostgreSQL. */
function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.ceil(p * sorted.length) - 1];
}

describe('audit control views', () => {
  let a: string;
  let b: string;
  let tokenA: string;
  let tokenB: string;
  let officer: string;
  let saved: Date;

  beforeFreshData(async () => {
    const { clock } = await testServer();
    saved = clock.now();
    a = await insertParticipant('1000000001', 'Alpha');
    b = await insertParticipant('1000000002', 'Beta');
    await insertOneImport(a, 'A-1', '2024-01-10', ['8471300000', 'CN', '1.000', '2.000', '5.00', '1.00']);
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
    officer = await officerToken();

    clock.set(T10);
    await gql('query Mine { declarations { edges { node { number } } } }', {}, tokenA);
    await gql('{ me { role } }', {}, tokenA);
    await gql('{ tradeStatistics(groupBy: [YEAR]) { truncated } }', {}, tokenB);
    await gql('{ me { role } }'); // UNAUTHENTICATED
    await gql('{ auditLog { edges { cursor } } }', {}, tokenB); // FORBIDDEN
    await gql('{ nope }', {}, tokenA); // GRAPHQL_VALIDATION_FAILED
    clock.set(T11);
    await gql('{ declaration(number: "A-1") { number } }', {}, tokenA);
    await gql('{ me { role } declaration(number: "A-1") { number } }', {}, officer); // PARTIAL, FORBIDDEN
    if (await schemaHas('login')) {
      const { services } = await testServer();
      const { password } = await services.accounts.createOfficer('officer.stats');
      await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
        u: 'officer.stats',
        p: 'bad-password-xx',
      });
      await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
        u: 'officer.stats',
        p: password,
      });
    }
    if (await schemaHas('loginWithSignature')) {
      await gql('mutation($c: ID!, $s: String!) { loginWithSignature(challengeId: $c, signature: $s) { token } }', {
        c: '999',
        s: 'AAAA',
      });
    }
    if (await schemaHas('loginWithPortalAssertion')) {
      await gql('mutation($s: String!) { loginWithPortalAssertion(assertion: $s) { token } }', { s: 'AAAA' });
    }
    clock.set(T13);
  });
  after(async () => {
    (await testServer()).clock.set(saved);
  });

  describe('auditLog (officers)', () => {
    it('refuses traders (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
      expect(errorCode(await gql(AUDIT_LOG, {}, tokenA))).to.equal('FORBIDDEN');
      expect(errorCode(await gql(AUDIT_LOG, {}))).to.equal('UNAUTHENTICATED');
      expect(
        errorCode(
          await gql(
            '{ serviceStatistics(period: { from: "2025-05-01T00:00:00Z", to: "2025-05-02T00:00:00Z" }) { operations } }',
            {},
            tokenA,
          ),
        ),
      ).to.equal('FORBIDDEN');
    });

    it('returns records newest first, and pages through them without gaps or duplicates', async () => {
      const f = { from: T10.toISOString(), to: '2025-05-01T12:00:00.000Z' };
      const expected = (await auditRows('occurred_at >= $1 AND occurred_at < $2', [f.from, f.to]))
        .map((r) => r.id)
        .reverse();
      expect(expected.length).to.be.greaterThan(8);
      expect(await walk(AUDIT_LOG, { f }, officer, 'auditLog', 3)).to.deep.equal(expected);
      expect(await walk(AUDIT_LOG, { f }, officer, 'auditLog', 500)).to.deep.equal(expected);
    });

    it('filters by participant, period, operation name, outcome, auth method and login', async () => {
      const ids = async (f: Record<string, unknown>) => {
        const r = await gql(AUDIT_LOG, { f: { to: T13.toISOString(), ...f }, first: 500 }, officer);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        return r.data.auditLog.edges.map((e: { node: { id: string } }) => e.node.id).sort();
      };
      const rows = await auditRows('occurred_at < $1', [T13]);
      const pick = (fn: (r: AuditRowText) => boolean) =>
        rows
          .filter(fn)
          .map((r) => r.id)
          .sort();
      expect(await ids({ participantId: a })).to.deep.equal(pick((r) => r.participant_id === a));
      expect(await ids({ participantId: b })).to.deep.equal(pick((r) => r.participant_id === b));
      expect(await ids({ from: T11.toISOString() })).to.deep.equal(pick((r) => r.occurred_at >= T11));
      expect(await ids({ operationName: 'declarations' })).to.deep.equal(
        pick((r) => r.root_fields.includes('declarations')),
      );
      expect(await ids({ operationName: 'Mine' })).to.deep.equal(pick((r) => r.operation_name === 'Mine'));
      expect(await ids({ outcome: 'ERROR' })).to.deep.equal(pick((r) => r.outcome === 'ERROR'));
      expect(await ids({ outcome: 'PARTIAL' })).to.have.length(1);
      expect(await ids({ authMethod: 'PASSWORD', login: false })).to.deep.equal(
        pick((r) => r.auth_method === 'PASSWORD' && !r.login),
      );
      expect(await ids({ login: true })).to.deep.equal(pick((r) => r.login));
    });

    it('returns the stored fields of a record', async () => {
      const r = await gql(AUDIT_LOG, { f: { operationName: 'Mine' }, first: 1 }, officer);
      const node = r.data.auditLog.edges[0].node;
      const [row] = await auditRows('id = $1', [node.id]);
      expect(node).to.deep.include({
        participantId: a,
        role: 'TRADER',
        authMethod: 'PASSWORD',
        login: false,
        operationType: 'query',
        operationName: 'Mine',
        rootFields: ['declarations'],
        outcome: 'SUCCESS',
        errorCodes: [],
        rowsReturned: 1,
        responseHash: row.response_hash,
        hash: row.hash,
        documentHash: row.document_hash,
        occurredAt: T10.toISOString(),
        sequence: row.seq,
        variables: '{}',
      });
      expect(node.durationMs).to.equal(Number(row.duration_us) / 1000);
    });

    it('refuses first above 500 and a cursor it did not issue (BAD_USER_INPUT)', async () => {
      expect(errorCode(await gql(AUDIT_LOG, { first: 501 }, officer))).to.equal('BAD_USER_INPUT');
      expect(errorCode(await gql(AUDIT_LOG, { after: 'bm90LWEtY3Vyc29y' }, officer))).to.equal('BAD_USER_INPUT');
    });
  });

  describe('myQueryHistory (traders)', () => {
    it("lists the trader's own records only, newest first, never another participant's", async () => {
      const mineA = (await auditRows('participant_id = $1', [a])).map((r) => r.id).reverse();
      const gotA = await walk(HISTORY, {}, tokenA, 'myQueryHistory', 2);
      // The history requests themselves are recorded after they answer: compare the prefix that existed.
      expect(gotA.slice(-mineA.length)).to.deep.equal(mineA);
      const rowsSeen = await auditRows(`id = ANY ($1::bigint[])`, [gotA]);
      expect(rowsSeen.every((r) => r.participant_id === a)).to.equal(true);
      const gotB = await walk(HISTORY, {}, tokenB, 'myQueryHistory', 500);
      expect(gotB.length).to.be.greaterThan(0);
      expect(gotB.filter((id) => gotA.includes(id))).to.deep.equal([]);
      const rowsB = await auditRows(`id = ANY ($1::bigint[])`, [gotB]);
      expect(rowsB.every((r) => r.participant_id === b)).to.equal(true);
    });

    it('is for traders only; an officer or anonymous caller is refused', async () => {
      expect(errorCode(await gql(HISTORY, {}, officer))).to.equal('FORBIDDEN');
      expect(errorCode(await gql(HISTORY, {}))).to.equal('UNAUTHENTICATED');
    });

    it("hides other participants' records from a trader's transaction even without a filter (row-level security)", async () => {
      const { ds, config } = testDb();
      const rdb = new RequestDb(ds, config.db.appRole);
      const seen = await rdb.run(traderScope(a), (sql) =>
        sql.query<{ p: string | null }>('SELECT DISTINCT participant_id::text AS p FROM audit_records'),
      );
      expect(seen.map((r) => r.p)).to.deep.equal([a]);
    });
  });

  describe('serviceStatistics (officers)', () => {
    it('gives the figures recomputed independently from the audit rows of the period', async () => {
      const from = new Date('2025-05-01T10:00:00.000Z');
      const to = new Date('2025-05-01T12:00:00.000Z');
      const r = await gql(STATS, { p: { from: from.toISOString(), to: to.toISOString() } }, officer);
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      const rows = (await auditRows()).filter((x) => x.occurred_at >= from && x.occurred_at < to);
      const failed = rows.filter((x) => x.outcome !== 'SUCCESS');
      const durations = rows.map((x) => Number(x.duration_us) / 1000).sort((p, q) => p - q);
      const hours = new Map<string, { operations: number; failed: number }>();
      for (const x of rows) {
        const h = new Date(Math.floor(x.occurred_at.getTime() / 3_600_000) * 3_600_000).toISOString();
        const e = hours.get(h) ?? { operations: 0, failed: 0 };
        e.operations += 1;
        if (x.outcome !== 'SUCCESS') e.failed += 1;
        hours.set(h, e);
      }
      const codes = new Map<string, number>();
      for (const x of rows) for (const c of x.error_codes) codes.set(c, (codes.get(c) ?? 0) + 1);
      const logins = new Map<string, { attempts: number; succeeded: number }>();
      for (const x of rows.filter((y) => y.login)) {
        const e = logins.get(x.auth_method!) ?? { attempts: 0, succeeded: 0 };
        e.attempts += 1;
        if (x.outcome === 'SUCCESS') e.succeeded += 1;
        logins.set(x.auth_method!, e);
      }
      const expected = {
        from: from.toISOString(),
        to: to.toISOString(),
        operations: rows.length,
        failedOperations: failed.length,
        errorRate: failed.length / rows.length,
        latencyP50Ms: nearestRank(durations, 0.5),
        latencyP95Ms: nearestRank(durations, 0.95),
        operationsPerHour: [...hours].sort().map(([hour, v]) => ({ hour, ...v })),
        errorsByCode: [...codes]
          .sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1))
          .map(([code, count]) => ({ code, count, rate: count / rows.length })),
        activeParticipants: new Set(rows.map((x) => x.participant_id).filter((x) => x !== null)).size,
        loginsByMethod: [...logins].sort().map(([method, v]) => ({ method, ...v, refused: v.attempts - v.succeeded })),
        refusedLogins: rows.filter((x) => x.login && x.outcome !== 'SUCCESS').length,
      };
      expect(r.data.serviceStatistics).to.deep.equal(expected);
      // The data set exercises every figure.
      expect(expected.operationsPerHour).to.have.length(2);
      expect(expected.activeParticipants).to.equal(2);
      expect(expected.errorsByCode.map((c) => c.code)).to.include.members([
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'GRAPHQL_VALIDATION_FAILED',
      ]);
      if (await schemaHas('login')) {
        expect(expected.refusedLogins).to.be.at.least(1);
        expect(expected.loginsByMethod.find((l) => l.method === 'PASSWORD')).to.deep.include({
          attempts: 2,
          succeeded: 1,
          refused: 1,
        });
      }
    });

    it('gives zeros for an empty period and refuses an inverted or too long one', async () => {
      const r = await gql(STATS, { p: { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } }, officer);
      expect(r.data.serviceStatistics).to.deep.include({
        operations: 0,
        failedOperations: 0,
        errorRate: 0,
        latencyP50Ms: null,
        latencyP95Ms: null,
        operationsPerHour: [],
        errorsByCode: [],
        activeParticipants: 0,
        loginsByMethod: [],
        refusedLogins: 0,
      });
      expect(
        errorCode(await gql(STATS, { p: { from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, officer)),
      ).to.equal('BAD_USER_INPUT');
      expect(
        errorCode(await gql(STATS, { p: { from: '2023-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, officer)),
      ).to.equal('BAD_USER_INPUT');
    });
  });
});
