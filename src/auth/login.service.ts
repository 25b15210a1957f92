/**
 * The one login flow of every method: the provider turns its input into a typed principal, the
 * SessionService opens the session unless an officer blocked the participant (PARTICIPANT_BLOCKED,
 * whatever the method; the check is part of the session's INSERT), and the provider's confirm hook
 * (if any) gets a last look; a refusal there revokes the session before the error is thrown.
 */
import type { AuthProvider, AuthRequestContext, LoginPrincipal } from './auth-provider';
import type { IssuedSession, SessionService } from './session.service';

export class LoginService {
  constructor(private readonly sessions: SessionService) {}

  async login<I, P extends LoginPrincipal>(
    provider: AuthProvider<I, P>,
    input: I,
    ctx: AuthRequestContext,
  ): Promise<IssuedSession> {
    const principal = await provider.authenticate(input, ctx);
    // Refused with PARTICIPANT_BLOCKED while the participant has an open block (one statement).
    const session = await this.sessions.create(principal, { unlessBlocked: true });
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
