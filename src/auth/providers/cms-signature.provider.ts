/**
 * Signature login (regulation 2.6 (2)): a national e-signature certificate, proven by CMS
 * SignedData over a server challenge. Verification is src/pki's; here the challenge is consumed
 * and the certificate subject mapped to a participant.
 */
import type { RequestDb } from '../../db/tenant';
import type { PkiVerifier } from '../../pki';
import type { AuthProvider, AuthRequestContext, SignaturePrincipal } from '../auth-provider';
import type { ChallengeService } from '../challenge.service';
import { participantFor, traderOf } from './participant-of-subject';

export interface CmsSignatureInput {
  readonly challengeId: string;
  /** Base64 DER CMS SignedData over the challenge's toBeSigned. */
  readonly signature: string;
}

export class CmsSignatureProvider implements AuthProvider<CmsSignatureInput, SignaturePrincipal> {
  readonly method = 'SIGNATURE' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly challenges: ChallengeService,
    private readonly pki: PkiVerifier,
  ) {}

  async authenticate(input: CmsSignatureInput, ctx: AuthRequestContext): Promise<SignaturePrincipal> {
    const challenge = await this.challenges.consume(input.challengeId);
    const signer = await this.pki.verifyCmsLogin({
      signatureBase64: input.signature,
      toBeSigned: challenge.toBeSigned,
      now: ctx.now,
    });
    return {
      ...traderOf(await participantFor(this.db, signer.mapping)),
      authMethod: 'SIGNATURE',
      detail: {
        format: 'CMS',
        certificateSha256: signer.fingerprintSha256,
        subjectSerialNumber: signer.subject.serialNumber ?? null,
        organizationIdentifier: signer.subject.organizationIdentifier ?? null,
      },
    };
  }
}
