/**
 * Signature login (regulation 2.6 (2)): a national e-signature certificate, proven by CMS
 * SignedData over a server challenge. Verification is src/pki's; the challenge and the subject
 * mapping are ChallengeSignatureProvider's.
 */
import type { VerifiedSigner } from '../../pki';
import type { SignaturePrincipal } from '../auth-provider';
import type { LoginChallenge } from '../challenge.service';
import { ChallengeSignatureProvider } from './challenge-signature.provider';

export interface CmsSignatureInput {
  readonly challengeId: string;
  /** Base64 DER CMS SignedData over the challenge's toBeSigned. */
  readonly signature: string;
}

export class CmsSignatureProvider extends ChallengeSignatureProvider<CmsSignatureInput> {
  protected verify(input: CmsSignatureInput, challenge: LoginChallenge, now: Date): Promise<VerifiedSigner> {
    return this.pki.verifyCmsLogin({ signatureBase64: input.signature, toBeSigned: challenge.toBeSigned, now });
  }

  protected detail(signer: VerifiedSigner): SignaturePrincipal['detail'] {
    return {
      format: 'CMS',
      certificateSha256: signer.fingerprintSha256,
      subjectSerialNumber: signer.subject.serialNumber ?? null,
      organizationIdentifier: signer.subject.organizationIdentifier ?? null,
    };
  }
}
