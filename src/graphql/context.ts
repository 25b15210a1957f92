import crypto from 'node:crypto';
import type { AuthProvider, LoginPrincipal } from '../auth/auth-provider';
import type { IssuedSession } from '../auth/session.service';
import type { Viewer } from '../auth/viewer';
import type { Services } from '../services';
import { AppError, ForbiddenError, UnauthenticatedError } from '../shared/errors';
import { createLoaders, type Loaders } from './loaders';

export interface GraphQLContext {
  readonly requestId: string;
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly viewer: Viewer | null;
  /** The session a login mutation of this request opened: the audit record of the login names it. */
  loginSession: Viewer | null;
  readonly services: Services;
  readonly loaders: Loaders;
}

export interface RequestInfo {
  authorization?: string;
  clientIp: string;
  userAgent?: string;
  requestId?: string;
}

/**
 * Builds the context of one request: the viewer comes from the bearer token only. A token that
 * is present but not a live session is an error (UNAUTHENTICATED), not an anonymous request.
 */
export async function createContext(services: Services, req: RequestInfo): Promise<GraphQLContext> {
  let viewer: Viewer | null = null;
  let authError: AppError | null = null;
  const auth = req.authorization?.trim();
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    viewer = m ? await services.sessions.resolve(m[1]) : null;
    if (!viewer) authError = new UnauthenticatedError('the session is missing, expired or revoked');
  }
  const ctx: GraphQLContext = {
    requestId: req.requestId ?? crypto.randomUUID(),
    clientIp: req.clientIp,
    userAgent: req.userAgent ?? null,
    viewer,
    loginSession: null,
    services,
    loaders: createLoaders(services.db, viewer),
  };
  if (authError) sessionErrors.set(ctx, authError);
  return ctx;
}

/** A bad bearer token is reported by the first operation that needs a viewer. */
const sessionErrors = new WeakMap<GraphQLContext, AppError>();

export function requireViewer(ctx: GraphQLContext, opts: { allowPasswordChange?: boolean } = {}): Viewer {
  const v = ctx.viewer;
  if (!v) throw sessionErrors.get(ctx) ?? new UnauthenticatedError('log in first: send Authorization: Bearer <token>');
  if (v.mustChangePassword && !opts.allowPasswordChange) {
    throw new AppError(
      'PASSWORD_CHANGE_REQUIRED',
      'change the one-time password first (changePassword), then log in again',
    );
  }
  return v;
}

/** A trader session bound to a participant: its participant id is the only one queries may use. */
export function requireTrader(ctx: GraphQLContext): Viewer & { participantId: string } {
  const v = requireViewer(ctx);
  if (v.role !== 'TRADER' || v.participantId === null) throw new ForbiddenError('only traders have declarations');
  return v as Viewer & { participantId: string };
}

export function requireOfficer(ctx: GraphQLContext): Viewer {
  const v = requireViewer(ctx);
  if (v.role !== 'OFFICER') throw new ForbiddenError('officers only');
  return v;
}

/** Logs in through the one login flow and tells the audit which session the login opened. */
export async function logIn<I, P extends LoginPrincipal>(
  ctx: GraphQLContext,
  provider: AuthProvider<I, P>,
  input: I,
): Promise<IssuedSession> {
  const session = await ctx.services.login.login(provider, input, {
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent,
    now: ctx.services.clock.now(),
  });
  ctx.loginSession = session.viewer;
  return session;
}
