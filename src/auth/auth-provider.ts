/**
 * The one interface every login method implements. A provider checks its credentials and
 * returns a typed principal; it never creates the session itself: the LoginService does, the
 * same way for every method (login.service.ts). One provider per file in providers/.
 */
import type { Viewer } from './viewer';

export interface AuthRequestContext {
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly now: Date;
}

/**
 * What a session is opened for: the viewer of the session to open, plus facts recorded with it.
 * Logins produce one of the typed principals below; demo and test sessions may record any facts.
 */
export interface Principal extends Omit<Viewer, 'sessionId' | 'expiresAt'> {
  /** Facts recorded with the session (sessions.authn_detail). */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A password login: the account and the password version the login checked. */
export interface PasswordPrincipal extends Principal {
  readonly authMethod: 'PASSWORD';
  readonly userAccountId: string;
  readonly detail: { readonly passwordChangedAt: Date; readonly contractId: string | null };
}

/** A trader proven by a national e-signature certificate (CMS or Web eID over a challenge). */
export interface SignaturePrincipal extends Principal {
  readonly role: 'TRADER';
  readonly authMethod: 'SIGNATURE';
  readonly participantId: string;
  readonly detail:
    | {
        readonly format: 'CMS';
        readonly certificateSha256: string;
        readonly subjectSerialNumber: string | null;
        readonly organizationIdentifier: string | null;
      }
    | { readonly format: 'WEB_EID'; readonly certificateSha256: string; readonly subjectSerialNumber: string | null };
}

/** A trader the e-gov portal vouched for with a signed assertion. */
export interface PortalPrincipal extends Principal {
  readonly role: 'TRADER';
  readonly authMethod: 'PORTAL';
  readonly participantId: string;
  readonly detail: { readonly authnMethod: string; readonly jti: string; readonly portalCertificateSha256: string };
}

export type LoginPrincipal = PasswordPrincipal | SignaturePrincipal | PortalPrincipal;

export interface AuthProvider<Input, P extends LoginPrincipal = LoginPrincipal> {
  readonly method: P['authMethod'];
  /** Resolves to the principal, or throws an AppError with the method's code. */
  authenticate(input: Input, ctx: AuthRequestContext): Promise<P>;
  /**
   * Runs once the session exists; throwing revokes it and refuses the login. For checks that
   * must see what committed while authenticate ran (a password re-issued, a contract suspended).
   */
  confirm?(principal: P): Promise<void>;
}
