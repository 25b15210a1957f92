/**
 * npm run audit-verify [-- --public-key FILE] [--witness FILE]
 *
 * Walks the audit chain from its first record, checks every record's hash and link, and every
 * signed checkpoint (audit_checkpoints and the witness log outside the database): the Merkle tree
 * root of each C2SP checkpoint note, and the chain head the writers recorded. Exit 0 when the chain
 * verifies; exit 1 with the first bad chain position (`first bad seq: N`) and the first broken record
 * id otherwise (2: usage or configuration).
 *
 * The key is the service's (AUDIT_SIGNING_KEY_FILE, else the generated one in the audit folder);
 * an auditor may pass the public key alone with --public-key.
 */
import { databaseKey } from '../audit/audit.service';
import { auditDir, loadSigningKey, readPublicKeyFile, witnessFile, type SigningKey } from '../audit/signing';
import { verifyAuditChain } from '../audit/verify';
import { runCli, UsageError } from './bootstrap';

function parseArgs(argv: string[]): { publicKey?: string; witness?: string } {
  const out: { publicKey?: string; witness?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(public-key|witness)(?:=(.*))?$/.exec(a);
    if (!m)
      throw new UsageError(
        `unexpected argument "${a}"\nusage: npm run audit-verify -- [--public-key FILE] [--witness FILE]`,
      );
    const v = m[2] ?? argv[++i];
    if (!v) throw new UsageError(`--${m[1]} needs a value`);
    if (m[1] === 'public-key') out.publicKey = v;
    else out.witness = v;
  }
  return out;
}

void runCli('audit-verify', async ({ config, db, log }) => {
  const args = parseArgs(process.argv.slice(2));
  let key: SigningKey;
  try {
    key = args.publicKey ? readPublicKeyFile(args.publicKey) : loadSigningKey(config, { create: false });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const dir = auditDir(config);
  const witness = args.witness ?? (dir ? witnessFile(dir, await databaseKey(db.ds)) : null);
  const r = await verifyAuditChain({ query: (text, params) => db.ds.query(text, params) }, key, {
    witnessFile: witness,
  });
  for (const w of r.warnings) log(`warning: ${w}`);
  const summary =
    `${r.records} record(s), ${r.checkpoints} checkpoint(s) in the database, ` +
    `${r.witnessEntries} in the witness log${witness ? ` (${witness})` : ''}, key ${key.keyId}`;
  if (r.ok) {
    process.stdout.write(
      `audit chain verified: ${summary}${r.head ? `; head record ${r.head.id} (seq ${r.head.seq})` : ''}\n`,
    );
    return 0;
  }
  const b = r.broken!;
  process.stdout.write(`audit chain BROKEN at record ${b.recordId ?? '?'} (seq ${b.seq}): ${b.reason}\n`);
  process.stdout.write(`first bad seq: ${b.firstBadSeq}\n`);
  process.stdout.write(`first broken record id: ${b.recordId ?? 'unknown'}\n`);
  log(`checked before the break: ${summary}`);
  return 1;
});
