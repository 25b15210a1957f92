/**
 * Who may call what, declared on the resolvers: `@Authorized()` needs a live session,
 * `@Authorized('TRADER')` a trader session bound to a participant, `@Authorized('OFFICER')` an
 * officer session, and `@Authorized('PASSWORD_CHANGE')` any live session, one that must change its
 * one-time password included (changePassword, logout). The authChecker runs before the resolver
 * and its arguments; the parameter decorators then hand the resolver the viewer, typed.
 *
 * The operation decorators say both at once: `@OfficerQuery(() => T, description)` is
 * `@Authorized('OFFICER')` + `@Query(() => T, { description })`, and the resolver takes
 * `@OfficerCall() { ctx, officer }: OfficerCall` (likewise TraderQuery/TraderCall; SessionQuery,
 * AnySessionMutation and ViewerCall for any live session).
 */
import { Authorized, createParameterDecorator, Mutation, Query, type AuthChecker } from 'type-graphql';
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
  if (!ctx.viewer) throw new Error('@OfficerCall/@TraderCall/@ViewerCall used without @Authorized');
  return ctx.viewer;
}

/** What an operation of any live session works with: the request's context and the session's viewer. */
export interface ViewerCall {
  readonly ctx: GraphQLContext;
  readonly viewer: Viewer;
}

/** What an officer's operation works with: the request's context and the officer's viewer. */
export interface OfficerCall {
  readonly ctx: GraphQLContext;
  readonly officer: Viewer;
}

/** What a trader's operation works with: the request's context and the trader's viewer (participant id set). */
export interface TraderCall {
  readonly ctx: GraphQLContext;
  readonly trader: TraderViewer;
}

/** The context and the session's viewer (the field must be @Authorized: SessionQuery, AnySessionMutation). */
export function ViewerCall() {
  return createParameterDecorator<GraphQLContext>(({ context }): ViewerCall => ({
    ctx: context,
    viewer: checkedViewer(context),
  }));
}

/** The context and the officer's viewer (the field must be OfficerQuery or OfficerMutation). */
export function OfficerCall() {
  return createParameterDecorator<GraphQLContext>(({ context }): OfficerCall => {
    const v = checkedViewer(context);
    if (v.role !== 'OFFICER') throw new Error('@OfficerCall used without @OfficerQuery/@OfficerMutation');
    return { ctx: context, officer: v };
  });
}

/** The context and the trader's viewer with its participant id (the field must be TraderQuery). */
export function TraderCall() {
  return createParameterDecorator<GraphQLContext>(({ context }): TraderCall => {
    const v = checkedViewer(context);
    if (v.participantId === null) throw new Error('@TraderCall used without @TraderQuery');
    return { ctx: context, trader: v as TraderViewer };
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

/**
 * `@Authorized(...access)` and `@Query`/`@Mutation` with its description, as one decorator: who may call
 * the operation and what it is. No access named: any live session (`@Authorized()`).
 */
function operation(kind: typeof Query, ...access: Access[]) {
  type Returns = Parameters<typeof Query>[0];
  type Options = NonNullable<Parameters<typeof Query>[1]>;
  return (returns: Returns, description: string, options: Options = {}): MethodDecorator => {
    const field = kind(returns, { ...options, description });
    const authorized = Authorized<Access>(...access);
    return (target, key, descriptor) => {
      field(target, key, descriptor);
      authorized(target, key, descriptor);
    };
  };
}

export const OfficerQuery = operation(Query, 'OFFICER');
export const OfficerMutation = operation(Mutation, 'OFFICER');
export const TraderQuery = operation(Query, 'TRADER');
/** Any live session whose password is not a one-time one (`@Authorized()`). */
export const SessionQuery = operation(Query);
/** Any live session, one that must change its one-time password included (changePassword, logout). */
export const AnySessionMutation = operation(Mutation, 'PASSWORD_CHANGE');
