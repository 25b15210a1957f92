import type { AuthMethod, Role } from '../db/entities/session.entity';

export type { AuthMethod, Role };

/** Who is making a request: built from the session only, never from request arguments. */
export interface Viewer {
  readonly sessionId: string;
  readonly role: Role;
  readonly authMethod: AuthMethod;
  /** The participant whose data the viewer sees (traders); null for officers. */
  readonly participantId: string | null;
  readonly userAccountId: string | null;
  readonly username: string | null;
  /** A one-time password session: only changePassword and logout are allowed. */
  readonly mustChangePassword: boolean;
  readonly expiresAt: Date;
}
