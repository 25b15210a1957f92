/**
 * The one login flow of every method: the provider turns its input into a typed principal, the
 * flow refuses a participant an officer blocked (PARTICIPANT_BLOCKED, whatever the method), the
 * SessionService opens the session, and the provider's confirm hook (if any) gets a last look;
 * a refusal there revokes the session before the error is thrown.
 */
import { ParticipantBlockedError } from '../shared/errors';
import type { AuthProvider, AuthRequestContext, LoginPrincipal } from './auth-provider';
import type { IssuedSession, SessionService } from './session.service';

/** Whether a participant is blocked (src/contracts/participant-blocks.ts). */
export interface BlockCheck {
  isBlocked(participantId: string): Promise<boolean>;
}

export class LoginService {
  constructor(
    private readonly sessions: SessionService,
    private readonly blocks: BlockCheck,
  ) {}

  async login<I, P extends LoginPrincipal>(
    provider: AuthProvider<I, P>,
    input: I,
    ctx: AuthRequestContext,
  ): Promise<IssuedSession> {
    const principal = await provider.authenticate(input, ctx);
    // A block that commits after this check is still enforced: the block revokes the participant's
    // sessions and the session look-up refuses sessions of a blocked participant.
    if (principal.participantId !== null && (await this.blocks.isBlocked(principal.participantId))) {
      throw new ParticipantBlockedError();
    }
    const session = await this.sessions.create(principal);
    if (provider.confirm) {
      try {
        await provider.confirm(principal);
      } catch (e) {
        await this.sessions.revoke(principal, session.viewer.sessionId);
        throw e;
      }
    }
    return session;
  }
}
