/**
 * Who may call what, declared on the resolvers: `@Authorized()` needs a live session,
 * `@Authorized('TRADER')` a trader session bound to a participant, `@Authorized('OFFICER')` an
 * officer session, and `@Authorized('PASSWORD_CHANGE')` any live session, one that must change its
 * one-time password included (changePassword, logout). The authChecker runs before the resolver
 * and its arguments; the parameter decorators then hand the resolver the viewer, typed.
 */
import { createParameterDecorator, type AuthChecker } from 'type-graphql';
import type { Viewer } from '../auth/viewer';
import { ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../shared/errors';
import type { GraphQLContext } from './context';

export type Access = 'OFFICER' | 'TRADER' | 'PASSWORD_CHANGE';

/** A trader's viewer: the participant id is the only one its queries may use. */
export type TraderViewer = Viewer & { readonly participantId: string };

/** What a non-trader is told, by field; the default speaks of declarations. */
const TRADER_ONLY: Readonly<Record<string, string>> = {
  myComplaints: 'only traders have complaints of their own',
};

function liveViewer(ctx: GraphQLContext, allowPasswordChange: boolean): Viewer {
  const v = ctx.viewer;
  if (!v) throw ctx.sessionError ?? new UnauthenticatedError('log in first: send Authorization: Bearer <token>');
  if (v.mustChangePassword && !allowPasswordChange) {
    throw new PasswordChangeRequiredError();
  }
  return v;
}

/** Grants access or throws the AppError the client is told (UNAUTHENTICATED, PASSWORD_CHANGE_REQUIRED, FORBIDDEN). */
export const authChecker: AuthChecker<GraphQLContext, Access> = ({ context, info }, access) => {
  const v = liveViewer(context, access.includes('PASSWORD_CHANGE'));
  if (access.includes('TRADER') && (v.role !== 'TRADER' || v.participantId === null)) {
    throw new ForbiddenError(TRADER_ONLY[info.fieldName] ?? 'only traders have declarations');
  }
  if (access.includes('OFFICER') && v.role !== 'OFFICER') throw new ForbiddenError('officers only');
  return true;
};

function checkedViewer(ctx: GraphQLContext): Viewer {
  // Only reached behind @Authorized: a missing viewer here is a programming error, not a client's.
  if (!ctx.viewer) throw new Error('@CurrentViewer/@CurrentTrader used without @Authorized');
  return ctx.viewer;
}

/** The session's viewer (the field must be @Authorized). */
export function CurrentViewer() {
  return createParameterDecorator<GraphQLContext>(({ context }) => checkedViewer(context));
}

/** The trader's viewer with its participant id (the field must be @Authorized('TRADER')). */
export function CurrentTrader() {
  return createParameterDecorator<GraphQLContext>(({ context }): TraderViewer => {
    const v = checkedViewer(context);
    if (v.participantId === null) throw new Error("@CurrentTrader used without @Authorized('TRADER')");
    return v as TraderViewer;
  });
}

/**
 * For fields open to everyone: the viewer when a session was sent, else null. A session that was
 * sent must be usable (a one-time-password session must change its password first); a bad token
 * counts as none, as before.
 */
export function OptionalViewer() {
  return createParameterDecorator<GraphQLContext>(({ context }) =>
    context.viewer ? liveViewer(context, false) : null,
  );
}
