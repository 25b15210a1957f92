/**
 * The service key that signs checkpoints of the audit chain head (Ed25519, node:crypto).
 *
 * AUDIT_SIGNING_KEY_FILE names a PEM (PKCS#8) Ed25519 private key. When it is unset the key is
 * generated on first start as <audit dir>/audit-signing-key.pem (mode 0600) with its public half
 * next to it (audit-signing-key.pub.pem, for auditors); the audit dir is AUDIT_DATA_DIR, else
 * <embedded data folder>/audit. Under NODE_ENV=test without either, an in-memory key is generated.
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config';
import { defaultDataRoot } from '../db/embedded';
import { noteVerifier, openCheckpointNote, signCheckpointNote } from './checkpoint-note';

export interface SigningKey {
  readonly privateKey: KeyObject | null;
  readonly publicKey: KeyObject;
  /** First 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  readonly keyId: string;
  /** Where the key came from, for messages. */
  readonly source: string;
}

export const KEY_FILE_NAME = 'audit-signing-key.pem';
export const PUBLIC_KEY_FILE_NAME = 'audit-signing-key.pub.pem';

export function keyIdOf(publicKey: KeyObject): string {
  return crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function fromPrivate(privateKey: KeyObject, source: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${source}: not an Ed25519 private key`);
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), source };
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  return fromPrivate(privateKey, 'generated in memory');
}

export function readPrivateKeyFile(file: string): SigningKey {
  return fromPrivate(crypto.createPrivateKey(fs.readFileSync(file)), file);
}

/** A public key only (PEM SPKI, or a private key file from which the public half is taken). */
export function readPublicKeyFile(file: string): SigningKey {
  const pem = fs.readFileSync(file);
  const publicKey = crypto.createPublicKey(pem);
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file}: not an Ed25519 key`);
  return { privateKey: null, publicKey, keyId: keyIdOf(publicKey), source: file };
}

