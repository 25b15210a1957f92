/**
 * The PKI.js crypto engine used by this module: Node's WebCrypto, plus a bounded cache of imported public
 * keys (PKI.js re-imports the SubjectPublicKeyInfo on every verify; the trust anchors, intermediates and
 * recurring signers are verified over and over).
 *
 * The engine is passed explicitly to every PKI.js call we make. PKI.js also reads a process-global engine in
 * a few helpers; `ensureGlobalPkijsEngine` installs a plain Node WebCrypto engine there only when none is
 * installed yet, so we never replace an engine another part of the application chose.
 */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

const MAX_CACHED_KEYS = 2048;
type CryptoKey = webcrypto.CryptoKey;

export class CachingCryptoEngine extends pkijs.CryptoEngine {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor() {
    super({ name: 'node-webcrypto-cached', crypto: webcrypto });
  }

  override async getPublicKey(
    publicKeyInfo: pkijs.PublicKeyInfo,
    signatureAlgorithm: pkijs.AlgorithmIdentifier,
    parameters?: pkijs.CryptoEnginePublicKeyParams,
  ): Promise<CryptoKey> {
    const params = parameters ?? this.fillPublicKeyParameters(publicKeyInfo, signatureAlgorithm);
    const spki = Buffer.from(publicKeyInfo.toSchema().toBER(false));
    const cacheKey = `${spki.toString('base64')}|${JSON.stringify(params.algorithm)}`;
    let key = this.keys.get(cacheKey);
    if (key) {
      // refresh recency (Map keeps insertion order; the oldest entry is evicted first)
      this.keys.delete(cacheKey);
      this.keys.set(cacheKey, key);
      return key;
    }
    key = this.importKey(
      'spki',
      spki,
      params.algorithm.algorithm as webcrypto.Algorithm,
      true,
      (params.algorithm as { usages?: webcrypto.KeyUsage[] }).usages ?? ['verify'],
    );
    key.catch(() => this.keys.delete(cacheKey));
    this.keys.set(cacheKey, key);
    if (this.keys.size > MAX_CACHED_KEYS) this.keys.delete(this.keys.keys().next().value!);
    return key;
  }
}

let installed = false;
/** Installs a Node WebCrypto engine as PKI.js's global engine unless one is already set. */
export function ensureGlobalPkijsEngine(): void {
  if (installed) return;
  let present = false;
  try {
    present = !!pkijs.getEngine().crypto;
  } catch {
    present = false;
  }
  if (!present)
    pkijs.setEngine('node-webcrypto', new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto }));
  installed = true;
}
