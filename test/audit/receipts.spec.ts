/**
 * Issue 10, "What must exist" item 3: every response carries a receipt (seq, leaf hash) that is not
 * part of what its record hashes; auditInclusionProof / auditConsistencyProof answer from the stored
 * tree to signed checkpoints (own records only for traders); GET /audit/checkpoint serves the newest
 * note and /audit/verifier-key the key; `npm run verify-receipt` checks a saved bundle offline and
 * names the part that fails; a complaint may cite a receipt, checked on filing.
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditService } from '../../src/audit/audit.service';
import { formatVerifierKey, noteVerifier, openCheckpointNote, parseVerifierKey } from '../../src/audit/checkpoint-note';
import { leafHash, MerkleTree, verifyConsistency } from '../../src/audit/merkle';
import { responseHashOf, verifyReceiptBundle, type ReceiptBundle } from '../../src/audit/receipt';
import type { AuditRow } from '../../src/audit/record';
import { RequestDb } from '../../src/db/tenant';
import { beforeFreshData, resetData, testDb } from '../support/db';
import { runCli } from '../support/cli';
import { insertParticipant } from '../support/fixtures';
import { testServer, traderToken } from '../support/server';
import { asAttacker, auditRows, officerToken, rawGql, rewriteChain, sha256hex } from './helpers';

const PROOF = `query($s: String!) { auditInclusionProof(seq: $s) {
  seq treeSize leafHash recordHash record proof rootHash checkpoint } }`;
const CONSISTENCY = `query($a: String!, $b: String!) { auditConsistencyProof(fromSize: $a, toSize: $b) {
  fromSize toSize proof fromCheckpoint toCheckpoint } }`;

describe('audit receipts and proofs (issue 10, item 3)', function () {
  this.timeout(180_000);
  let a: string;
  let b: string;
  let tokenA: string;
  let tokenB: string;
  let officer: string;
  let dir: string;

  const services = async () => (await testServer()).services;
  const checkpoint = async () => (await services()).audit.checkpoint();
  const verifierKey = async () => {
    const s = await services();
    return formatVerifierKey(noteVerifier(s.config.audit.logOrigin, s.audit.key.publicKey));
  };
  const codeOf = (r: { body: { errors?: { extensions?: Record<string, any> }[] } }) =>
    r.body.errors?.[0]?.extensions?.code;

  beforeFreshData(async () => {
    a = await insertParticipant('1300000001');
    b = await insertParticipant('1300000002');
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
    officer = await officerToken();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receipts-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts a receipt on every response; without it the response hashes to its record', async () => {
    const r = await rawGql('{ me { role } }', undefined, tokenA);
    const receipt = r.body.extensions?.receipt;
    expect(receipt).to.include.keys('seq', 'leafHash', 'responseHash', 'logOrigin');
    const [row] = await auditRows('request_id = $1', [r.requestId]);
    expect(receipt.seq).to.equal(row.seq);
    expect(receipt.leafHash).to.equal(leafHash(Buffer.from(row.hash, 'hex')).toString('hex'));
    expect(receipt.responseHash).to.equal(row.response_hash);
    expect(receipt.logOrigin).to.equal((await services()).config.audit.logOrigin);
    // The documented recomputation: drop the receipt (and `extensions` if nothing else is left: here the
    // rate budget's `cost` stays, which the record's hash covers), serialise, hash.
    const o = JSON.parse(r.text);
    delete o.extensions.receipt;
    expect(Object.keys(o.extensions)).to.deep.equal(['cost']);
    const text = `${JSON.stringify({ errors: o.errors, data: o.data, extensions: o.extensions })}\n`;
    expect(sha256hex(text)).to.equal(row.response_hash);
    expect(responseHashOf(r.text).toString('hex')).to.equal(row.response_hash);
    // Not a record of the receipt: the text sent without it is not what was hashed if the receipt were in.
    expect(sha256hex(r.text)).not.to.equal(row.response_hash);
  });

  it('puts receipts on refusals and errors recorded in the pipeline too (validation failure, anonymous)', async () => {
    const bad = await rawGql('{ nope }');
    expect(bad.status).to.equal(400);
    const [row] = await auditRows('request_id = $1', [bad.requestId]);
    expect(bad.body.extensions?.receipt?.seq).to.equal(row.seq);
    expect(responseHashOf(bad.text).toString('hex')).to.equal(row.response_hash);
    const denied = await rawGql('{ auditLog { edges { node { id } } } }', undefined, tokenA);
    expect(codeOf(denied)).to.equal('FORBIDDEN');
    expect(responseHashOf(denied.text).toString('hex')).to.equal(
      (await auditRows('request_id = $1', [denied.requestId]))[0].response_hash,
    );
  });

  it('AUDIT_PROOF_PENDING with retryAfterSeconds until a checkpoint covers the record', async () => {
    const r = await rawGql('{ me { role } }', undefined, tokenA);
    const p = await rawGql(PROOF, { s: r.body.extensions.receipt.seq }, tokenA);
    expect(codeOf(p)).to.equal('AUDIT_PROOF_PENDING');
    const retry = p.body.errors![0].extensions!.retryAfterSeconds;
    expect(Number.isInteger(retry) && retry >= 1, String(retry)).to.equal(true);
    expect(p.body.data).to.equal(null);
  });

  it('proves a record to the newest checkpoint, equal to the tree over every record, and verifies offline', async () => {
    const r = await rawGql('{ me { role } }', undefined, tokenA);
    await checkpoint();
    const p = await rawGql(PROOF, { s: r.body.extensions.receipt.seq }, tokenA);
    expect(p.body.errors, JSON.stringify(p.body.errors)).to.equal(undefined);
    const proof = p.body.data.auditInclusionProof;
    const rows = await auditRows();
    const tree = MerkleTree.fromLeafHashes(rows.map((x) => leafHash(Buffer.from(x.hash, 'hex'))));
    // Every record up to the checkpoint; the proof request's own record came after it.
    const size = Number(proof.treeSize);
    expect(size).to.equal(rows.length - 1);
    const idx = Number(r.body.extensions.receipt.seq) - 1;
    expect(proof.proof).to.deep.equal(tree.inclusionProof(idx, size).map((x) => x.toString('hex')));
    expect(proof.rootHash).to.equal(tree.root(size).toString('hex'));
    expect(sha256hex(proof.record)).to.equal(proof.recordHash);
    const body = openCheckpointNote(proof.checkpoint, parseVerifierKey(await verifierKey()));
    expect(body.rootHash.toString('hex')).to.equal(proof.rootHash);
    const v = verifyReceiptBundle({ response: r.text, inclusionProof: proof }, parseVerifierKey(await verifierKey()));
    expect(v).to.deep.include({ ok: true, seq: r.body.extensions.receipt.seq });
  });

  it("refuses another trader's record exactly as a missing one; officers may prove any", async () => {
    const mine = await rawGql('{ me { role } }', undefined, tokenA);
    await checkpoint();
    const seq = mine.body.extensions.receipt.seq;
    const other = await rawGql(PROOF, { s: seq }, tokenB);
    const missing = await rawGql(PROOF, { s: '999999999' }, tokenB);
    expect(codeOf(other)).to.equal('NOT_FOUND');
    expect(codeOf(missing)).to.equal('NOT_FOUND');
    expect(other.body.errors![0].message).to.equal(missing.body.errors![0].message.replace('999999999', seq));
    const asOfficer = await rawGql(PROOF, { s: seq }, officer);
    expect(asOfficer.body.data.auditInclusionProof.seq).to.equal(seq);
    const anonymous = await rawGql(PROOF, { s: seq });
    expect(codeOf(anonymous)).to.equal('UNAUTHENTICATED');
  });

  it('names the argument of a malformed seq or size (BAD_USER_INPUT)', async () => {
    for (const s of ['abc', '0', '-1', '1.5', '99999999999999999999', '']) {
      const r = await rawGql(PROOF, { s }, tokenA);
      expect(codeOf(r), s).to.equal('BAD_USER_INPUT');
      expect(r.body.errors![0].extensions!.field, s).to.equal('seq');
    }
    const swapped = await rawGql(CONSISTENCY, { a: '5', b: '2' }, tokenA);
    expect(swapped.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'fromSize' });
    const junk = await rawGql(CONSISTENCY, { a: '1', b: 'x' }, tokenA);
    expect(junk.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'toSize' });
  });

  it('proves consistency between two checkpoints; sizes without a checkpoint are refused, later ones pending', async () => {
    await rawGql('{ me { role } }', undefined, tokenA);
    const first = await checkpoint();
    await rawGql('{ me { role } }', undefined, tokenA);
    await rawGql('{ me { role } }', undefined, tokenB);
    const second = await checkpoint();
    const r = await rawGql(CONSISTENCY, { a: first!.seq, b: second!.seq }, tokenB);
    expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
    const c = r.body.data.auditConsistencyProof;
    const key = parseVerifierKey(await verifierKey());
    const from = openCheckpointNote(c.fromCheckpoint, key);
    const to = openCheckpointNote(c.toCheckpoint, key);
    expect([from.size, to.size]).to.deep.equal([Number(first!.seq), Number(second!.seq)]);
    const proof = c.proof.map((x: string) => Buffer.from(x, 'hex'));
    expect(verifyConsistency(from.size, to.size, from.rootHash, to.rootHash, proof)).to.equal(true);
    expect(verifyConsistency(from.size, to.size, crypto.randomBytes(32), to.rootHash, proof)).to.equal(false);
    const noCheckpoint = await rawGql(CONSISTENCY, { a: String(Number(first!.seq) + 1), b: second!.seq }, tokenB);
    expect(noCheckpoint.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'fromSize' });
    const later = await rawGql(CONSISTENCY, { a: first!.seq, b: String(Number(second!.seq) + 1000) }, tokenB);
    expect(codeOf(later)).to.equal('AUDIT_PROOF_PENDING');
  });

  it('serves the newest checkpoint note and the verifier key over HTTP without a session', async () => {
    await rawGql('{ me { role } }', undefined, tokenA);
    const cp = await checkpoint();
    const { server } = await testServer();
    const note = await fetch(`${server.url}/audit/checkpoint`);
    expect(note.status).to.equal(200);
    expect(note.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await note.text();
    expect(text).to.equal(cp!.note);
    const key = await fetch(`${server.url}/audit/verifier-key`);
    const keyLine = (await key.text()).trim();
    expect(keyLine).to.equal(await verifierKey());
    const body = openCheckpointNote(text, parseVerifierKey(keyLine), (await services()).config.audit.logOrigin);
    expect(String(body.size)).to.equal(cp!.seq);
  });

  it('answers 404 for the checkpoint before there is one', async () => {
    await resetData();
    const { server } = await testServer();
    const r = await fetch(`${server.url}/audit/checkpoint`);
    expect(r.status).to.equal(404);
    a = await insertParticipant('1300000001');
    b = await insertParticipant('1300000002');
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
    officer = await officerToken();
  });

  describe('npm run verify-receipt', () => {
    let bundle: ReceiptBundle;
    let keyFile: string;
    const run = async (b: unknown, key = keyFile) => {
      const f = path.join(dir, `bundle-${crypto.randomBytes(4).toString('hex')}.json`);
      fs.writeFileSync(f, JSON.stringify(b));
      return runCli('src/cli/verify-receipt.ts', [f, '--key', key]);
    };
    const tamperHex = (x: string) => (x[0] === '0' ? '1' : '0') + x.slice(1);

    before(async () => {
      const r = await rawGql('{ me { role participant { voen } } }', undefined, tokenA);
      await rawGql('{ me { role } }', undefined, tokenB);
      await checkpoint();
      const p = await rawGql(PROOF, { s: r.body.extensions.receipt.seq }, tokenA);
      bundle = { response: r.text, inclusionProof: p.body.data.auditInclusionProof };
      keyFile = path.join(dir, 'verifier.key');
      fs.writeFileSync(keyFile, `${await verifierKey()}\n`);
    });

    it('exits 0 on a sound bundle, with the verifier key or the PEM public key', async () => {
      const ok = await run(bundle);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/OK: the response is audit record \d+/);
      const pem = path.join(dir, 'key.pub.pem');
      fs.writeFileSync(pem, (await services()).audit.key.publicKey.export({ type: 'spki', format: 'pem' }));
      const withPem = await run(bundle, pem);
      expect(withPem.code, withPem.stderr).to.equal(0);
    });

    it('--fetch assembles the bundle from a saved response and the running service, then verifies it', async () => {
      const { server } = await testServer();
      const r = await rawGql('{ me { role } }', undefined, tokenA);
      await checkpoint();
      const saved = path.join(dir, 'saved-response.json');
      fs.writeFileSync(saved, r.text);
      const out = path.join(dir, 'fetched-bundle.json');
      const args = ['--fetch', '--url', server.url, '--response', saved, '--out', out, '--key', keyFile];
      const ok = await runCli('src/cli/verify-receipt.ts', [...args, '--token', tokenA]);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(JSON.parse(fs.readFileSync(out, 'utf8')).response).to.equal(r.text);
      // Another trader's token: the service answers NOT_FOUND, the tool exits 1 saying so.
      const refused = await runCli('src/cli/verify-receipt.ts', [...args, '--token', tokenB]);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/NOT_FOUND/);
    });

    it('names each tampered part: response, record, leaf, proof hash, checkpoint signature, wrong key', async () => {
      const cases: [string, ReceiptBundle, RegExp][] = [];
      // One byte of the response (the voen in the data).
      cases.push([
        'response byte',
        { ...bundle, response: bundle.response.replace('1300000001', '1300000009') },
        /FAIL response:/,
      ]);
      // The receipt's leaf hash (outside what is hashed): the record no longer gives it.
      const o = JSON.parse(bundle.response);
      o.extensions.receipt.leafHash = tamperHex(o.extensions.receipt.leafHash);
      cases.push(['receipt leaf', { ...bundle, response: JSON.stringify(o) + '\n' }, /FAIL record:/]);
      cases.push([
        'record content',
        {
          ...bundle,
          inclusionProof: { ...bundle.inclusionProof, record: bundle.inclusionProof.record.replace('me', 'mE') },
        },
        /FAIL record:/,
      ]);
      cases.push([
        'proof leaf',
        {
          ...bundle,
          inclusionProof: { ...bundle.inclusionProof, leafHash: tamperHex(bundle.inclusionProof.leafHash) },
        },
        /FAIL leaf:/,
      ]);
      const proof = [...bundle.inclusionProof.proof];
      proof[0] = tamperHex(proof[0]);
      cases.push(['proof hash', { ...bundle, inclusionProof: { ...bundle.inclusionProof, proof } }, /FAIL root:/]);
      cases.push([
        'proof shortened',
        { ...bundle, inclusionProof: { ...bundle.inclusionProof, proof: proof.slice(1) } },
        /FAIL (proof|root):/,
      ]);
      const note = bundle.inclusionProof.checkpoint;
      const sigAt = note.lastIndexOf(' ') + 10;
      const forgedSig = note.slice(0, sigAt) + (note[sigAt] === 'A' ? 'B' : 'A') + note.slice(sigAt + 1);
      cases.push([
        'checkpoint signature',
        { ...bundle, inclusionProof: { ...bundle.inclusionProof, checkpoint: forgedSig } },
        /FAIL checkpoint:/,
      ]);
      const results = await Promise.all(cases.map(([, b]) => run(b)));
      results.forEach((res, i) => {
        expect(res.code, `${cases[i][0]}: ${res.stdout}${res.stderr}`).to.equal(1);
        expect(res.stderr, cases[i][0]).to.match(cases[i][2]);
      });
      // Another key (same log name): the signature is not its.
      const other = path.join(dir, 'other.key');
      const { publicKey } = crypto.generateKeyPairSync('ed25519');
      fs.writeFileSync(other, formatVerifierKey(noteVerifier((await services()).config.audit.logOrigin, publicKey)));
      const wrong = await run(bundle, other);
      expect(wrong.code).to.equal(1);
      expect(wrong.stderr).to.match(/FAIL checkpoint:/);
      const usage = await runCli('src/cli/verify-receipt.ts', [path.join(dir, 'nope.json'), '--key', keyFile]);
      expect(usage.code).to.equal(2);
    });

    it('a record deleted and replaced: the receipt fails against every later checkpoint', async () => {
      const seq = Number(JSON.parse(bundle.response).extensions.receipt.seq);
      const s = await services();
      // The insider: replaces the record (another participant's name on it), rewrites every later
      // record's link and the chain head, deletes the checkpoints and the stored tree that bind it.
      await asAttacker(async (c) => {
        const prev = await rewriteChain(c, seq, seq, 'participant_id', (rec) => {
          rec.participantId = b;
        });
        await c.query('UPDATE audit_chain_head SET hash = $1', [prev]);
        await c.query('DELETE FROM audit_checkpoints');
        await c.query('DELETE FROM audit_tree_nodes');
      });
      // A restarted service with the same key verifies the (forged) chain from the start and signs it,
      // twice, with more records between.
      const restarted = new AuditService(s.ds, new RequestDb(s.ds, s.config.db.appRole), s.config, s.clock, {
        key: s.audit.key,
        witnessDir: null,
      });
      const later = [await restarted.checkpoint()];
      await rawGql('{ me { role } }', undefined, tokenB);
      await s.audit.drain();
      later.push(await restarted.checkpoint());
      expect(later.every((x) => x !== null)).to.equal(true);
      for (const cp of later) {
        // What the service now answers for the seq: the replaced record, proven in the forged tree.
        const sql = s.ds;
        const [row] = await sql.query<AuditRow[]>('SELECT * FROM audit_records WHERE seq = $1', [seq]);
        expect(row.participant_id).to.equal(b);
        const asServed = await rawGql(PROOF, { s: String(seq) }, officer);
        const served = asServed.body.data.auditInclusionProof;
        const forged = await run({ ...bundle, inclusionProof: { ...served, checkpoint: cp!.note } });
        expect(forged.code, forged.stdout).to.equal(1);
        expect(forged.stderr).to.match(/FAIL record:/);
        // The old proof (with the receipt's true record) against the later checkpoint: another root.
        const old = await run({ ...bundle, checkpoint: cp!.note });
        expect(old.code).to.equal(1);
        expect(old.stderr).to.match(/FAIL root:/);
      }
    });
  });

  describe('a complaint citing a receipt', () => {
    const FILE = `mutation($i: ComplaintInput!) { fileComplaint(input: $i) { id receiptSeq receiptLeafHash } }`;
    const input = (receipt: unknown) => ({
      name: 'Aysel',
      patronymic: 'Elçin',
      surname: 'Məmmədova',
      address: 'Bakı',
      text: 'The statistics answered wrong.',
      receipt,
    });
    let receipt: { seq: string; leafHash: string };
    beforeFreshData(async () => {
      a = await insertParticipant('1300000001');
      b = await insertParticipant('1300000002');
      tokenA = await traderToken(a);
      tokenB = await traderToken(b);
      const r = await rawGql('{ me { role } }', undefined, tokenA);
      receipt = { seq: r.body.extensions.receipt.seq, leafHash: r.body.extensions.receipt.leafHash };
    });

    it('is verified and stored with the complaint', async () => {
      const r = await rawGql(FILE, { i: input(receipt) }, tokenA);
      expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
      expect(r.body.data.fileComplaint).to.include({ receiptSeq: receipt.seq, receiptLeafHash: receipt.leafHash });
      const [row] = await testDb().ds.query(
        `SELECT receipt_seq::text AS seq, encode(receipt_leaf_hash, 'hex') AS leaf FROM complaints WHERE id = $1`,
        [r.body.data.fileComplaint.id],
      );
      expect(row).to.deep.equal({ seq: receipt.seq, leaf: receipt.leafHash });
    });

    it("refuses a forged leaf, another trader's receipt and a missing seq alike (RECEIPT_INVALID)", async () => {
      const before = (await testDb().ds.query(`SELECT count(*)::int AS c FROM complaints`))[0].c;
      const forged = await rawGql(FILE, { i: input({ ...receipt, leafHash: 'ab'.repeat(32) }) }, tokenA);
      const others = await rawGql(FILE, { i: input(receipt) }, tokenB);
      const missing = await rawGql(FILE, { i: input({ ...receipt, seq: '99999999' }) }, tokenA);
      for (const r of [forged, others, missing]) {
        expect(codeOf(r)).to.equal('RECEIPT_INVALID');
        expect(r.body.errors![0].message).to.equal(forged.body.errors![0].message);
      }
      expect((await testDb().ds.query(`SELECT count(*)::int AS c FROM complaints`))[0].c).to.equal(before);
    });

    it('refuses a citation without a trader session, and malformed ones naming the field', async () => {
      const anon = await rawGql(FILE, { i: input(receipt) });
      expect(anon.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'input.receipt' });
      const badSeq = await rawGql(FILE, { i: input({ ...receipt, seq: 'x' }) }, tokenA);
      expect(badSeq.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'input.receipt.seq' });
      const badLeaf = await rawGql(FILE, { i: input({ ...receipt, leafHash: 'zz' }) }, tokenA);
      expect(badLeaf.body.errors![0].extensions).to.include({
        code: 'BAD_USER_INPUT',
        field: 'input.receipt.leafHash',
      });
      const paper = await rawGql(
        `mutation($i: ComplaintInput!) { recordPaperComplaint(input: $i) { id } }`,
        { i: input(receipt) },
        await officerToken(),
      );
      expect(paper.body.errors![0].extensions).to.include({ code: 'BAD_USER_INPUT', field: 'input.receipt' });
    });
  });
});
