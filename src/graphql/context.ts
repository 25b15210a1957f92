import crypto from 'node:crypto';
import type { AuthProvider, LoginPrincipal } from '../auth/auth-provider';
import type { IssuedSession } from '../auth/session.service';
import type { Viewer } from '../auth/viewer';
import type { Services } from '../services';
import { UnauthenticatedError } from '../shared/errors';
import type { LanguageChoice } from '../shared/lang';
import { createLoaders, type Loaders } from './loaders';

export interface GraphQLContext {
  readonly requestId: string;
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly viewer: Viewer | null;
  /** Why a bearer token that was sent gave no viewer: reported by the first field that needs one (see auth.ts). */
  readonly sessionError: UnauthenticatedError | null;
  /**
   * The session a login mutation of this request opened: the audit record of the login names it in
   * its login_* fields (never as the actor, which is `viewer` as it was before execution).
   */
  loginSession: Viewer | null;
  /**
   * `inPipeline` is set by the audit plugin once the request is in its hands; the HTTP layer records
   * the others as refusals. An object: Apollo Server hands plugins a shallow clone of the context.
   */
  readonly audit: { inPipeline: boolean };
  readonly services: Services;
  readonly loaders: Loaders;
  /**
   * The request's language from Accept-Language (Azerbaijani when it names none of ours): the default of
   * every `lang` argument. Error messages follow the same header (src/shared/error-language.ts).
   */
  readonly language: LanguageChoice;
}

export interface RequestInfo {
  authorization?: string;
  clientIp: string;
  userAgent?: string;
  requestId?: string;
  /** The request's Accept-Language as parseAcceptLanguage read it (the HTTP layer reads it once per request). */
  language: LanguageChoice;
}

/**
 * Builds the context of one request: the viewer comes from the bearer token only. A token that
 * is present but not a live session is an error (UNAUTHENTICATED), not an anonymous request.
 */
export async function createContext(services: Services, req: RequestInfo): Promise<GraphQLContext> {
  let viewer: Viewer | null = null;
  let sessionError: UnauthenticatedError | null = null;
  const auth = req.authorization?.trim();
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    viewer = m ? await services.sessions.resolve(m[1]) : null;
    if (!viewer) sessionError = new UnauthenticatedError('the session is missing, expired or revoked');
  }
  return {
    requestId: req.requestId ?? crypto.randomUUID(),
    clientIp: req.clientIp,
    userAgent: req.userAgent ?? null,
    viewer,
    sessionError,
    loginSession: null,
    audit: { inPipeline: false },
    services,
    loaders: createLoaders(services.db, viewer),
    language: req.language,
  };
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
