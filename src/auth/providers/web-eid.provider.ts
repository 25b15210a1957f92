/**
 * Web eID login (regulation 2.6 (2)): a web-eid:1.0 authentication token made by the holder's
 * certificate over a server challenge's nonce for this origin. Verification is src/pki's; here
 * the challenge is consumed and the certificate subject mapped to a participant.
 */
import type { RequestDb } from '../../db/tenant';
import type { PkiVerifier } from '../../pki';
import type { AuthProvider, AuthRequestContext, SignaturePrincipal } from '../auth-provider';
import type { ChallengeService } from '../challenge.service';
import { participantFor, traderOf } from './participant-of-subject';

export interface WebEidInput {
  readonly challengeId: string;
  /** The web-eid:1.0 token as JSON text. */
  readonly token: string;
}

export class WebEidProvider implements AuthProvider<WebEidInput, SignaturePrincipal> {
  readonly method = 'SIGNATURE' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly challenges: ChallengeService,
    private readonly pki: PkiVerifier,
    private readonly origin: string,
  ) {}

  async authenticate(input: WebEidInput, ctx: AuthRequestContext): Promise<SignaturePrincipal> {
    const challenge = await this.challenges.consume(input.challengeId);
    const signer = await this.pki.verifyWebEidToken({
      token: input.token,
      challengeNonce: challenge.nonce,
      origin: this.origin,
      now: ctx.now,
    });
    return {
      ...traderOf(await participantFor(this.db, signer.mapping)),
      authMethod: 'SIGNATURE',
      detail: {
        format: 'WEB_EID',
        certificateSha256: signer.fingerprintSha256,
        subjectSerialNumber: signer.subject.serialNumber ?? null,
      },
    };
  }
}
