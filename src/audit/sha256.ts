/**
 * SHA-256 in one call: `crypto.hash` (Node ≥ 20.12) skips the Hash object a createHash/update/digest chain
 * allocates, which shows on the accounting's per-request path (a response hash, a record hash and a leaf hash
 * per request) and in the checkpointer's tree. Strings are hashed as UTF-8, as `update(s, 'utf8')` does.
 */
import crypto from 'node:crypto';

const oneShot = typeof crypto.hash === 'function';

export function sha256(data: string | Buffer): Buffer {
  if (oneShot) return crypto.hash('sha256', data, 'buffer');
  return crypto.createHash('sha256').update(data).digest();
}
