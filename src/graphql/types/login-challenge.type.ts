import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

@ObjectType({ description: 'A server challenge to sign for loginWithSignature or loginWithWebEid; usable once.' })
export class LoginChallenge {
  @Field(() => ID) id: string;
  @Field({ description: 'base64 of 32 random bytes.' }) nonce: string;
  @Field({ description: 'The exact UTF-8 text to sign: names this service (its origin), the nonce and the expiry.' })
  toBeSigned: string;
  @Field(() => DateTimeScalar) expiresAt: Date;
}
