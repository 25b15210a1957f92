/**
 * statisticalExtract end to end: the real HTTP server, a real database, openssl as a bank would run it, and
 * `npm run verify-extract` as its own process.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figuresCsv, parseStatement, sha256Hex } from '../../src/extracts/document';
import { MAX_EXTRACT_GROUPS, REGISTRATION_OPERATION } from '../../src/extracts/extract.service';
import { embeddedCsv, renderPdf } from '../../src/extracts/pdf';
import { DocumentSigner } from '../../src/extracts/sign';
import { runCli, ROOT } from '../support/cli';
import { beforeFreshData, testDb } from '../support/db';
import {
  fourDeclarations,
  insertDeclarations,
  insertParticipant,
  insertTwoTraders,
  itemsOf,
  MEASURES,
} from '../support/fixtures';
import { errorCode, gql, officerToken, testServer, traderToken } from '../support/server';

const ROOT_CA = path.join(ROOT, 'certs-test', 'root-ca.cert.pem');
const OPENSSL = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

/** Signs `f` with openssl as certs-test's `signer` (chain: `ca`), detached, into `f`.p7s. */
function cmsSign(f: string, signer: string, ca: string): void {
  const pem = (n: string) => path.join(ROOT, `certs-test/${n}.pem`);
  execFileSync('openssl', [
    ...['cms', '-sign', '-binary', '-md', 'sha256', '-outform', 'DER', '-in', f, '-out', `${f}.p7s`],
    ...['-signer', pem(`${signer}.cert`), '-inkey', pem(`${signer}.key`), '-certfile', pem(`${ca}.cert`)],
  ]);
}

const item = itemsOf('10.125', '1.01');

/** A small data set whose figures the tests below state by hand. */
const A_DECLS = fourDeclarations(item);
const B_VALUE = '777.77';

const EXTRACT = `query($f: TradeFilter, $g: [TradeDimension!]!, $fmt: ExtractFormat!) {
  statisticalExtract(filter: $f, groupBy: $g, format: $fmt) {
    fileName contentType document documentSha256 signature signatureFileName issuedAt
    audit { recordId recordSeq requestId figuresSha256 }
  }
}`;

const STATS = `query($f: TradeFilter, $g: [TradeDimension!]!) {
  tradeStatistics(filter: $f, groupBy: $g, first: 10000) {
    rows { key { direction year quarter month hsCode country { code } customsPostCode procedureCode transportMode }
           measures { declarationCount itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg
                      supplementaryQuantity supplementaryUnit } }
    totals { declarationCount itemCount customsValueAzn statisticalValueUsd netWeightKg grossWeightKg
             supplementaryQuantity supplementaryUnit }
    truncated
  }
}`;

interface Extract {
  fileName: string;
  contentType: string;
  document: string;
  documentSha256: string;
  signature: string;
  signatureFileName: string;
  issuedAt: string;
  audit: { recordId: string; recordSeq: string; requestId: string; figuresSha256: string };
}

/** tradeStatistics' answer as the extract's figures records (column → text). */
function expectedRows(stats: any, header: readonly string[]): Record<string, string>[] {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const keyCell = (key: any, col: string) => (col === 'countryCode' ? cell(key.country?.code) : cell(key[col]));
  const dims = header.slice(1, header.length - MEASURES.length);
  const row = (kind: string, key: any, m: any) =>
    Object.fromEntries([
      ['row', kind],
      ...dims.map((d) => [d, key ? keyCell(key, d) : '']),
      ...MEASURES.map((c) => [c, cell(m[c])]),
    ]);
  return [...stats.rows.map((r: any) => row('group', r.key, r.measures)), row('total', null, stats.totals)];
}

