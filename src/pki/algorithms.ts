/**
 * Signature algorithm allow-list shared by CMS signer infos and OCSP responses: RSA PKCS#1 v1.5 (with the
 * digest named elsewhere or a SHA-2 …WithRSAEncryption OID), RSASSA-PSS with SHA-2 hash and MGF1-SHA-2, and
 * ECDSA with SHA-2.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, SHA2_BY_OID } from './der';

const RSA_WITH_SHA2 = new Set(['1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13']);
const ECDSA_WITH_SHA2 = new Set(['1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4']);

/** Returns a problem description, or undefined when the signature algorithm is acceptable. */
export function signatureAlgorithmProblem(alg: pkijs.AlgorithmIdentifier): string | undefined {
  const id = alg.algorithmId;
  if (id === OID.rsaEncryption || RSA_WITH_SHA2.has(id) || ECDSA_WITH_SHA2.has(id)) return undefined;
  if (id !== OID.rsassaPss) return `signature algorithm ${id} is not allowed`;
  if (!(alg.algorithmParams instanceof asn1js.Sequence))
    return 'RSASSA-PSS without parameters means SHA-1, which is not allowed';
  let params: pkijs.RSASSAPSSParams;
  try {
    params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
  } catch {
    return 'RSASSA-PSS parameters do not parse';
  }
  if (!SHA2_BY_OID[params.hashAlgorithm.algorithmId])
    return `RSASSA-PSS hash ${params.hashAlgorithm.algorithmId} is not SHA-2`;
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1) return 'RSASSA-PSS mask generation function is not MGF1';
  try {
    const mgfHash = new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams });
    if (!SHA2_BY_OID[mgfHash.algorithmId]) return `RSASSA-PSS MGF1 hash ${mgfHash.algorithmId} is not SHA-2`;
  } catch {
    return 'RSASSA-PSS MGF1 parameters do not parse (default SHA-1 is not allowed)';
  }
  return undefined;
}
