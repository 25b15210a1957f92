import { expect } from 'chai';
import { Client } from 'pg';
import { AUDIT_CHAIN_LOCK } from '../../src/audit/audit.service';
import { resetData, testDb } from '../support/db';
import { insertOneImport, insertParticipant } from '../support/fixtures';
import { traderToken } from '../support/server';
import { auditRows, rawGql, sha256hex, testConfigWith, useCapturedServer, whileAuditInsertRevoked } from './helpers';

describe('audit fail-closed: no response leaves without its audit record', () => {
  let token: string;

  before(async () => {
    await resetData();
    const p = await insertParticipant('1000000001');
    await insertOneImport(p, 'A-1', '2024-01-10', ['8471300000', 'CN', '1.000', '2.000', '5.00', '1.00']);
    token = await traderToken(p);
  });
  // A server whose responses give up waiting for their record after 300 ms.
  const cap = useCapturedServer({ config: () => testConfigWith({ AUDIT_WRITE_TIMEOUT_MS: '300' }) });

  const QUERY = '{ declarations { edges { node { number } } } }';

  it('answers AUDIT_UNAVAILABLE (503) instead of the data when the audit insert is refused', async () => {
    const before = (await auditRows()).length;
    const r = await whileAuditInsertRevoked(() => rawGql(QUERY, {}, token, { url: cap.server.url }));
    expect(r.status).to.equal(503);
    expect(r.body.data).to.equal(undefined);
    expect(r.body.errors).to.have.length(1);
    expect(r.body.errors![0].extensions).to.deep.equal({ code: 'AUDIT_UNAVAILABLE', requestId: r.requestId });
    expect(r.text).not.to.contain('A-1');
    // A withheld response has no record, hence no receipt.
    expect(JSON.parse(r.text)).not.to.have.property('extensions');
    expect((await auditRows()).length).to.equal(before);
    const line = cap.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.requestId === r.requestId && l.msg === 'graphql operation');
    expect(line.outcome).to.equal('AUDIT_UNAVAILABLE');
    const metrics = await (await fetch(`${cap.server.url}/metrics`)).text();
    expect(metrics).to.match(/^audit_unavailable_total 1$/m);

    // With the privilege back the same request is answered, and accounted.
    const ok = await rawGql(QUERY, {}, token, { url: cap.server.url });
    expect(ok.status).to.equal(200);
    expect(ok.body.data.declarations.edges[0].node.number).to.equal('A-1');
    expect(await auditRows('request_id = $1', [ok.requestId])).to.have.length(1);
  });

  it('answers AUDIT_UNAVAILABLE when the record is not durable within AUDIT_WRITE_TIMEOUT_MS', async function () {
    this.timeout(20_000);
    const blocker = new Client({ connectionString: testDb().url });
    await blocker.connect();
    let r;
    const started = Date.now();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
      r = await rawGql(QUERY, {}, token, { url: cap.server.url });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(r.status).to.equal(503);
    expect(r.body.data).to.equal(undefined);
    expect(r.body.errors![0].extensions!.code).to.equal('AUDIT_UNAVAILABLE');
    await cap.services.audit.drain();
  });

  it('makes a record written after its response gave up say what the client received (503), not the withheld result', async function () {
    this.timeout(20_000);
    const blocker = new Client({ connectionString: testDb().url });
    await blocker.connect();
    let first;
    let second;
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
      // The first record's batch is being written (it waits on the chain lock) when its response gives up.
      first = await rawGql(QUERY, {}, token, { url: cap.server.url });
      // The second record is still queued behind that batch when its response gives up.
      second = await rawGql(QUERY, {}, token, { url: cap.server.url });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect([first.status, second.status]).to.deep.equal([503, 503]);
    await cap.services.audit.drain();
    await cap.services.audit.drain();
    const asSent = (r: typeof first) => ({
      outcome: 'ERROR',
      http_status: 503,
      error_codes: ['AUDIT_UNAVAILABLE'],
      rows_returned: 0,
      response_hash: sha256hex(r.text),
    });
    const pick = ({
      outcome,
      http_status,
      error_codes,
      rows_returned,
      response_hash,
    }: Awaited<ReturnType<typeof auditRows>>[number]) => ({
      outcome,
      http_status,
      error_codes,
      rows_returned,
      response_hash,
    });
    // Queued: one record, describing the 503.
    const secondRows = await auditRows('request_id = $1', [second.requestId]);
    expect(secondRows.map(pick)).to.deep.equal([asSent(second)]);
    // Already being written: that record stays, and a later record of the same request says what was sent.
    const firstRows = await auditRows('request_id = $1', [first.requestId]);
    expect(firstRows).to.have.length(2);
    expect(firstRows[0]).to.include({ outcome: 'SUCCESS', http_status: 200 });
    expect(pick(firstRows[1])).to.deep.equal(asSent(first));
  });
});
