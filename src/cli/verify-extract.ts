/**
 * `npm run verify-extract -- FILE [FILE.p7s]`
 *
 * Verifies a signed statistical extract (statisticalExtract) as a bank would: the detached CMS signature
 * (FILE.p7s by default, DER or base64) over the document's exact bytes, the signer's chain to the configured
 * trust anchors (PKI_TRUST_ANCHORS, PKI_INTERMEDIATES) and its revocation (PKI_CRLS), then prints the signer and
 * what the document says (participant, query, time of issue, audit record, figures). No database, no network.
 *
 * Exit codes: 0 verified; 1 not verified (the line names the failing part: signature file, algorithms, document,
 * signature, certificate, content); 2 the command line, a file or the configuration is wrong.
 */
import fs from 'node:fs';
import { ConfigError, loadConfig } from '../config';
import { verifyExtract, ExtractVerificationError } from '../extracts/verify';
import { systemClock } from '../shared/clock';

const USAGE = 'usage: npm run verify-extract -- FILE [FILE.p7s]\n';

function readFile(path: string, what: string): Buffer | null {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    process.stderr.write(`verify-extract: cannot read the ${what} ${path}: ${(e as Error).message}\n`);
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const files = argv.filter((a) => a !== '--');
  if (files.length < 1 || files.length > 2 || files.some((a) => a.startsWith('-'))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const docPath = files[0]!;
  const sigPath = files[1] ?? `${docPath}.p7s`;
  const document = readFile(docPath, 'document');
  const signature = document && readFile(sigPath, 'signature');
  if (!document || !signature) return 2;
  let pki;
  try {
    pki = loadConfig().pki;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`verify-extract: configuration: ${e.problems.join('; ')}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const r = await verifyExtract({ document, signature, pki, now: systemClock.now() });
    const out: string[] = [
      `extract verified: ${docPath} (${r.format}), signature ${sigPath}`,
      `signer: ${r.signer.subject}`,
      `  issuer: ${r.signer.issuer}`,
      `  serial: ${r.signer.serialNumber}`,
      `  certificate sha256: ${r.signer.fingerprintSha256}`,
      `chain: ${r.path.join(' <- ')}`,
      `signed at: ${r.signingTime.toISOString()}`,
      'the document says:',
      ...[...r.statement.fields].map(([k, v]) => `  ${k}: ${v}`),
      `figures (${r.statement.rows.filter((x) => x.row === 'group').length} group(s) and the total):`,
      ...r.statement.figuresCsv
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => `  ${l}`),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExtractVerificationError) {
      process.stdout.write(`extract NOT verified: ${e.part} failed: ${e.message}${e.code ? ` (${e.code})` : ''}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`verify-extract: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
