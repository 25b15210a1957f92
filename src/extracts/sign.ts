/**
 * The service's document signer: a detached CMS SignedData (RFC 5652) over the extract's bytes, SHA-256, with the
 * signed attributes content-type, signing-time and message-digest, the signer certificate and the CA certificates
 * of EXTRACT_SIGNING_CHAIN included. Made with PKI.js (the same library src/pki verifies with) over Node's
 * WebCrypto.
 *
 * The signed attributes are a DER SET OF: sorted by their encodings here, because verifiers such as OpenSSL
 * re-encode them before checking the signature (an unsorted SET would verify nowhere but in PKI.js).
 */
import crypto, { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ConfigError, type ExtractConfig } from '../config';
import { formatName, OID, parseCertificateDer, pemBlocks, sha256Hex } from '../pki/der';

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';

export interface SignerIdentity {
  /** The signer certificate's DER and SHA-256 fingerprint (lower-case hex). */
  readonly certificateDer: Buffer;
  readonly fingerprintSha256: string;
  /** The signer certificate's subject, as the statement names it. */
  readonly subject: string;
}

function readPemCertificates(file: string, variable: string): Buffer[] {
  const ders = pemBlocks(fs.readFileSync(file, 'utf8'), 'CERTIFICATE');
  if (ders.length === 0) throw new ConfigError([`${variable}: no PEM certificate in ${file}`]);
  return ders;
}

export class DocumentSigner implements SignerIdentity {
  readonly certificateDer: Buffer;
  readonly fingerprintSha256: string;
  readonly subject: string;
  private readonly cert: pkijs.Certificate;
  private readonly chain: pkijs.Certificate[];
  private readonly keyPkcs8: Buffer;
  private readonly algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  private readonly engine = new pkijs.CryptoEngine({ name: 'node-webcrypto-extract', crypto: webcrypto });
  private key: Promise<webcrypto.CryptoKey> | undefined;

  /** Loads and checks the configured files; a missing, unreadable or mismatched one is a ConfigError naming it. */
  constructor(config: ExtractConfig) {
    const certs = readPemCertificates(config.signingCertFile, 'EXTRACT_SIGNING_CERT');
    if (certs.length !== 1)
      throw new ConfigError([`EXTRACT_SIGNING_CERT: expected exactly one certificate in ${config.signingCertFile}`]);
    this.certificateDer = certs[0]!;
    this.fingerprintSha256 = sha256Hex(this.certificateDer);
    this.cert = parseCertificateDer(this.certificateDer);
    this.subject = formatName(this.cert.subject);
    this.chain = config.chainFiles.flatMap((f) =>
      readPemCertificates(f, 'EXTRACT_SIGNING_CHAIN').map((d) => parseCertificateDer(d)),
    );
    let key: crypto.KeyObject;
    try {
      key = crypto.createPrivateKey(fs.readFileSync(config.signingKeyFile));
    } catch (e) {
      throw new ConfigError([
        `EXTRACT_SIGNING_KEY: cannot read a private key from ${config.signingKeyFile}: ${(e as Error).message}`,
      ]);
    }
    const publicDer = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
    const certSpki = Buffer.from(this.cert.subjectPublicKeyInfo.toSchema().toBER(false));
    if (!publicDer.equals(certSpki))
      throw new ConfigError([
        `EXTRACT_SIGNING_KEY: ${config.signingKeyFile} is not the key of the certificate in EXTRACT_SIGNING_CERT`,
      ]);
    this.keyPkcs8 = key.export({ type: 'pkcs8', format: 'der' });
    if (key.asymmetricKeyType === 'rsa') this.algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
      this.algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    else
      throw new ConfigError([
        `EXTRACT_SIGNING_KEY: an RSA or ECDSA P-256 key is expected, got ${key.asymmetricKeyType ?? 'unknown'}`,
      ]);
  }

  private privateKey(): Promise<webcrypto.CryptoKey> {
    this.key ??= webcrypto.subtle.importKey('pkcs8', this.keyPkcs8, this.algorithm, false, ['sign']);
    return this.key;
  }

  /** DER of a detached CMS SignedData over `content`, signingTime = `signingTime`. */
  async signDetached(content: Buffer, signingTime: Date): Promise<Buffer> {
    const digest = crypto.createHash('sha256').update(content).digest();
    const attributes = [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: ID_DATA })] }),
      new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
    ];
    const encoded = (a: pkijs.Attribute) => Buffer.from(a.toSchema().toBER(false));
    attributes.sort((a, b) => Buffer.compare(encoded(a), encoded(b)));
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: this.cert.issuer, serialNumber: this.cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
        }),
      ],
      certificates: [this.cert, ...this.chain],
    });
    await signedData.sign(await this.privateKey(), 0, 'SHA-256', undefined, this.engine);
    const contentInfo = new pkijs.ContentInfo({ contentType: ID_SIGNED_DATA, content: signedData.toSchema(true) });
    return Buffer.from(contentInfo.toSchema().toBER(false));
  }
}
