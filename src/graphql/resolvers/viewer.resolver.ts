import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { AnySessionMutation, SessionQuery, ViewerCall } from '../auth';
import type { Viewer as ViewerModel } from '../../auth/viewer';
import type { GraphQLContext } from '../context';
import { toParticipant } from '../mappers';
import { scopeOf } from '../../db/tenant';
import type { ParticipantRecord } from '../loaders';
import { AuthMethodEnum, RoleEnum } from '../types/enums';
import { Participant, Session, Viewer } from '../types/viewer.type';
import type { IssuedSession } from '../../auth/session.service';

export function toViewerType(v: ViewerModel): Viewer {
  return Object.assign(new Viewer(), {
    participantId: v.participantId,
    role: v.role as RoleEnum,
    authMethod: v.authMethod as AuthMethodEnum,
    username: v.username,
    mustChangePassword: v.mustChangePassword,
    sessionExpiresAt: v.expiresAt,
  });
}

export function toSessionType(s: IssuedSession): Session {
  return Object.assign(new Session(), { token: s.token, expiresAt: s.expiresAt, viewer: toViewerType(s.viewer) });
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @SessionQuery(() => Viewer, 'The authenticated viewer.')
  me(@ViewerCall() { viewer }: ViewerCall): Viewer {
    return toViewerType(viewer);
  }

  @FieldResolver(() => Participant, { nullable: true })
  async participant(@Root() v: Viewer, @Ctx() ctx: GraphQLContext): Promise<Participant | null> {
    if (v.participantId === null) return null;
    const opened = ctx.loginSession;
    // The viewer a login just opened: the loaders run in the scope of the request's own session (none).
    const p =
      opened !== null && opened.participantId === v.participantId && ctx.viewer?.participantId !== v.participantId
        ? await participantIn(ctx, opened, v.participantId)
        : await ctx.loaders.participant.load(v.participantId);
    return p && toParticipant(p);
  }

  @AnySessionMutation(() => Boolean, 'Revokes the current session.')
  async logout(@ViewerCall() { ctx, viewer }: ViewerCall): Promise<boolean> {
    return ctx.services.sessions.revoke(viewer, viewer.sessionId);
  }
}

/** A participant read in the scope of `who` (the session a login opened). */
async function participantIn(ctx: GraphQLContext, who: ViewerModel, id: string): Promise<ParticipantRecord | null> {
  const [p] = await ctx.services.db.run(scopeOf(who), (sql) =>
    sql.query<ParticipantRecord>(
      `SELECT id::text AS id, kind, name, voen, fin, gooen FROM participants WHERE id = $1`,
      [id],
    ),
  );
  return p ?? null;
}
