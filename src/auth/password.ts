/**
 * Passwords in one place: the argon2id parameters, one-time password generation, the policy a
 * chosen password must meet, and username normalisation. Nothing here logs or returns a hash.
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

/** True when the hash was made with other parameters than ARGON2_PARAMS (or is not an argon2 hash). */
export function needsRehash(hash: string): boolean {
  try {
    const used = argon2.parseOptions(hash);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- per key both sides have the same type
    return (Object.keys(ARGON2_PARAMS) as (keyof typeof ARGON2_PARAMS)[]).some((k) => used[k] !== ARGON2_PARAMS[k]);
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random password with the same parameters: an unknown username is verified
 * against it, so both paths of a failed login do the same work.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomBytes(32).toString('base64url'));
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