/**
 * Creates a private folder (0700) without making the folders above it private too (a recursive
 * mkdir gives every folder it creates the same mode). The default audit folder sits inside the
 * embedded cluster's data root, which the postgres OS user must still be able to enter.
 */
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function writeKeyFiles(dir: string, key: SigningKey): string {
  mkdirPrivate(dir);
  const file = path.join(dir, KEY_FILE_NAME);
  fs.writeFileSync(file, key.privateKey!.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(path.join(dir, PUBLIC_KEY_FILE_NAME), key.publicKey.export({ type: 'spki', format: 'pem' }));
  return file;
}

/** The folder of the generated key and the checkpoint witness log; undefined in tests unless configured. */
export function auditDir(config: AppConfig): string | undefined {
  if (config.audit.dataDir) return config.audit.dataDir;
  if (config.env === 'test') return undefined;
  return path.join(config.db.embedded.dataRoot ?? defaultDataRoot(config.rootDir), 'audit');
}

/**
 * The service's signing key. `create` (the service) generates and keeps one when none exists;
 * without it (the verifier) a missing key is an error.
 */
export function loadSigningKey(config: AppConfig, opts: { create: boolean }): SigningKey {
  if (config.audit.signingKeyFile) {
    if (!fs.existsSync(config.audit.signingKeyFile)) {
      throw new Error(`AUDIT_SIGNING_KEY_FILE: ${config.audit.signingKeyFile} does not exist`);
    }
    return readPrivateKeyFile(config.audit.signingKeyFile);
  }
  const dir = auditDir(config);
  if (dir === undefined) {
    if (!opts.create) throw new Error('no audit signing key: set AUDIT_SIGNING_KEY_FILE or AUDIT_DATA_DIR');
    return generateSigningKey();
  }
  const file = path.join(dir, KEY_FILE_NAME);
  if (fs.existsSync(file)) return readPrivateKeyFile(file);
  if (!opts.create) throw new Error(`no audit signing key at ${file} (set AUDIT_SIGNING_KEY_FILE or AUDIT_DATA_DIR)`);
  const key = generateSigningKey();
  try {
    writeKeyFiles(dir, key);
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readPrivateKeyFile(file);
    throw e;
  }
  return { ...key, source: file };
}

export interface Checkpoint {
  /** The chain position of the newest record covered (= the tree size for note checkpoints). */
  seq: string;
  recordId: string;
  headHash: Buffer;
  createdAt: Date;
  keyId: string;
  /** Ed25519 signature: over the note's body, or (checkpoints before the Merkle tree) over checkpointMessage(). */
  signature: Buffer;
  /**
   * The C2SP signed note (tlog-checkpoint body: origin, tree size, root hash) of the Merkle tree of
   * records 1..seq; absent in checkpoints signed before the tree (migration 1764000001000).
   */
  note?: string;
  /** The tree's root hash, as in the note. */
  rootHash?: Buffer;
}

/** The exact bytes a checkpoint signature of the old format (no note) covers. */
export function checkpointMessage(c: Omit<Checkpoint, 'signature' | 'keyId'>): Buffer {
  return Buffer.from(
    `customs-audit-checkpoint/v1\nseq=${c.seq}\nrecord=${c.recordId}\nhash=${c.headHash.toString('hex')}\nat=${c.createdAt.toISOString()}\n`,
    'utf8',
  );
}

/**
 * Signs a checkpoint of the tree of records 1..seq with root `rootHash`: a C2SP signed note whose
 * key name is the log's origin (AUDIT_LOG_ORIGIN).
 */
export function signCheckpoint(
  key: SigningKey,
  c: Omit<Checkpoint, 'signature' | 'keyId' | 'note' | 'rootHash'> & { rootHash: Buffer; origin: string },
): Checkpoint {
  if (!key.privateKey) throw new Error('the audit key has no private half');
  const { origin, ...rest } = c;
  const note = signCheckpointNote(origin, Number(c.seq), c.rootHash, origin, key.privateKey);
  const sigLine = note.slice(note.lastIndexOf('\n\n') + 2);
  const blob = Buffer.from(sigLine.trim().split(' ').pop()!, 'base64');
  return { ...rest, keyId: key.keyId, signature: blob.subarray(4), note };
}

/** The key names of a note's signature lines. */
function signerNames(note: string): string[] {
  const block = note.slice(note.lastIndexOf('\n\n') + 2);
  return [...block.matchAll(/^\u2014 (\S+) /gmu)].map((m) => m[1]);
}

/**
 * The checkpoint is signed by `key` and says what its row says: for a note, its tree size is
 * `seq` and its root `rootHash` (and, with `origin`, it is of that log).
 */
export function checkpointSignatureValid(key: SigningKey, c: Checkpoint, origin?: string): boolean {
  if (c.keyId !== key.keyId) return false;
  try {
    if (c.note !== undefined) {
      for (const name of signerNames(c.note)) {
        try {
          const body = openCheckpointNote(c.note, noteVerifier(name, key.publicKey), origin);
          return String(body.size) === c.seq && c.rootHash !== undefined && body.rootHash.equals(c.rootHash);
        } catch {
          // another signer's line; try the next
        }
      }
      return false;
    }
    return crypto.verify(null, checkpointMessage(c), key.publicKey, c.signature);
  } catch {
    return false;
  }
}

/** One witness-log line (JSON) per checkpoint, kept outside the database. */
export function witnessLine(c: Checkpoint): string {
  return `${JSON.stringify({
    seq: c.seq,
    recordId: c.recordId,
    headHash: c.headHash.toString('hex'),
    createdAt: c.createdAt.toISOString(),
    keyId: c.keyId,
    signature: c.signature.toString('base64'),
    ...(c.note !== undefined ? { note: c.note, rootHash: c.rootHash?.toString('hex') } : {}),
  })}\n`;
}

export function parseWitnessLine(line: string): Checkpoint {
  const o = JSON.parse(line) as Record<string, string>;
  return {
    seq: String(o.seq),
    recordId: String(o.recordId),
    headHash: Buffer.from(o.headHash, 'hex'),
    createdAt: new Date(o.createdAt),
    keyId: String(o.keyId),
    signature: Buffer.from(o.signature, 'base64'),
    ...(typeof o.note === 'string' ? { note: o.note, rootHash: Buffer.from(String(o.rootHash), 'hex') } : {}),
  };
}

/** The witness log of one database: its file name carries a digest of the database's address. */
export function witnessFile(dir: string, databaseKey: string): string {
  const tag = crypto.createHash('sha256').update(databaseKey).digest('hex').slice(0, 12);
  return path.join(dir, `audit-checkpoints-${tag}.jsonl`);
}
