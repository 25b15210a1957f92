import { Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Viewer as ViewerModel } from '../../auth/viewer';
import { requireViewer, type GraphQLContext } from '../context';
import { AuthMethodEnum, ParticipantKindEnum, RoleEnum } from '../types/enums';
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
  @Query(() => Viewer, { description: 'The authenticated viewer.' })
  me(@Ctx() ctx: GraphQLContext): Viewer {
    return toViewerType(requireViewer(ctx));
  }

  @FieldResolver(() => Participant, { nullable: true })
  async participant(@Root() v: Viewer, @Ctx() ctx: GraphQLContext): Promise<Participant | null> {
    if (v.participantId === null) return null;
    const p = await ctx.loaders.participant.load(v.participantId);
    return p && Object.assign(new Participant(), { ...p, kind: p.kind as ParticipantKindEnum });
  }

  @Mutation(() => Boolean, { description: 'Revokes the current session.' })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    const v = requireViewer(ctx, { allowPasswordChange: true });
    return ctx.services.sessions.revoke(v.sessionId);
  }
}
