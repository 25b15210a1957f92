/**
 * The exports' refusals (same codes as the GraphQL field, with HTTP statuses), their accounting
 * (STARTED before the first byte, a completion record with the SHA-256 of the bytes the client got,
 * fail-closed on both), and clients that disconnect or stop reading mid-file.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant } from '../support/fixtures';
import { gql, officerToken, testServer, traderToken } from '../support/server';
import { auditRows, testConfigWith, useCapturedServer, whileAuditInsertRevoked } from '../audit/helpers';
import { download, insertBigTrader, parseCsv, pausedDownload, waitFor } from './helpers';

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest();

const completionOf = (requestId: string) =>
  waitFor(`the completion record of ${requestId}`, async () =>
    (await auditRows('request_id = $1', [requestId])).find((r) => r.outcome !== 'STARTED'),
  );

/** No database session is left inside an export's transaction. */
async function openExportTransactions(): Promise<number> {
  const [r] = await testDb().ds.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND state IN ('idle in transaction', 'active') AND query ILIKE '%export_cursor%'`,
  );
  return r.n;
}

describe('exports: refusals, accounting and broken downloads', () => {
  let small: string;
  let big: string;
  let tokenSmall: string;
  let tokenBig: string;
  const BIG_ITEMS = 40_000;

  before(async function () {
    this.timeout(120000);
    await resetData();
    small = await insertParticipant('1300000011');
    big = await insertParticipant('1300000012');
    await insertDeclarations(small, [
      {
        number: 'S-1',
        date: '2024-02-02',
        direction: 'IM',
        items: [{ hs: '8471300000', country: 'CN', net: '1.000', gross: '2.000', azn: '10.00', usd: '5.88' }],
      },
    ]);
    await insertBigTrader(big, BIG_ITEMS);
    tokenSmall = await traderToken(small);
    tokenBig = await traderToken(big);
  });

  describe('refusals: the GraphQL field’s codes, with HTTP statuses', () => {
    const code = (d: { json?: { errors: { extensions: Record<string, any> }[] } }) => d.json?.errors[0].extensions.code;

    it('no token: 401 UNAUTHENTICATED (WWW-Authenticate: Bearer), as tradeStatistics says', async () => {
      const d = await download('/export/statistics.csv?groupBy=YEAR');
      expect(d.status).to.equal(401);
      expect(d.headers['www-authenticate']).to.equal('Bearer');
      expect(code(d)).to.equal('UNAUTHENTICATED');
      expect(d.json!.errors[0].extensions.requestId).to.equal(d.headers['x-request-id']);
      const g = await gql('{ tradeStatistics(groupBy: [YEAR]) { truncated } }');
      expect(g.errors![0].extensions!.code).to.equal('UNAUTHENTICATED');
    });

    it('a forged, a revoked and an expired token: 401 UNAUTHENTICATED', async () => {
      expect(code(await download('/export/declarations.csv', 'cst_forged'))).to.equal('UNAUTHENTICATED');
      expect(
        (await download('/export/declarations.csv', 'not-bearer-at-all', { authorization: 'Basic x' })).status,
      ).to.equal(401);
      const revoked = await traderToken(small);
      await testDb().ds.query(
        `UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND id = (SELECT max(id) FROM sessions)`,
      );
      const d = await download('/export/declarations.xlsx', revoked);
      expect([d.status, code(d)]).to.deep.equal([401, 'UNAUTHENTICATED']);
      const { clock } = await testServer();
      const expiring = await traderToken(small);
      clock.advance(13 * 3600_000);
      try {
        const e = await download('/export/declarations.csv', expiring);
        expect([e.status, code(e)]).to.deep.equal([401, 'UNAUTHENTICATED']);
      } finally {
        clock.advance(-13 * 3600_000);
      }
    });

    it('an officer: 403 FORBIDDEN (officers have no trade data of their own), as tradeStatistics says', async () => {
      const token = await officerToken();
      const d = await download('/export/statistics.csv?groupBy=YEAR', token);
      expect([d.status, code(d)]).to.deep.equal([403, 'FORBIDDEN']);
      const g = await gql('{ tradeStatistics(groupBy: [YEAR]) { truncated } }', {}, token);
      expect(g.errors![0].extensions!.code).to.equal('FORBIDDEN');
      expect(g.errors![0].message).to.equal(d.json!.errors[0].message);
    });

    const BAD: [string, string, string | undefined][] = [
      ['/export/statistics.csv', 'groupBy', 'groupBy is required'],
      ['/export/statistics.csv?groupBy=HS2,NOPE', 'groupBy', 'unknown dimension'],
      ['/export/statistics.csv?groupBy=HS2,HS4', 'groupBy', 'one HS level'],
      ['/export/statistics.csv?groupBy=YEAR,YEAR', 'groupBy', 'twice'],
      ['/export/statistics.csv?groupBy=YEAR&direction=import', 'filter.direction', undefined],
      ['/export/statistics.csv?groupBy=YEAR&from=2024-02-30', 'filter.from', undefined],
      ['/export/statistics.csv?groupBy=YEAR&from=2024-05-01&to=2024-01-01', 'filter.from', 'after'],
      ['/export/statistics.csv?groupBy=YEAR&hsCodePrefix=8', 'filter.hsCodePrefix', undefined],
      ['/export/statistics.csv?groupBy=YEAR&countryCode=XX', 'filter.countryCode', 'unknown country'],
      ['/export/statistics.csv?groupBy=YEAR&countryCode=tr', 'filter.countryCode', undefined],
      ['/export/statistics.csv?groupBy=YEAR&procedureCode=4', 'filter.procedureCode', undefined],
      ['/export/statistics.csv?groupBy=YEAR&transportMode=33', 'filter.transportMode', undefined],
      ['/export/statistics.csv?groupBy=YEAR&customsPostCode=a%20b', 'filter.customsPostCode', undefined],
      ['/export/statistics.csv?groupBy=YEAR&first=10', 'first', 'unknown parameter'],
      ['/export/declarations.csv?groupBy=YEAR', 'groupBy', 'unknown parameter'],
      ['/export/statistics.csv?groupBy=YEAR&token=abc', 'token', 'unknown parameter'],
      ['/export/statistics.csv?groupBy=YEAR&lang=de', 'lang', undefined],
      ['/export/statistics.csv?groupBy=YEAR&bom=yes', 'bom', undefined],
      ['/export/statistics.csv?groupBy=YEAR&countryCode=TR&countryCode=CN', 'countryCode', 'twice'],
    ];
    for (const [path, field, message] of BAD) {
      it(`400 BAD_USER_INPUT naming ${field}: ${path}`, async () => {
        const d = await download(path, tokenSmall);
        expect(d.status).to.equal(400);
        expect(d.headers['content-type']).to.match(/^application\/json/);
        const e = d.json!.errors[0];
        expect(e.extensions.code).to.equal('BAD_USER_INPUT');
        expect(e.extensions.field).to.equal(field);
        if (message) expect(e.message).to.contain(message);
      });
    }

    it('the same filter values the GraphQL field refuses, it refuses with the same message', async () => {
      const cases: [string, Record<string, unknown>][] = [
        ['countryCode=XX', { countryCode: 'XX' }],
        ['hsCodePrefix=8', { hsCodePrefix: '8' }],
        ['from=2024-05-01&to=2024-01-01', { from: '2024-05-01', to: '2024-01-01' }],
      ];
      for (const [q, f] of cases) {
        const d = await download(`/export/statistics.csv?groupBy=YEAR&${q}`, tokenSmall);
        const g = await gql(
          'query($f: TradeFilter) { tradeStatistics(groupBy: [YEAR], filter: $f) { truncated } }',
          { f },
          tokenSmall,
        );
        expect(d.json!.errors[0].message).to.equal(g.errors![0].message);
        expect(d.json!.errors[0].extensions.code).to.equal(g.errors![0].extensions!.code);
      }
    });

    it('an unknown file, or a HEAD, is 404, not an export', async () => {
      expect((await download('/export/statistics.pdf?groupBy=YEAR', tokenSmall)).status).to.equal(404);
      expect((await download('/export/audit.csv', tokenSmall)).status).to.equal(404);
      const { server } = await testServer();
      const head = await fetch(`${server.url}/export/declarations.csv`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${tokenSmall}` },
      });
      expect(head.status).to.equal(404);
    });

    it('a refusal leaves a REJECTED record with the hash of the error body it got', async () => {
      const d = await download('/export/statistics.csv?groupBy=YEAR&countryCode=XX', tokenSmall);
      const rows = await auditRows('request_id = $1', [d.headers['x-request-id']]);
      expect(rows).to.have.length(1);
      expect(rows[0].outcome).to.equal('REJECTED');
      expect(rows[0].error_codes).to.deep.equal(['BAD_USER_INPUT']);
      expect(rows[0].participant_id).to.equal(small);
      expect(rows[0].http_status).to.equal(400);
      expect(rows[0].response_hash).to.equal(sha256(d.body).toString('hex'));
    });
  });

  describe('accounting', () => {
    it('STARTED before the first byte, then SUCCESS with the SHA-256 of exactly the bytes received (also the Content-Digest trailer)', async () => {
      for (const path of [
        '/export/statistics.csv?lang=en&groupBy=HS2,YEAR',
        '/export/statistics.xlsx?groupBy=COUNTRY',
        '/export/declarations.csv?bom=1',
        '/export/declarations.xlsx',
      ]) {
        const d = await download(path, tokenSmall);
        expect(d.status, path).to.equal(200);
        const requestId = String(d.headers['x-request-id']);
        const rows = await auditRows('request_id = $1', [requestId]);
        expect(rows.map((r) => r.outcome)).to.deep.equal(['STARTED', 'SUCCESS']);
        const [start, done] = rows;
        expect(d.headers['x-audit-record-id']).to.equal(start.id);
        expect(d.trailers['x-export-audit-record-id']).to.equal(done.id);
        expect(start.response_hash).to.equal(sha256('').toString('hex'));
        expect(start.rows_returned).to.equal(0);
        expect(done.response_hash).to.equal(sha256(d.body).toString('hex'));
        expect(d.trailers['content-digest']).to.equal(`sha-256=:${sha256(d.body).toString('base64')}:`);
        expect(done.rows_returned).to.equal(Number(d.trailers['x-export-rows']));
        expect(done.rows_returned).to.equal(1);
        for (const r of rows) {
          expect(r.participant_id).to.equal(small);
          expect(r.operation_type).to.equal('query');
          expect(r.operation_name).to.equal(`GET ${path.split('?')[0]}`);
          expect(r.root_fields).to.deep.equal([
            path.includes('statistics') ? 'exportStatistics' : 'exportDeclarations',
          ]);
          const given = new URLSearchParams(path.split('?')[1] ?? '');
          const sorted = Object.fromEntries([...given].sort(([a], [b]) => (a < b ? -1 : 1)));
          expect(r.variables).to.equal(JSON.stringify(sorted));
          expect(r.document_hash).to.equal(
            sha256(`GET ${path.split('?')[0]}?${new URLSearchParams(sorted).toString()}`).toString('hex'),
          );
        }
      }
    });

    it('the audit cannot record the start: 503 AUDIT_UNAVAILABLE and not one byte of the file', async () => {
      const before = (await auditRows()).length;
      const d = await whileAuditInsertRevoked(() => download('/export/declarations.csv', tokenSmall));
      expect(d.status).to.equal(503);
      expect(d.json!.errors[0].extensions).to.deep.equal({
        code: 'AUDIT_UNAVAILABLE',
        requestId: d.headers['x-request-id'],
      });
      expect(d.body.toString()).not.to.contain('S-1');
      expect((await auditRows()).length).to.equal(before);
    });

    it('the audit cannot record the completion: the connection is cut, no trailer, the STARTED record stands', async () => {
      const { server } = await testServer();
      const dl = await pausedDownload(`${server.url}/export/declarations.csv`, tokenBig);
      await waitFor('the STARTED record', async () =>
        (await auditRows('request_id = $1', [dl.requestId])).length === 1 ? true : undefined,
      );
      await whileAuditInsertRevoked(async () => {
        const ended = await new Promise<{ aborted: boolean; trailers: NodeJS.Dict<string> }>((resolve) => {
          let aborted = false;
          dl.res.on('aborted', () => (aborted = true));
          dl.res.on('error', () => (aborted = true));
          dl.res.on('close', () => resolve({ aborted: aborted || !dl.res.complete, trailers: dl.res.trailers }));
          dl.res.resume();
        });
        expect(ended.aborted).to.equal(true);
        expect(ended.trailers['content-digest']).to.equal(undefined);
      });
      const rows = await auditRows('request_id = $1', [dl.requestId]);
      expect(rows.map((r) => r.outcome)).to.deep.equal(['STARTED']);
      await waitFor('no export transaction', async () => ((await openExportTransactions()) === 0 ? true : undefined));
    });
  });

  describe('broken downloads', () => {
    it('a client that disconnects mid-file leaves a record saying so, with the hash of what was sent, and no open transaction', async () => {
      const { server } = await testServer();
      for (const format of ['csv', 'xlsx']) {
        const dl = await pausedDownload(`${server.url}/export/declarations.${format}`, tokenBig);
        dl.req.destroy();
        const done = await completionOf(dl.requestId);
        expect(done.outcome).to.equal('ERROR');
        expect(done.error_codes).to.deep.equal(['CLIENT_DISCONNECTED']);
        expect(done.rows_returned).to.be.below(BIG_ITEMS);
        expect(done.response_hash).not.to.equal(sha256('').toString('hex'));
        expect(done.participant_id).to.equal(big);
        await waitFor('no export transaction', async () => ((await openExportTransactions()) === 0 ? true : undefined));
      }
      // The permits went back: a full export runs again, all of it.
      const full = await download('/export/declarations.csv', tokenBig);
      expect(full.status).to.equal(200);
      expect(parseCsv(full.body)).to.have.length(BIG_ITEMS + 1);
      const done = await completionOf(String(full.headers['x-request-id']));
      expect([done.outcome, done.rows_returned]).to.deep.equal(['SUCCESS', BIG_ITEMS]);
    });

    it('at most two exports of one trader at once: the third is 429 RATE_LIMITED with Retry-After', async () => {
      const { server } = await testServer();
      const a = await pausedDownload(`${server.url}/export/declarations.csv`, tokenBig);
      const b = await pausedDownload(`${server.url}/export/declarations.xlsx`, tokenBig);
      try {
        const third = await download('/export/statistics.csv?groupBy=YEAR', tokenBig);
        expect(third.status).to.equal(429);
        expect(third.headers['retry-after']).to.equal('5');
        expect(third.json!.errors[0].extensions).to.include({ code: 'RATE_LIMITED', retryAfterSeconds: 5 });
        // Another trader is not held up by them.
        expect((await download('/export/statistics.csv?groupBy=YEAR', tokenSmall)).status).to.equal(200);
      } finally {
        a.req.destroy();
        b.req.destroy();
      }
      await completionOf(a.requestId);
      await completionOf(b.requestId);
      expect((await download('/export/statistics.csv?groupBy=YEAR', tokenBig)).status).to.equal(200);
    });

    describe('a client that stops reading', () => {
      const cap = useCapturedServer({ config: () => testConfigWith({ DB_STATEMENT_TIMEOUT_MS: '800' }) });

      it('is cut off after the statement timeout (CLIENT_STALLED), its connection back in the pool', async () => {
        const token = await traderToken(big, cap.services);
        const dl = await pausedDownload(`${cap.server.url}/export/declarations.csv`, token);
        const done = await completionOf(dl.requestId);
        expect(done.outcome).to.equal('ERROR');
        expect(done.error_codes).to.deep.equal(['CLIENT_STALLED']);
        dl.req.destroy();
        await waitFor('no export transaction', async () => ((await openExportTransactions()) === 0 ? true : undefined));
        const line = cap.lines
          .map((l) => JSON.parse(l))
          .find((l) => l.requestId === dl.requestId && l.msg === 'export');
        expect(line.outcome).to.equal('ERROR');
      });
    });
  });
});
