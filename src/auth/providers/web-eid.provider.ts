/**
 * Web eID login (regulation 2.6 (2)): a web-eid:1.0 authentication token made by the holder's
 * certificate over a server challenge's nonce for this origin. Verification is src/pki's; the
 * challenge and the subject mapping are ChallengeSignatureProvider's.
 */
import type { RequestDb } from '../../db/tenant';
import type { PkiVerifier, VerifiedSigner } from '../../pki';
import type { SignaturePrincipal } from '../auth-provider';
import type { ChallengeService, LoginChallenge } from '../challenge.service';
import { ChallengeSignatureProvider } from './challenge-signature.provider';

export interface WebEidInput {
  readonly challengeId: string;
  /** The web-eid:1.0 token as JSON text. */
  readonly token: string;
}

export class WebEidProvider extends ChallengeSignatureProvider<WebEidInput> {
  constructor(
    db: RequestDb,
    challenges: ChallengeService,
    pki: PkiVerifier,
    private readonly origin: string,
  ) {
    super(db, challenges, pki);
  }

  protected verify(input: WebEidInput, challenge: LoginChallenge, now: Date): Promise<VerifiedSigner> {
    return this.pki.verifyWebEidToken({
      token: input.token,
      challengeNonce: challenge.nonce,
      origin: this.origin,
      now,
    });
  }

  protected detail(signer: VerifiedSigner): SignaturePrincipal['detail'] {
    return {
      format: 'WEB_EID',
      certificateSha256: signer.fingerprintSha256,
      subjectSerialNumber: signer.subject.serialNumber ?? null,
    };
  }
}
