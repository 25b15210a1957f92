/**
 * Reads a PKCS#12 (.pfx/.p12) file, the form in which many holders export their signing certificate
 * with its private key, for `npm run sign-challenge -- --p12 FILE`. node-forge opens the container
 * (integrity MAC, PBES1/PBES2-encrypted bags: what OpenSSL 3, Windows and browsers write); the key
 * and the certificates come out as DER, and Node's crypto pairs the key with its certificate, so
 * RSA and EC keys are handled alike (node-forge itself understands only RSA keys).
 */
import crypto from 'node:crypto';
import forge from 'node-forge';

/** The file cannot be used: not PKCS#12, wrong passphrase, no key, no certificate for the key. */
export class Pkcs12Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

export interface Pkcs12Contents {
  /** The private key (RSA, EC, …: whatever the file holds). */
  privateKey: crypto.KeyObject;
  /** The certificate of that key. */
  certificate: crypto.X509Certificate;
  /** Every other certificate in the file (the chain), in file order. */
  chain: crypto.X509Certificate[];
}

const WRONG_PASSPHRASE = /MAC could not be verified|wrong password|Invalid password/i;

/** Opens the PKCS#12 bytes `der` (read from `name`, named in messages) with `passphrase`. */
export function readPkcs12(der: Buffer, passphrase: string, name: string): Pkcs12Contents {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  } catch {
    throw new Pkcs12Error(`${name} is not a PKCS#12 (.p12/.pfx) file`);
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = withUtf8Pbes2(() => forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (WRONG_PASSPHRASE.test(msg)) throw new Pkcs12Error(`${name}: wrong passphrase (the file does not open with it)`);
    throw new Pkcs12Error(`${name} cannot be read as PKCS#12 (wrong passphrase, or not a PKCS#12 file): ${msg}`);
  }
  const bags = p12.safeContents.flatMap((s) => s.safeBags);
  const keys = bags.filter((b) => b.type === forge.pki.oids.keyBag || b.type === forge.pki.oids.pkcs8ShroudedKeyBag);
  const certs = bags.filter((b) => b.type === forge.pki.oids.certBag).map((b) => certificateOf(b, name));
  if (keys.length === 0) {
    throw new Pkcs12Error(`${name} holds no private key (export the certificate together with its private key)`);
  }
  if (keys.length > 1) {
    throw new Pkcs12Error(`${name} holds ${keys.length} private keys; export the one signing certificate alone`);
  }
  const privateKey = privateKeyOf(keys[0]!, name);
  const certificate = certs.find((c) => c.checkPrivateKey(privateKey));
  if (!certificate) {
    throw new Pkcs12Error(`${name} holds no certificate for its private key (${certs.length} other certificate(s))`);
  }
  return { privateKey, certificate, chain: certs.filter((c) => c !== certificate) };
}

type Pbes2 = (oid: string, params: unknown, password: string) => unknown;

/**
 * PKCS#12 derives its MAC and PBES1 keys from the passphrase as UTF-16, which node-forge takes from
 * the string, but PBES2 keys (what OpenSSL 3 writes) from its UTF-8 bytes, which node-forge expects
 * already encoded. For the length of one read, PBES2 gets the UTF-8 form, so a passphrase with
 * letters such as ə opens both kinds of file (ASCII is the same either way).
 */
function withUtf8Pbes2<T>(read: () => T): T {
  const pbe = (forge.pki as unknown as { pbe: { getCipherForPBES2: Pbes2 } }).pbe;
  const original = pbe.getCipherForPBES2;
  pbe.getCipherForPBES2 = (oid, params, password) => original(oid, params, forge.util.encodeUtf8(password));
  try {
    return read();
  } finally {
    pbe.getCipherForPBES2 = original;
  }
}

/** The bag's key as a KeyObject; forge decodes RSA keys, any other kind stays as its PrivateKeyInfo. */
function privateKeyOf(bag: forge.pkcs12.Bag, name: string): crypto.KeyObject {
  const info = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
    : (bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 }).asn1;
  if (!info) throw new Pkcs12Error(`${name}: the private key could not be read`);
  try {
    return crypto.createPrivateKey({
      key: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (e) {
    throw new Pkcs12Error(`${name}: the private key could not be read: ${(e as Error).message}`);
  }
}

/**
 * The bag's certificate. forge keeps the parsed TBSCertificate, so re-encoding gives back the exact
 * bytes the issuer signed; certificates with a key forge cannot decode (EC) stay as parsed ASN.1.
 */
function certificateOf(bag: forge.pkcs12.Bag, name: string): crypto.X509Certificate {
  const asn1 = bag.cert
    ? forge.pki.certificateToAsn1(bag.cert)
    : (bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 }).asn1;
  try {
    if (!asn1) throw new Error('empty certificate bag');
    return new crypto.X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  } catch (e) {
    throw new Pkcs12Error(`${name}: a certificate could not be read: ${(e as Error).message}`);
  }
}
