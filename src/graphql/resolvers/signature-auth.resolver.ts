import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { SignatureMalformedError } from '../../shared/errors';
import { logIn, type GraphQLContext } from '../context';
import { LoginChallenge } from '../types/login-challenge.type';
import { Session } from '../types/viewer.type';
import { toSessionType } from './viewer.resolver';

const MAX_SIGNATURE_LENGTH = 64 * 1024;

function tooLong(v: string): void {
  if (v.length > MAX_SIGNATURE_LENGTH) {
    throw new SignatureMalformedError(`longer than ${MAX_SIGNATURE_LENGTH} characters`);
  }
}

@Resolver()
export class SignatureAuthResolver {
  @Mutation(() => LoginChallenge, {
    description: 'A fresh challenge for a signature login (rate-limited per client address).',
  })
  async createLoginChallenge(@Ctx() ctx: GraphQLContext): Promise<LoginChallenge> {
    return Object.assign(new LoginChallenge(), await ctx.services.challenges.create(ctx.clientIp));
  }

  @Mutation(() => Session, {
    description:
      'Logs in with a national e-signature: `signature` is base64 DER CMS SignedData over the exact UTF-8 ' +
      "bytes of the challenge's toBeSigned, attached or detached (openssl cms -sign -binary -outform DER).",
  })
  async loginWithSignature(
    @Ctx() ctx: GraphQLContext,
    @Arg('challengeId', () => ID) challengeId: string,
    @Arg('signature') signature: string,
  ): Promise<Session> {
    tooLong(signature);
    return toSessionType(await logIn(ctx, ctx.services.loginProviders.cms, { challengeId, signature }));
  }

  @Mutation(() => Session, {
    description: "Logs in with a web-eid:1.0 authentication token made for the challenge's nonce.",
  })
  async loginWithWebEid(
    @Ctx() ctx: GraphQLContext,
    @Arg('challengeId', () => ID) challengeId: string,
    @Arg('token') token: string,
  ): Promise<Session> {
    tooLong(token);
    return toSessionType(await logIn(ctx, ctx.services.loginProviders.webEid, { challengeId, token }));
  }

  @Mutation(() => Session, {
    description:
      'Logs in a user the national e-gov portal vouches for: base64 DER CMS SignedData with attached JSON ' +
      "{iss, aud, sub: {voen|fin}, iat, exp, jti, authnMethod} signed by the portal's certificate.",
  })
  async loginWithPortalAssertion(@Ctx() ctx: GraphQLContext, @Arg('assertion') assertion: string): Promise<Session> {
    tooLong(assertion);
    return toSessionType(await logIn(ctx, ctx.services.loginProviders.portal, { assertion }));
  }
}
