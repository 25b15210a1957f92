/**
 * The one interface every login method implements. A provider checks its credentials and
 * returns the principal to open a session for; it never creates the session itself (the
 * SessionService does, the same way for every method). Providers live in providers/*.provider.ts.
 */
import type { Viewer } from './viewer';

export interface AuthRequestContext {
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly now: Date;
}

/** What a login establishes: the viewer of the session to open, plus method-specific facts. */
export interface Principal extends Omit<Viewer, 'sessionId' | 'expiresAt'> {
  /** Method-specific facts recorded with the session (certificate fingerprint, portal authnMethod…). */
  readonly detail: Record<string, unknown>;
}

export interface AuthProvider<Input> {
  readonly method: Viewer['authMethod'];
  /** Resolves to the principal, or throws an AppError with the method's code. */
  authenticate(input: Input, ctx: AuthRequestContext): Promise<Principal>;
}
