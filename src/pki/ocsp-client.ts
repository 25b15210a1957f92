/**
 * A minimal RFC 6960 OCSP client: one request (SHA-1 CertID, 32-byte nonce) POSTed to the configured URL only,
 * a response that must be signed by the pinned responder certificate, echo our nonce and be fresh.
 * Every failure to obtain a trustworthy answer throws CERT_REVOCATION_UNKNOWN (fail closed).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError, CertRevocationUnknownError } from '../shared/errors';
import { bytesEqual, OID, parseAsn1 } from './der';
import type { LoadedCert } from './trust-store';
import { signatureAlgorithmProblem } from './algorithms';

export interface OcspQuery {
  readonly url: string;
  readonly leaf: pkijs.Certificate;
  readonly issuer: pkijs.Certificate;
  readonly responder: LoadedCert;
  readonly now: Date;
  readonly maxAgeSeconds: number;
  readonly skewSeconds: number;
  readonly timeoutMs: number;
  readonly crypto: pkijs.ICryptoEngine;
}

export type OcspStatus =
  | { readonly status: 'good'; readonly thisUpdate: Date }
  | { readonly status: 'revoked'; readonly thisUpdate: Date; readonly revokedAt: Date | undefined }
  | { readonly status: 'unknown'; readonly thisUpdate: Date };

const MAX_RESPONSE_BYTES = 256 * 1024;

function unknown(reason: string): CertRevocationUnknownError {
  return new CertRevocationUnknownError(`OCSP: ${reason}`);
}

async function post(url: string, body: Uint8Array, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message);
    throw unknown(`responder unreachable (${why})`);
  }
  if (res.status !== 200) throw unknown(`responder answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) throw unknown('response too large');
  let buf: Buffer;
  try {
    buf = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw unknown(`reading the response failed (${(e as Error).message})`);
  }
  if (buf.length > MAX_RESPONSE_BYTES) throw unknown('response too large');
  return buf;
}

function responderMatches(id: pkijs.ResponseData['responderID'], responder: pkijs.Certificate): boolean {
  if (id instanceof pkijs.RelativeDistinguishedNames) return id.isEqual(responder.subject);
  if (id instanceof asn1js.OctetString) {
    const keyHash = createHash('sha1')
      .update(responder.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
      .digest();
    return bytesEqual(keyHash, id.valueBlock.valueHexView);
  }
  return false;
}

export async function queryOcsp(q: OcspQuery): Promise<OcspStatus> {
  const { crypto } = q;
  const responderCert = q.responder.cert;
  if (q.now < responderCert.notBefore.value || q.now > responderCert.notAfter.value) {
    throw unknown('the configured responder certificate is not valid now');
  }

  // --- request -------------------------------------------------------------------------------
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(q.leaf, { hashAlgorithm: 'SHA-1', issuerCertificate: q.issuer }, crypto);
  const nonceExtnValue = new Uint8Array(new asn1js.OctetString({ valueHex: randomBytes(32) }).toBER(false));
  request.tbsRequest.requestExtensions = [
    new pkijs.Extension({ extnID: OID.ocspNonce, critical: false, extnValue: nonceExtnValue.buffer }),
  ];
  const body = new Uint8Array(request.toSchema(true).toBER(false));

  // --- response ------------------------------------------------------------------------------
  const raw = await post(q.url, body, q.timeoutMs);
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = new pkijs.OCSPResponse({ schema: parseAsn1(raw, 'OCSP response') });
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) throw unknown(`responder returned status ${status} (not successful)`);
    if (!response.responseBytes || response.responseBytes.responseType !== OID.ocspBasic)
      throw unknown('not a basic OCSP response');
    basic = new pkijs.BasicOCSPResponse({
      schema: parseAsn1(response.responseBytes.response.valueBlock.valueHexView, 'BasicOCSPResponse'),
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unknown(`response does not parse (${(e as Error).message})`);
  }

  // Signed by the pinned responder certificate — certificates inside the response are ignored.
  if (!responderMatches(basic.tbsResponseData.responderID, responderCert))
    throw unknown('response is not from the configured responder');
  const algProblem = signatureAlgorithmProblem(basic.signatureAlgorithm);
  if (algProblem) throw unknown(`response ${algProblem}`);
  let signatureOk = false;
  try {
    signatureOk = await crypto.verifyWithPublicKey(
      basic.tbsResponseData.tbsView,
      basic.signature,
      responderCert.subjectPublicKeyInfo,
      basic.signatureAlgorithm,
    );
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) throw unknown('response signature does not verify with the configured responder certificate');

  const nonce = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === OID.ocspNonce);
  if (!nonce) throw unknown('response carries no nonce');
  if (!bytesEqual(nonce.extnValue.valueBlock.valueHexView, nonceExtnValue))
    throw unknown('response nonce does not match the request');

  // --- the answer for our certificate --------------------------------------------------------
  const ids = new Map<string, pkijs.CertID>();
  let single: pkijs.SingleResponse | undefined;
  for (const r of basic.tbsResponseData.responses) {
    const alg = r.certID.hashAlgorithm.algorithmId;
    let id = ids.get(alg);
    if (!id) {
      const algName = crypto.getAlgorithmByOID(alg, false) as { name?: string };
      if (!algName?.name) continue;
      id = new pkijs.CertID();
      await id.createForCertificate(q.leaf, { hashAlgorithm: algName.name, issuerCertificate: q.issuer }, crypto);
      ids.set(alg, id);
    }
    if (r.certID.isEqual(id)) {
      single = r;
      break;
    }
  }
  if (!single) throw unknown('response has no status for this certificate');

  const now = q.now.getTime();
  const thisUpdate = single.thisUpdate;
  if (thisUpdate.getTime() > now + q.skewSeconds * 1000)
    throw unknown(`response thisUpdate ${thisUpdate.toISOString()} is in the future`);
  if (now - thisUpdate.getTime() > q.maxAgeSeconds * 1000)
    throw unknown(`response thisUpdate ${thisUpdate.toISOString()} is older than ${q.maxAgeSeconds}s`);
  if (single.nextUpdate && single.nextUpdate.getTime() < now)
    throw unknown(`response expired at ${single.nextUpdate.toISOString()}`);

  const certStatus = single.certStatus as asn1js.BaseBlock & { valueBlock: { value?: asn1js.BaseBlock[] } };
  if (certStatus.idBlock.tagClass === 3 && certStatus.idBlock.tagNumber === 0) return { status: 'good', thisUpdate };
  if (certStatus.idBlock.tagClass === 3 && certStatus.idBlock.tagNumber === 1) {
    const t = certStatus.valueBlock.value?.[0];
    return { status: 'revoked', thisUpdate, revokedAt: t instanceof asn1js.GeneralizedTime ? t.toDate() : undefined };
  }
  return { status: 'unknown', thisUpdate };
}
