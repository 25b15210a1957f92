import { ArgsType, Field, ID } from 'type-graphql';

/** login: the username and the password (a one-time one included). */
@ArgsType()
export class PasswordLoginArgs {
  @Field() username: string;
  @Field() password: string;
}

/** loginWithSignature: the challenge and the CMS SignedData over its toBeSigned (base64 DER). */
@ArgsType()
export class SignatureLoginArgs {
  @Field(() => ID) challengeId: string;
  @Field() signature: string;
}

/** loginWithWebEid: the challenge and the web-eid:1.0 authentication token made for its nonce. */
@ArgsType()
export class WebEidLoginArgs {
  @Field(() => ID) challengeId: string;
  @Field() token: string;
}
