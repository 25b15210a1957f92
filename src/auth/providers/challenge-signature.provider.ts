/**
 * The part every signature login over a server challenge shares (CMS SignedData and Web eID): the
 * challenge is consumed first (once, atomically), src/pki verifies the holder's proof against it, and
 * the certificate subject is mapped to a participant. A subclass says only how its proof is verified
 * and which facts of the signer the session records.
 */
import type { RequestDb } from '../../db/tenant';
import type { PkiVerifier, VerifiedSigner } from '../../pki';
import type { AuthProvider, AuthRequestContext, SignaturePrincipal } from '../auth-provider';
import type { ChallengeService, LoginChallenge } from '../challenge.service';
import { participantFor, traderOf } from './participant-of-subject';

export abstract class ChallengeSignatureProvider<
  Input extends { readonly challengeId: string },
> implements AuthProvider<Input, SignaturePrincipal> {
  readonly method = 'SIGNATURE' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly challenges: ChallengeService,
    protected readonly pki: PkiVerifier,
  ) {}

  /** src/pki's verification of the holder's proof over the consumed challenge. */
  protected abstract verify(input: Input, challenge: LoginChallenge, now: Date): Promise<VerifiedSigner>;

  /** The facts of the signer the session records (sessions.authn_detail). */
  protected abstract detail(signer: VerifiedSigner): SignaturePrincipal['detail'];

  async authenticate(input: Input, ctx: AuthRequestContext): Promise<SignaturePrincipal> {
    const challenge = await this.challenges.consume(input.challengeId);
    const signer = await this.verify(input, challenge, ctx.now);
    return {
      ...traderOf(await participantFor(this.db, signer.mapping)),
      authMethod: 'SIGNATURE',
      detail: this.detail(signer),
    };
  }
}
