/**
 * Checkpoints in the formats of Certificate Transparency's successors (C2SP), so that any
 * tlog client (golang.org/x/mod/sumdb/note, transparency-dev/formats) can check them:
 *
 *  - body, C2SP `tlog-checkpoint`: three lines — the log's origin, the tree size in decimal,
 *    the RFC 6962 root hash in standard base64 — each ending in "\n";
 *  - envelope, C2SP `signed-note`: the body, an empty line, then one line per signature:
 *    "— <key name> <base64(key hash ‖ signature)>\n" (U+2014 EM DASH, a space). The key hash is
 *    the first 4 bytes of SHA-256(<key name> ‖ 0x0A ‖ 0x01 ‖ <32-byte Ed25519 public key>); 0x01
 *    is the Ed25519 signature type. The signature is Ed25519 over the body's bytes.
 *
 * A verifier key is written `<name>+<key hash, 8 hex digits>+<base64(0x01 ‖ public key)>`.
 */
import crypto, { type KeyObject } from 'node:crypto';

const ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';

/** Raw 32-byte Ed25519 public key of a KeyObject (public or private). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  const jwk = pub.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** An Ed25519 public KeyObject from its 32 raw bytes. */
export function ed25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** An Ed25519 private KeyObject from its 32-byte seed (RFC 8410 PKCS#8 wrapping). */
export function ed25519PrivateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed has 32 bytes');
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function checkKeyName(name: string): void {
  if (name === '' || /[\s+]/u.test(name)) throw new Error(`signed-note: invalid key name "${name}"`);
}

/** The 4-byte key hash of an Ed25519 note key. */
export function noteKeyHash(name: string, publicKey: KeyObject): Buffer {
  return crypto
    .createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ED25519]), rawEd25519PublicKey(publicKey)]))
    .digest()
    .subarray(0, 4);
}

export interface NoteVerifier {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

export function noteVerifier(name: string, publicKey: KeyObject): NoteVerifier {
  checkKeyName(name);
  return { name, keyHash: noteKeyHash(name, publicKey), publicKey };
}

/** `<name>+<hash hex>+<base64(0x01 ‖ key)>`: how a note verifier key is published. */
export function formatVerifierKey(v: NoteVerifier): string {
  const raw = Buffer.concat([Buffer.from([ED25519]), rawEd25519PublicKey(v.publicKey)]);
  return `${v.name}+${v.keyHash.toString('hex')}+${raw.toString('base64')}`;
}

export function parseVerifierKey(s: string): NoteVerifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(s.trim());
  if (!m) throw new Error('not a note verifier key (name+hash+key)');
  const raw = Buffer.from(m[3], 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) throw new Error('not an Ed25519 note verifier key');
  const v = noteVerifier(m[1], ed25519PublicKeyFromRaw(raw.subarray(1)));
  if (v.keyHash.toString('hex') !== m[2]) throw new Error('note verifier key: the key hash does not match');
  return v;
}

/** Parses `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>` (Go's note.NewSigner format). */
export function parseSignerKey(s: string): { name: string; privateKey: KeyObject } {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(s.trim());
  if (!m) throw new Error('not a note signer key');
  const raw = Buffer.from(m[3], 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) throw new Error('not an Ed25519 note signer key');
  const privateKey = ed25519PrivateKeyFromSeed(raw.subarray(1));
  if (noteKeyHash(m[1], privateKey).toString('hex') !== m[2]) throw new Error('note signer key: hash mismatch');
  return { name: m[1], privateKey };
}

/** Signs `text` (ending in exactly one newline) into a signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  checkKeyName(name);
  if (!text.endsWith('\n') || text.endsWith('\n\n') || text.includes('\r')) {
    throw new Error('signed-note: the text must end in exactly one newline');
  }
  const sig = crypto.sign(null, Buffer.from(text, 'utf8'), privateKey);
  const keyHash = noteKeyHash(name, privateKey);
  return `${text}\n${SIG_PREFIX}${name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;
}

export class NoteError extends Error {}

/**
 * Opens a signed note: returns its text when at least one signature is by a known verifier and
 * valid. A signature by a known key that does not verify is an error; unknown keys are ignored.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): { text: string; signedBy: string[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('not a signed note (no signature block)');
  const text = note.slice(0, split + 1);
  const lines = note
    .slice(split + 2)
    .split('\n')
    .slice(0, -1);
  if (lines.length === 0) throw new NoteError('signed note without signatures');
  const signedBy: string[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/u.exec(line);
    if (!m) throw new NoteError('malformed signature line');
    const blob = Buffer.from(m[2], 'base64');
    if (blob.length < 5) throw new NoteError('malformed signature line');
    const v = verifiers.find((x) => x.name === m[1] && x.keyHash.equals(blob.subarray(0, 4)));
    if (!v) continue;
    if (!crypto.verify(null, Buffer.from(text, 'utf8'), v.publicKey, blob.subarray(4))) {
      throw new NoteError(`invalid signature by ${v.name}+${v.keyHash.toString('hex')}`);
    }
    signedBy.push(v.name);
  }
  if (signedBy.length === 0) throw new NoteError('no signature by a known key');
  return { text, signedBy };
}

export interface CheckpointBody {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** Extension lines after the root hash (none are written here). */
  extensions: string[];
}

export function formatCheckpointBody(origin: string, size: number, rootHash: Buffer): string {
  if (origin === '' || /\n/.test(origin)) throw new Error('tlog-checkpoint: invalid origin');
  if (!Number.isSafeInteger(size) || size < 0) throw new Error('tlog-checkpoint: invalid tree size');
  if (rootHash.length !== 32) throw new Error('tlog-checkpoint: the root hash has 32 bytes');
  return `${origin}\n${size}\n${rootHash.toString('base64')}\n`;
}

export function parseCheckpointBody(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('not a tlog checkpoint');
  const [origin, size, root, ...rest] = lines.slice(0, -1);
  if (origin === '' || !/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new NoteError('not a tlog checkpoint (origin or size)');
  }
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) {
    throw new NoteError('not a tlog checkpoint (root hash)');
  }
  if (rest.some((l) => l === '')) throw new NoteError('not a tlog checkpoint (empty extension line)');
  return { origin, size: Number(size), rootHash, extensions: rest };
}

/** A checkpoint of tree `size` with `rootHash`, signed by the key `name` as a C2SP signed note. */
export function signCheckpointNote(
  origin: string,
  size: number,
  rootHash: Buffer,
  name: string,
  privateKey: KeyObject,
): string {
  return signNote(formatCheckpointBody(origin, size, rootHash), name, privateKey);
}

/** Opens a checkpoint note signed by `verifier`; with `origin`, the note must be of that log. */
export function openCheckpointNote(note: string, verifier: NoteVerifier, origin?: string): CheckpointBody {
  const { text } = openNote(note, [verifier]);
  const body = parseCheckpointBody(text);
  if (origin !== undefined && body.origin !== origin) {
    throw new NoteError(`checkpoint of another log ("${body.origin}", expected "${origin}")`);
  }
  return body;
}
