import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { AuthProvider, LoginPrincipal } from '../../auth/auth-provider';
import { SignatureMalformedError } from '../../shared/errors';
import { logIn, type GraphQLContext } from '../context';
import { SignatureLoginArgs, WebEidLoginArgs } from '../types/login-args.type';
import { LoginChallenge } from '../types/login-challenge.type';
import { Session } from '../types/viewer.type';
import { toSessionType } from './viewer.resolver';

const MAX_SIGNATURE_LENGTH = 64 * 1024;

/** A login with a signed answer: an answer over MAX_SIGNATURE_LENGTH is SIGNATURE_MALFORMED before any parsing. */
async function signedLogin<I, P extends LoginPrincipal>(
  ctx: GraphQLContext,
  provider: AuthProvider<I, P>,
  input: I,
  signed: string,
): Promise<Session> {
  if (signed.length > MAX_SIGNATURE_LENGTH) {
    throw new SignatureMalformedError(`longer than ${MAX_SIGNATURE_LENGTH} characters`);
  }
  return toSessionType(await logIn(ctx, provider, input));
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
  loginWithSignature(@Ctx() ctx: GraphQLContext, @Args() input: SignatureLoginArgs): Promise<Session> {
    return signedLogin(ctx, ctx.services.loginProviders.cms, input, input.signature);
  }

  @Mutation(() => Session, {
    description: "Logs in with a web-eid:1.0 authentication token made for the challenge's nonce.",
  })
  loginWithWebEid(@Ctx() ctx: GraphQLContext, @Args() input: WebEidLoginArgs): Promise<Session> {
    return signedLogin(ctx, ctx.services.loginProviders.webEid, input, input.token);
  }

  @Mutation(() => Session, {
    description:
      'Logs in a user the national e-gov portal vouches for: base64 DER CMS SignedData with attached JSON ' +
      "{iss, aud, sub: {voen|fin}, iat, exp, jti, authnMethod} signed by the portal's certificate.",
  })
  loginWithPortalAssertion(@Ctx() ctx: GraphQLContext, @Arg('assertion') assertion: string): Promise<Session> {
    return signedLogin(ctx, ctx.services.loginProviders.portal, { assertion }, assertion);
  }
}
