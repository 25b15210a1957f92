import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { AnySessionMutation, ViewerCall } from '../auth';
import { logIn, type GraphQLContext } from '../context';
import { PasswordLoginArgs } from '../types/login-args.type';
import { Session } from '../types/viewer.type';
import { toSessionType } from './viewer.resolver';

@Resolver()
export class PasswordAuthResolver {
  @Mutation(() => Session, {
    description:
      'Logs in with a username and password (no session needed). A one-time password gives a session with ' +
      'viewer.mustChangePassword = true that allows only changePassword and logout.',
  })
  async login(@Ctx() ctx: GraphQLContext, @Args() input: PasswordLoginArgs): Promise<Session> {
    return toSessionType(await logIn(ctx, ctx.services.loginProviders.password, input));
  }

  @AnySessionMutation(
    () => Boolean,
    'Changes the password (at least 12 characters, not the previous one) and revokes every session of the ' +
      'account, this one included: log in again with the new password.',
  )
  async changePassword(
    @ViewerCall() { ctx, viewer }: ViewerCall,
    @Arg('currentPassword') currentPassword: string,
    @Arg('newPassword') newPassword: string,
  ): Promise<boolean> {
    await ctx.services.accounts.changePassword(viewer, currentPassword, newPassword, ctx.clientIp);
    return true;
  }
}
