/**
 * Username and password login (regulation 3.1.1).
 *
 * Every attempt is first counted by the LoginThrottle (per client address: RATE_LIMITED; per
 * username string: ACCOUNT_LOCKED), then one argon2id verification runs — against the account's
 * hash, or against a dummy hash for an unknown username — so an unknown user and a wrong
 * password take the same work and get the same UNAUTHENTICATED answer. Only a correct password
 * learns about a suspended or terminated contract (FORBIDDEN); its live sessions are revoked.
 */
import type { AuthProvider, AuthRequestContext, PasswordPrincipal } from '../auth-provider';
import { WRONG_CREDENTIALS, type AccountService } from '../account.service';
import type { LoginThrottle } from '../login-throttle';
import { MAX_PASSWORD_LENGTH, needsRehash, normaliseUsername, USERNAME_RE } from '../password';
import { scopeOf } from '../../db/tenant';
import type { SessionService } from '../session.service';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';

export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
}

/** Longer username strings are still counted (by their hash) but never looked up. */
const MAX_USERNAME_INPUT = 256;
/** UTF-16 units; a password the policy allows (≤ MAX_PASSWORD_LENGTH code points) always fits. */
const MAX_PASSWORD_INPUT = MAX_PASSWORD_LENGTH * 2;

export class PasswordProvider implements AuthProvider<PasswordCredentials, PasswordPrincipal> {
  readonly method = 'PASSWORD' as const;

  constructor(
    private readonly accounts: AccountService,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
  ) {}

  async authenticate(input: PasswordCredentials, ctx: AuthRequestContext): Promise<PasswordPrincipal> {
    const username = normaliseUsername(input.username.slice(0, MAX_USERNAME_INPUT * 4));
    await this.throttle.begin(username, ctx.clientIp);
    // Over-long inputs are cut, not skipped (the work stays the same); no stored password is that long.
    const password = input.password.slice(0, MAX_PASSWORD_INPUT);
    const account = await this.accounts.checkPassword(
      username.length <= MAX_USERNAME_INPUT && USERNAME_RE.test(username) ? username : null,
      password,
    );
    if (!account || input.password.length > MAX_PASSWORD_INPUT) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await this.throttle.succeeded(username, ctx.clientIp);

    if (account.disabled || (account.role === 'TRADER' && account.contractStatus !== 'ACTIVE')) {
      await this.sessions.revokeAll(scopeOf(account), { userAccountId: account.id });
      const status =
        account.contractStatus === 'ACTIVE' || account.contractStatus === null
          ? 'closed'
          : account.contractStatus.toLowerCase();
      throw new ForbiddenError(
        account.contractNumber
          ? `access under contract ${account.contractNumber} is ${status}: contact the customs authority`
          : 'this account is disabled',
      );
    }
    if (needsRehash(account.stored)) await this.accounts.rehash(account, password);

    return {
      role: account.role,
      authMethod: 'PASSWORD',
      participantId: account.role === 'TRADER' ? account.participantId : null,
      userAccountId: account.id,
      username: account.username,
      mustChangePassword: account.mustChangePassword,
      detail: { passwordChangedAt: account.passwordChangedAt, contractId: account.contractId },
    };
  }

  /** A re-issue, suspension or termination that committed while the password was being checked refuses the login. */
  async confirm(principal: PasswordPrincipal): Promise<void> {
    if (!(await this.accounts.stillValid(principal, principal.userAccountId, principal.detail.passwordChangedAt))) {
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
  }
}
