/**
 * Opens a session for a username and password: the provider checks them, the SessionService
 * creates the session, and a last look at the account catches a re-issue or suspension that
 * committed while the password was being checked.
 */
import type { AuthRequestContext } from './auth-provider';
import { WRONG_CREDENTIALS, type AccountService } from './account.service';
import type { PasswordCredentials, PasswordProvider } from './providers/password.provider';
import type { IssuedSession, SessionService } from './session.service';
import { UnauthenticatedError } from '../shared/errors';

export class PasswordLoginService {
  constructor(
    private readonly provider: PasswordProvider,
    private readonly sessions: SessionService,
    private readonly accounts: AccountService,
  ) {}

  async login(credentials: PasswordCredentials, ctx: AuthRequestContext): Promise<IssuedSession> {
    const principal = await this.provider.authenticate(credentials, ctx);
    const session = await this.sessions.create(principal);
    const checkedAt = new Date(String(principal.detail.passwordChangedAt));
    if (!(await this.accounts.stillValid(principal.userAccountId!, checkedAt))) {
      await this.sessions.revoke(session.viewer.sessionId);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    return session;
  }
}
