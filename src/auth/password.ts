/**
 * Passwords in one place: the argon2id parameters, one-time password generation, the policy a
 * chosen password must meet, and username normalisation. Nothing here logs or returns a hash.
 *
 * A stored hash is a PHC string `$argon2id$v=19$m=…,t=…,p=…$<salt>$<digest>`. The request role never
 * reads it (migration 1764000001200): it gets the part before the digest (StoredPassword, from
 * auth_password_params), computes the digest of the offered password with it here (passwordDigest),
 * and the database compares (auth_password_login, auth_set_password).
 */
import crypto from 'node:crypto';
// @node-rs/argon2 ships a prebuilt binary per platform as an optional dependency: nothing is
// compiled at install (the `argon2` package's glibc prebuild crashed on Debian 12 and it fell back
// to node-gyp, which needs a toolchain and Node's headers from the internet). Its PHC strings are
// the standard ones: hashes written by either package verify with the other.
import argon2 = require('@node-rs/argon2');
import { BadUserInputError } from '../shared/errors';

/** OWASP Password Storage Cheat Sheet, argon2id minimum: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_PARAMS = Object.freeze({
  algorithm: argon2.Algorithm.Argon2id,
  version: argon2.Version.V0x13,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

/** Longer inputs are not hashed: they can never be a valid password (bounds the work per attempt). */
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_PASSWORD_LENGTH = 12;
export const ONE_TIME_PASSWORD_LENGTH = 20;

/** No look-alike characters (0/O, 1/l/I): one-time passwords are read off paper and typed. */
const OTP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_PARAMS);
}

/** False for a wrong password and for anything that is not an argon2 hash; never throws. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A stored hash without its digest: the PHC parameters and salt, and the digest's length in base64 characters. */
export interface StoredPassword {
  readonly params: string;
  readonly digestLength: number;
}

const ALGORITHMS = {
  argon2d: argon2.Algorithm.Argon2d,
  argon2i: argon2.Algorithm.Argon2i,
  argon2id: argon2.Algorithm.Argon2id,
} as const;

/**
 * The argon2 options a stored hash was made with (its salt included), or null when it is not an
 * argon2 hash. `$alg[$v=N]$m=…,t=…,p=…$salt`, the m/t/p pairs in any order (the earlier argon2
 * package wrote m, p, t).
 */
function optionsOf(stored: StoredPassword): (argon2.Options & { salt: Buffer }) | null {
  const parts = stored.params.split('$');
  if (parts.length === 4) parts.splice(2, 0, 'v=16');
  if (parts.length !== 5 || parts[0] !== '' || !(parts[1] in ALGORITHMS)) return null;
  if (parts[2] !== 'v=19' && parts[2] !== 'v=16') return null;
  const kv = new Map(parts[3].split(',').map((x) => x.split('=') as [string, string]));
  const num = (k: string) => (/^[0-9]{1,9}$/.test(kv.get(k) ?? '') ? Number(kv.get(k)) : NaN);
  const [m, t, p] = [num('m'), num('t'), num('p')];
  if (kv.size !== 3 || ![m, t, p].every((x) => x >= 1) || !/^[A-Za-z0-9+/]{8,}$/.test(parts[4])) return null;
  if (!Number.isInteger(stored.digestLength) || stored.digestLength < 6 || stored.digestLength > 1400) return null;
  return {
    algorithm: ALGORITHMS[parts[1] as keyof typeof ALGORITHMS],
    version: parts[2] === 'v=19' ? argon2.Version.V0x13 : argon2.Version.V0x10,
    memoryCost: m,
    timeCost: t,
    parallelism: p,
    outputLen: Math.floor((stored.digestLength * 3) / 4),
    salt: Buffer.from(parts[4], 'base64'),
  };
}

/** The split form of a whole PHC string (for the dummy hash and tests). */
export function storedPasswordOf(hash: string): StoredPassword {
  const cut = hash.lastIndexOf('$');
  return { params: hash.slice(0, cut), digestLength: hash.length - cut - 1 };
}

/**
 * The digest (unpadded base64, as in the PHC string) of `password` under a stored hash's parameters
 * and salt; '' when those are not argon2 parameters (then nothing matches). Never throws.
 */
export async function passwordDigest(stored: StoredPassword, password: string): Promise<string> {
  const opts = optionsOf(stored);
  if (!opts) return '';
  try {
    return (await argon2.hashRaw(password, opts)).toString('base64').replace(/=+$/, '');
  } catch {
    return '';
  }
}

/**
 * True when the hash (whole, or without its digest) was made with other parameters than
 * ARGON2_PARAMS (or is not an argon2 hash).
 */
export function needsRehash(stored: StoredPassword | string): boolean {
  const used = optionsOf(typeof stored === 'string' ? storedPasswordOf(stored) : stored);
  if (!used) return true;
  return (Object.keys(ARGON2_PARAMS) as (keyof typeof ARGON2_PARAMS)[]).some((k) => used[k] !== ARGON2_PARAMS[k]);
}

let dummy: Promise<StoredPassword> | undefined;
/**
 * The parameters of a hash of a random password with the same parameters: a password offered for
 * an unknown username is hashed with them, so both paths of a failed login do the same work.
 */
export function dummyHash(): Promise<StoredPassword> {
  dummy ??= hashPassword(crypto.randomBytes(32).toString('base64url')).then(storedPasswordOf);
  return dummy;
}

/** A one-time password: 20 characters from a 57-letter alphabet via the CSPRNG (≈116.7 bits). */
export function generateOneTimePassword(): string {
  let s = '';
  for (let i = 0; i < ONE_TIME_PASSWORD_LENGTH; i += 1) s += OTP_ALPHABET[crypto.randomInt(OTP_ALPHABET.length)];
  return s;
}

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export function passwordLength(p: string): number {
  return [...p].length;
}

/** The policy for a password the user chooses; the message never contains the password. */
export function checkNewPassword(newPassword: string, currentPassword: string): void {
  const n = passwordLength(newPassword);
  if (n < MIN_PASSWORD_LENGTH) {
    throw new BadUserInputError(`the new password must have at least ${MIN_PASSWORD_LENGTH} characters`, 'newPassword');
  }
  if (n > MAX_PASSWORD_LENGTH) {
    throw new BadUserInputError(`the new password must have at most ${MAX_PASSWORD_LENGTH} characters`, 'newPassword');
  }
  if (newPassword === currentPassword) {
    throw new BadUserInputError('the new password must differ from the previous one', 'newPassword');
  }
}

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** The one form of a username: NFKC, trimmed, lower case. Login, counters and storage all use it. */
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}
