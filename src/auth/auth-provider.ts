/**
 * The one interface every login method implements. A provider checks its credentials and
 * returns the principal to open a session for; it never creates the session itself (the
 * SessionService does, the same way for every method). Providers live in providers/*.provider.ts.
 */
import type { AuthMethod, Role } from './viewer';

export interface AuthRequestContext {
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly now: Date;
}

export interface Principal {
  readonly role: Role;
  readonly authMethod: AuthMethod;
  readonly participantId: string | null;
  readonly userAccountId: string | null;
  readonly username: string | null;
  readonly mustChangePassword: boolean;
  /** Method-specific facts recorded with the session (certificate fingerprint, portal authnMethod…). */
  readonly detail: Record<string, unknown>;
}

export interface AuthProvider<Input> {
  readonly method: AuthMethod;
  /** Resolves to the principal, or throws an AppError with the method's code. */
  authenticate(input: Input, ctx: AuthRequestContext): Promise<Principal>;
}