describe('statisticalExtract (signed statistical extract)', function () {
  this.timeout(120_000);
  let a: string;
  let tokenA: string;
  let tokenB: string;
  let dir: string;

  beforeFreshData(async () => {
    const ids = await insertTwoTraders(
      { name: 'Xəzər Ağ Çiçək Şüşə Öyün MMC', declarations: A_DECLS },
      { name: 'Beta Gizli MMC', items: [item('8471300000', 'CN', B_VALUE)] },
    );
    a = ids.a;
    const b = ids.b;
    tokenA = await traderToken(a);
    tokenB = await traderToken(b);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-spec-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function extract(
    format: 'PDF' | 'CSV',
    groupBy: string[],
    filter?: Record<string, unknown>,
    token = tokenA,
  ): Promise<Extract> {
    const r = await gql<{ statisticalExtract: Extract }>(EXTRACT, { f: filter, g: groupBy, fmt: format }, token);
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    return r.data!.statisticalExtract;
  }

  /** Writes the document and its signature as a client would save them; returns the document's path. */
  function save(x: Extract, name = x.fileName): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(x.document, 'base64'));
    fs.writeFileSync(`${file}.p7s`, Buffer.from(x.signature, 'base64'));
    return file;
  }

  function opensslVerify(file: string, sig = `${file}.p7s`): { ok: boolean; stderr: string } {
    const r = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-content',
        file,
        '-inform',
        'DER',
        '-in',
        sig,
        '-CAfile',
        ROOT_CA,
        '-out',
        '/dev/null',
      ],
      { encoding: 'utf8' },
    );
    return { ok: r.status === 0, stderr: r.stderr };
  }

  const verifyCli = (...args: string[]) => runCli('src/cli/verify-extract.ts', args);

  function statementOf(x: Extract) {
    const bytes = Buffer.from(x.document, 'base64');
    const text = x.contentType === 'application/pdf' ? embeddedCsv(bytes) : bytes.toString('utf8');
    expect(text, 'the extract text').to.be.a('string');
    return parseStatement(text!);
  }

  for (const format of ['CSV', 'PDF'] as const) {
    describe(`${format}`, () => {
      let x: Extract;
      let file: string;
      before(async () => {
        x = await extract(format, ['HS4', 'COUNTRY', 'YEAR'], { direction: 'IMPORT', from: '2023-01-01' });
        file = save(x);
      });

      it('openssl cms -verify accepts the document with its detached signature against the test root', function () {
        if (!OPENSSL) this.skip(); // openssl is not installed on this machine: nothing to run it with
        const r = opensslVerify(file);
        expect(r.ok, r.stderr).to.equal(true);
        expect(r.stderr).to.contain('Verification successful');
      });

      it('npm run verify-extract accepts it and prints the signer and what the document says', async () => {
        const r = await verifyCli(file);
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.contain('extract verified');
        expect(r.stdout).to.contain('CN=Customs trade statistics extract signer (TEST)');
        expect(r.stdout).to.contain('CN=AZ National Root CA (TEST)');
        expect(r.stdout).to.contain('participantName: Xəzər Ağ Çiçək Şüşə Öyün MMC');
        expect(r.stdout).to.contain(`auditRecordSeq: ${x.audit.recordSeq}`);
        expect(r.stdout).to.contain('groupBy: HS4;COUNTRY;YEAR');
        expect(r.stdout).to.contain('filter: {"direction":"IMPORT","from":"2023-01-01"}');
      });

      it('one flipped byte in the document fails openssl and verify-extract (naming the document)', async () => {
        const doc = Buffer.from(x.document, 'base64');
        for (const at of [0, Math.floor(doc.length / 2), doc.length - 1]) {
          const bad = Buffer.from(doc);
          bad[at] = bad[at]! ^ 0x01;
          const f = path.join(dir, `flipped-doc-${format}-${at}`);
          fs.writeFileSync(f, bad);
          fs.copyFileSync(`${file}.p7s`, `${f}.p7s`);
          if (OPENSSL) expect(opensslVerify(f).ok, `openssl, byte ${at}`).to.equal(false);
          const r = await verifyCli(f);
          expect(r.code, `verify-extract, byte ${at}: ${r.stdout}`).to.equal(1);
          expect(r.stdout).to.match(/extract NOT verified: document failed: .*CONTENT_MISMATCH/);
        }
      });

      it('one flipped byte in the signature value fails openssl and verify-extract (naming the signature)', async () => {
        const sig = Buffer.from(x.signature, 'base64');
        const bad = Buffer.from(sig);
        bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01; // the last byte of the signer's signature value
        const f = path.join(dir, `flipped-sig-${format}`);
        fs.copyFileSync(file, f);
        fs.writeFileSync(`${f}.p7s`, bad);
        if (OPENSSL) expect(opensslVerify(f).ok).to.equal(false);
        const r = await verifyCli(f);
        expect(r.code, r.stdout).to.equal(1);
        expect(r.stdout).to.match(/extract NOT verified: signature failed: .*SIGNATURE_INVALID/);
      });

      it('its figures equal tradeStatistics exactly, and it names the participant, query, time and audit record', async () => {
        const s = statementOf(x);
        const stats = await gql(
          STATS,
          { f: { direction: 'IMPORT', from: '2023-01-01' }, g: ['HS4', 'COUNTRY', 'YEAR'] },
          tokenA,
        );
        expect(s.header).to.deep.equal(['row', 'hsCode', 'countryCode', 'year', ...MEASURES]);
        expect(s.rows).to.deep.equal(expectedRows(stats.data.tradeStatistics, s.header));
        expect(s.rows.filter((r) => r.row === 'group')).to.have.length(3);
        expect(s.rows.at(-1)).to.include({ row: 'total', customsValueAzn: '351.34', netWeightKg: '40.500' });
        expect(s.fields.get('format')).to.equal(format);
        expect(s.fields.get('participantName')).to.equal('Xəzər Ağ Çiçək Şüşə Öyün MMC');
        expect(s.fields.get('participantVoen')).to.equal('1000000001');
        expect(s.fields.get('issuedAt')).to.equal(x.issuedAt);
        expect(s.fields.get('auditRecordId')).to.equal(x.audit.recordId);
        expect(s.fields.get('auditRecordSeq')).to.equal(x.audit.recordSeq);
        expect(s.fields.get('auditRequestId')).to.equal(x.audit.requestId);
        expect(s.fields.get('figuresSha256')).to.equal(sha256Hex(s.figuresCsv)).and.to.equal(x.audit.figuresSha256);
        expect(x.documentSha256).to.equal(sha256Hex(Buffer.from(x.document, 'base64')));
        expect(x.signatureFileName).to.equal(`${x.fileName}.p7s`);
        expect(x.fileName).to.match(
          new RegExp(`^statistical-extract-1000000001-\\d{8}T\\d{6}Z-${x.audit.recordSeq}\\.${format.toLowerCase()}$`),
        );
      });

      it('the audit record it names was written before it, registers it, and holds the SHA-256 of its figures', async () => {
        const { ds } = testDb();
        const rows = await ds.query(
          `SELECT id::text, seq::text, request_id, participant_id::text, operation_name, root_fields, encode(response_hash, 'hex') AS hash,
                  rows_returned, variables, occurred_at
             FROM audit_records WHERE request_id = $1 ORDER BY seq`,
          [x.audit.requestId],
        );
        expect(rows).to.have.length(2); // the registration, then the operation's own record
        const [reg, op] = rows;
        expect(reg).to.include({ id: x.audit.recordId, seq: x.audit.recordSeq, participant_id: a });
        expect(reg.operation_name).to.equal(REGISTRATION_OPERATION);
        expect(reg.root_fields).to.deep.equal(['statisticalExtract']);
        expect(reg.hash).to.equal(x.audit.figuresSha256);
        expect(reg.rows_returned).to.equal(3);
        expect(JSON.parse(reg.variables)).to.deep.equal({
          filter: { direction: 'IMPORT', from: '2023-01-01' },
          format,
          groupBy: ['HS4', 'COUNTRY', 'YEAR'],
        });
        expect(new Date(reg.occurred_at).toISOString()).to.equal(x.issuedAt);
        expect(op.root_fields).to.deep.equal(['statisticalExtract']);
        expect(BigInt(op.seq) > BigInt(reg.seq)).to.equal(true);
        // The trader sees the registration in their own query history.
        const h = await gql('{ myQueryHistory(first: 50) { edges { node { id operationName } } } }', {}, tokenA);
        const ids = h.data.myQueryHistory.edges.map((e: any) => e.node.id);
        expect(ids).to.include(x.audit.recordId);
      });
    });
  }

  it('its figures equal tradeStatistics for other groupings and filters, totals only included', async () => {
    const cases: [string[], Record<string, unknown> | undefined][] = [
      [[], undefined],
      [['DIRECTION', 'MONTH'], undefined],
      [['HS10'], { hsCodePrefix: '8471' }],
      [['CUSTOMS_POST', 'PROCEDURE', 'TRANSPORT_MODE', 'QUARTER'], { to: '2024-01-31' }],
      [['HS2', 'COUNTRY'], { countryCode: 'CN' }],
    ];
    for (const [g, f] of cases) {
      const x = await extract('CSV', g, f);
      const s = statementOf(x);
      const stats = await gql(STATS, { f, g }, tokenA);
      expect(s.rows, JSON.stringify(g)).to.deep.equal(expectedRows(stats.data.tradeStatistics, s.header));
    }
  });

  it("another trader's data never appears: each extract holds its own participant's figures only", async () => {
    const xa = await extract('CSV', ['HS10', 'COUNTRY', 'DIRECTION']);
    const xb = await extract('CSV', ['HS10', 'COUNTRY', 'DIRECTION'], undefined, tokenB);
    const ta = Buffer.from(xa.document, 'base64').toString('utf8');
    const tb = Buffer.from(xb.document, 'base64').toString('utf8');
    expect(ta).not.to.contain(B_VALUE).and.not.to.contain('Beta Gizli').and.not.to.contain('1000000002');
    expect(tb).to.contain(B_VALUE).and.to.contain('Beta Gizli');
    expect(tb).not.to.contain('Xəzər').and.not.to.contain('100.10').and.not.to.contain('1000000001');
    const sb = statementOf(xb);
    expect(sb.rows).to.have.length(2);
    expect(sb.rows.at(-1)).to.include({ row: 'total', itemCount: '1', customsValueAzn: B_VALUE });
    // A filter naming the other trader's only group finds nothing of theirs in A's extract.
    const none = statementOf(
      await extract('CSV', ['COUNTRY'], { hsCodePrefix: '8471', to: '2023-03-10', from: '2023-03-10' }),
    );
    expect(none.rows.at(-1)).to.include({ row: 'total', customsValueAzn: '300.30' });
  });

  it('an officer gets the coded error tradeStatistics gives; no session gets UNAUTHENTICATED', async () => {
    const officer = await officerToken();
    const stats = await gql(STATS, { g: ['YEAR'] }, officer);
    const x = await gql(EXTRACT, { g: ['YEAR'], fmt: 'CSV' }, officer);
    expect(errorCode(stats)).to.equal('FORBIDDEN');
    expect(errorCode(x)).to.equal(errorCode(stats));
    expect(x.data ?? null).to.equal(null);
    expect(errorCode(await gql(EXTRACT, { g: ['YEAR'], fmt: 'CSV' }))).to.equal('UNAUTHENTICATED');
    const forged = await gql(EXTRACT, { g: ['YEAR'], fmt: 'CSV' }, 'not-a-session-token');
    expect(errorCode(forged)).to.equal('UNAUTHENTICATED');
  });

  it('malformed input is BAD_USER_INPUT (or a validation error) and registers nothing', async () => {
    const { ds } = testDb();
    const [{ n: before }] = await ds.query(`SELECT count(*)::int AS n FROM audit_records WHERE operation_name = $1`, [
      REGISTRATION_OPERATION,
    ]);
    const bad: [Record<string, unknown>, string][] = [
      [{ g: ['YEAR', 'YEAR'], fmt: 'CSV' }, 'BAD_USER_INPUT'],
      [{ g: ['HS2', 'HS4'], fmt: 'PDF' }, 'BAD_USER_INPUT'],
      [{ g: ['YEAR'], fmt: 'CSV', f: { countryCode: 'XX' } }, 'BAD_USER_INPUT'],
      [{ g: ['YEAR'], fmt: 'CSV', f: { from: '2024-02-30' } }, 'BAD_USER_INPUT'],
      [{ g: ['YEAR'], fmt: 'DOCX' }, 'BAD_USER_INPUT'],
    ];
    for (const [vars, code] of bad) {
      const r = await gql(EXTRACT, vars, tokenA);
      expect(errorCode(r), JSON.stringify(vars)).to.equal(code);
      expect(r.data?.statisticalExtract ?? null).to.equal(null);
    }
    const [{ n: after }] = await ds.query(`SELECT count(*)::int AS n FROM audit_records WHERE operation_name = $1`, [
      REGISTRATION_OPERATION,
    ]);
    expect(after).to.equal(before);
  });

  it('cost limits apply: too many extracts in one operation are QUERY_TOO_COMPLEX before anything runs', async () => {
    const { ds } = testDb();
    const count = async () =>
      (
        await ds.query(`SELECT count(*)::int AS n FROM audit_records WHERE operation_name = $1`, [
          REGISTRATION_OPERATION,
        ])
      )[0].n;
    const before = await count();
    const fields = Array.from(
      { length: 11 },
      (_, n) => `x${n}: statisticalExtract(groupBy: [YEAR], format: CSV) { fileName }`,
    );
    const r = await gql(`{ ${fields.join(' ')} }`, undefined, tokenA);
    expect(errorCode(r)).to.equal('QUERY_TOO_COMPLEX');
    expect(await count()).to.equal(before);
    const ok = await gql(`{ ${fields.slice(0, 2).join(' ')} }`, undefined, tokenA);
    expect(ok.errors).to.equal(undefined);
    expect(await count()).to.equal(before + 2);
  });

  it(`refuses more than ${MAX_EXTRACT_GROUPS} groups (a signed extract is never truncated)`, async () => {
    const { ds } = testDb();
    const c = await insertParticipant('1000000003', 'Many Groups MMC');
    await insertDeclarations(c, [
      { number: 'C-1', date: '2024-05-05', direction: 'IM', items: [item('8471300000', 'CN', '1.00')] },
    ]);
    await ds.query(
      `INSERT INTO declaration_items (participant_id, declaration_id, item_number, registration_date, direction,
         customs_post_code, procedure_code, hs_code, partner_country, transport_mode, net_weight_kg, gross_weight_kg,
         customs_value_azn, statistical_value_usd)
       SELECT participant_id, declaration_id, 1 + g, registration_date, direction, customs_post_code, procedure_code,
              '8471' || lpad(g::text, 6, '0'), partner_country, transport_mode, 1, 1, 1, 1
         FROM declaration_items, generate_series(1, $2::int) g WHERE participant_id = $1`,
      [c, MAX_EXTRACT_GROUPS],
    );
    const token = await traderToken(c);
    const r = await gql(EXTRACT, { g: ['HS10'], fmt: 'CSV' }, token);
    expect(errorCode(r)).to.equal('BAD_USER_INPUT');
    expect(r.errors![0]!.message).to.contain('never truncated');
    const fine = await gql(EXTRACT, { g: ['HS4'], fmt: 'CSV' }, token);
    expect(fine.errors).to.equal(undefined);
  });

  describe('verify-extract refuses what is not the service’s signed extract', () => {
    let file: string;
    before(async () => {
      file = save(await extract('CSV', ['YEAR']), 'plain.csv');
    });

    /** A copy of the extract, as `name`.csv, with a detached CMS signature by certs-test's `signer` (chain: `ca`). */
    const signedCopy = (name: string, signer: string, ca: string): string => {
      const f = path.join(dir, `${name}.csv`);
      fs.copyFileSync(file, f);
      cmsSign(f, signer, ca);
      return f;
    };

    it('a signature by a trusted citizen certificate that is not a document signer (certificate)', async function () {
      if (!OPENSSL) this.skip();
      const f = signedCopy('forged', 'legal-rsa', 'issuing-ca');
      const r = await verifyCli(f);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/certificate failed: .*document-signing/);
    });

    it('a signer of an untrusted lookalike hierarchy (certificate, CERT_UNTRUSTED)', async function () {
      if (!OPENSSL) this.skip();
      const f = signedCopy('lookalike', 'lookalike-leaf', 'lookalike-issuing-ca');
      expect(opensslVerify(f).ok).to.equal(false);
      const r = await verifyCli(f);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/certificate failed: .*CERT_UNTRUSTED/);
    });

    it('a signature file that is not CMS (signature file) and the wrong extract’s signature (document)', async () => {
      const f = path.join(dir, 'garbage.csv');
      fs.copyFileSync(file, f);
      fs.writeFileSync(`${f}.p7s`, 'not a signature at all');
      let r = await verifyCli(f);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/signature file failed: .*SIGNATURE_MALFORMED/);
      const other = save(await extract('CSV', ['DIRECTION']), 'other.csv');
      r = await verifyCli(file, `${other}.p7s`);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/document failed/);
    });

    it('a file the document signer signed that is no extract, or whose figures were changed before signing (content)', async function () {
      if (!OPENSSL) this.skip();
      const sign = (f: string) => cmsSign(f, 'document-signer', 'issuing-ca');
      const notExtract = path.join(dir, 'letter.txt');
      fs.writeFileSync(notExtract, 'Dear bank, trust me.\n');
      sign(notExtract);
      let r = await verifyCli(notExtract);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/content failed/);
      const edited = path.join(dir, 'edited.csv');
      fs.writeFileSync(edited, fs.readFileSync(file, 'utf8').replace(/\ntotal,,(\d+)/, '\ntotal,,9$1'));
      expect(fs.readFileSync(edited, 'utf8')).not.to.equal(fs.readFileSync(file, 'utf8'));
      sign(edited);
      r = await verifyCli(edited);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stdout).to.match(/content failed: the figures do not hash to the figuresSha256/);
    });

    it('a base64 signature file (as copied from the API answer) verifies too; usage and missing files exit 2', async () => {
      const x = await extract('CSV', ['MONTH']);
      const f = save(x, 'b64.csv');
      fs.writeFileSync(`${f}.p7s`, `${x.signature}\n`);
      expect((await verifyCli(f)).code).to.equal(0);
      expect((await verifyCli()).code).to.equal(2);
      expect((await verifyCli(path.join(dir, 'missing.csv'))).code).to.equal(2);
    });
  });

  it('signs with an ECDSA P-256 key as well (openssl verifies it)', async function () {
    if (!OPENSSL) this.skip();
    const signer = new DocumentSigner({
      signingCertFile: path.join(ROOT, 'certs-test/legal-ec.cert.pem'),
      signingKeyFile: path.join(ROOT, 'certs-test/legal-ec.key.pem'),
      chainFiles: [path.join(ROOT, 'certs-test/issuing-ca.cert.pem')],
    });
    const f = path.join(dir, 'ec.txt');
    fs.writeFileSync(f, 'ə ğ ı ö ü ç ş\n');
    fs.writeFileSync(`${f}.p7s`, await signer.signDetached(fs.readFileSync(f), new Date('2026-01-02T03:04:05Z')));
    const r = opensslVerify(f);
    expect(r.ok, r.stderr).to.equal(true);
  });

  it('a PDF is deterministic for the same statement and the server clock dates it', async () => {
    const { clock } = await testServer();
    const fixed = new Date('2026-06-01T08:30:00.000Z');
    const saved = clock.now();
    clock.set(fixed);
    try {
      const x = await extract('PDF', ['YEAR']);
      expect(x.issuedAt).to.equal(fixed.toISOString());
      const pdf = Buffer.from(x.document, 'base64');
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-')).to.equal(true);
      expect(text).to.contain('/CreationDate (D:20260601083000Z)');
      expect(text).to.match(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
      expect(text).to.contain('/FontFile2');
      expect(text).not.to.contain('/Helvetica');
      // Same statement (same audit reference substituted) → same bytes: the renderer itself, twice.
      const st = {
        format: 'PDF' as const,
        issuedAt: fixed,
        participant: { id: '1', kind: 'LEGAL_ENTITY', name: 'ə ğ ı ö ü ç ş', voen: '1', fin: null, gooen: null },
        query: { filter: {}, groupBy: [] },
        audit: { recordId: '1', recordSeq: '1', requestId: 'r' },
        figuresCsv: figuresCsv(
          {
            rows: [],
            totals: {
              declarationCount: 0,
              itemCount: 0,
              customsValueAzn: '0',
              statisticalValueUsd: '0',
              netWeightKg: '0',
              grossWeightKg: '0',
              supplementaryQuantity: null,
              supplementaryUnit: null,
            },
            truncated: false,
          },
          [],
        ),
        signerSubject: 'CN=x',
      };
      expect((await renderPdf(st)).equals(await renderPdf(st))).to.equal(true);
    } finally {
      clock.set(saved);
    }
  });
});
