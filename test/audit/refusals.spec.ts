/**
 * Refusals recorded (issue 10): every request refused before execution gets an audit record (outcome
 * REJECTED, a reason code, the client address): batched arrays, CSRF refusals, bodies that are not
 * JSON or too large, DATABASE_UNAVAILABLE during the session look-up, parse and validation failures.
 * Bounded: beyond AUDIT_REFUSALS_PER_MINUTE per client address per minute, one summary record per
 * address per minute carries the count.
 */
import { expect } from 'chai';
import type { AppConfig } from '../../src/config';
import { testDb } from '../support/db';
import { useServiceBehindRelay } from '../support/relay';
import { insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';
import { verifyAuditChain } from '../../src/audit/verify';
import { auditRows, capturedServer, sentHash, sha256hex, useCapturedServer } from './helpers';

interface Sent {
  status: number;
  text: string;
  requestId: string | null;
}

async function send(url: string, init: RequestInit & { path?: string } = {}): Promise<Sent> {
  const res = await fetch(`${url}${init.path ?? '/graphql'}`, init);
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id') };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function rowOf(requestId: string | null) {
  const rows = await auditRows('request_id = $1', [requestId]);
  expect(rows, `audit rows of ${requestId}`).to.have.length(1);
  return rows[0];
}

function withRefusalLimit(n: number): AppConfig {
  const base = testDb().config;
  return { ...base, audit: { ...base.audit, refusalsPerMinute: n } };
}

describe('audit: refusals recorded, and bounded', () => {
  const cap = useCapturedServer({ reset: true, config: () => withRefusalLimit(1000) });

  it('records each kind refused before execution: REJECTED, reason code, client address, response hash as sent', async () => {
    const url = cap.server.url;
    const cases: [string, () => Promise<Sent>, number, string[]][] = [
      [
        'batched array',
        () => post(url, JSON.stringify([{ query: '{ me { role } }' }])),
        400,
        ['BATCH_REFUSED', 'BAD_REQUEST'],
      ],
      [
        'CSRF (a simple GET without a preflight header)',
        () => send(`${url}`, { path: '/graphql?query=%7B__typename%7D' }),
        400,
        ['CSRF_REFUSED', 'BAD_REQUEST'],
      ],
      ['invalid JSON', () => post(url, '{"query": '), 400, ['INVALID_JSON', 'BAD_REQUEST']],
      [
        'body over the limit',
        () => post(url, JSON.stringify({ query: `{ me { role } } #${'x'.repeat(1_100_000)}` })),
        413,
        ['PAYLOAD_TOO_LARGE'],
      ],
      [
        'not GET or POST',
        () => send(url, { method: 'PUT', headers: { 'apollo-require-preflight': '1' } }),
        405,
        ['BAD_REQUEST'],
      ],
      ['parse failure', () => post(url, JSON.stringify({ query: '{ me { role ' })), 400, ['GRAPHQL_PARSE_FAILED']],
      [
        'validation failure',
        () => post(url, JSON.stringify({ query: '{ nope }' })),
        400,
        ['GRAPHQL_VALIDATION_FAILED'],
      ],
    ];
    for (const [what, run, status, codes] of cases) {
      const r = await run();
      expect(r.status, what).to.equal(status);
      const row = await rowOf(r.requestId);
      expect(row.outcome, what).to.equal('REJECTED');
      expect(row.error_codes, what).to.deep.equal(codes);
      expect(row.client_ip, what).to.match(/127\.0\.0\.1/);
      expect(row.http_status, what).to.equal(status);
      expect(row.response_hash, what).to.equal(sentHash(r.text));
      expect(row.refused_count, what).to.equal(null);
    }
  });

  it('names the caller of a refused batch by the session it carried', async () => {
    const pid = await insertParticipant('1000000091');
    const token = await traderToken(pid, cap.services);
    const r = await post(cap.server.url, JSON.stringify([{ query: '{ me { role } }' }]), {
      authorization: `Bearer ${token}`,
    });
    expect(r.status).to.equal(400);
    const row = await rowOf(r.requestId);
    expect(row).to.deep.include({ participant_id: pid, role: 'TRADER', outcome: 'REJECTED' });
  });
});

describe('audit: refusals beyond the per-address limit', () => {
  const cap = useCapturedServer({ reset: true, config: () => withRefusalLimit(3) });

  it('records N per address per minute, then one summary record of that minute with the count', async () => {
    const url = cap.server.url;
    cap.clock.set(new Date('2025-06-01T10:00:05.000Z'));
    const sent: Sent[] = [];
    for (let i = 0; i < 5; i += 1) sent.push(await post(url, '{"query": '));
    for (let i = 0; i < 2; i += 1) sent.push(await post(url, JSON.stringify({ query: '{ me { role ' })));
    // Every client still gets its answer.
    expect(sent.map((s) => s.status)).to.deep.equal([400, 400, 400, 400, 400, 400, 400]);
    const during = await auditRows("outcome = 'REJECTED'");
    expect(during.map((r) => r.request_id)).to.deep.equal(sent.slice(0, 3).map((s) => s.requestId));
    // A successful operation is never counted against the limit.
    const ok = await post(url, JSON.stringify({ query: '{ __typename }' }));
    expect((await rowOf(ok.requestId)).outcome).to.equal('SUCCESS');

    cap.clock.set(new Date('2025-06-01T10:01:02.000Z'));
    const next = await post(url, '{"query": ');
    await cap.server.refusals!.flush();
    const summary = await auditRows('refused_count IS NOT NULL');
    expect(summary).to.have.length(1);
    expect(summary[0]).to.deep.include({
      outcome: 'REJECTED',
      refused_count: 4,
      error_codes: ['GRAPHQL_PARSE_FAILED', 'INVALID_JSON'],
      root_fields: [],
      http_status: null,
    });
    expect(summary[0].client_ip).to.match(/127\.0\.0\.1/);
    expect(summary[0].occurred_at.toISOString()).to.equal('2025-06-01T10:00:00.000Z');
    // The new minute starts counting afresh: its first refusal has its own record.
    expect((await rowOf(next.requestId)).outcome).to.equal('REJECTED');
  });

  it('writes the summary of the current minute when the server stops', async () => {
    const own = await capturedServer(withRefusalLimit(1));
    own.clock.set(new Date('2025-06-01T11:00:00.000Z'));
    for (let i = 0; i < 3; i += 1) await post(own.server.url, '{"query": ');
    await own.close();
    const summary = await auditRows("refused_count IS NOT NULL AND occurred_at = '2025-06-01T11:00:00Z'");
    expect(summary.map((r) => r.refused_count)).to.deep.equal([2]);
    // Refusal, summary and login-result records chain and verify like any other.
    const v = await verifyAuditChain({ query: (t, p) => testDb().ds.query(t, p) }, cap.services.audit.key, {
      witnessFile: null,
    });
    expect(v.broken).to.equal(null);
    expect(v.records).to.be.greaterThan(5);
  });
});

describe('audit: DATABASE_UNAVAILABLE during the session look-up is recorded once the database is back', function () {
  this.timeout(30_000);
  const relayed = useServiceBehindRelay();

  it('answers 503 at once and writes the REJECTED record when the database answers again', async () => {
    const pid = await insertParticipant('1000000092');
    const token = await traderToken(pid);
    await relayed.relay.cut();
    const r = await post(relayed.server.url, JSON.stringify({ query: '{ me { role } }' }), {
      authorization: `Bearer ${token}`,
    });
    expect(r.status).to.equal(503);
    expect(JSON.parse(r.text).errors[0].extensions.code).to.equal('DATABASE_UNAVAILABLE');
    expect(await auditRows('request_id = $1', [r.requestId])).to.have.length(0);
    await relayed.relay.open();
    // The next flush (every FLUSH_INTERVAL_MS, here called at once) writes what was kept.
    for (let i = 0; i < 50 && (await auditRows('request_id = $1', [r.requestId])).length === 0; i += 1) {
      await relayed.server.refusals!.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const row = await rowOf(r.requestId);
    expect(row).to.deep.include({
      outcome: 'REJECTED',
      error_codes: ['DATABASE_UNAVAILABLE'],
      http_status: 503,
      session_id: null,
    });
    expect(row.response_hash).to.equal(sha256hex(r.text));
  });
});
