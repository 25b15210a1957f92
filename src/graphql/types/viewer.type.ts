import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { AuthMethodEnum, ParticipantKindEnum, RoleEnum } from './enums';

@ObjectType({ description: 'A foreign-trade participant.' })
export class Participant {
  @Field(() => ID) id: string;
  @Field(() => ParticipantKindEnum) kind: ParticipantKindEnum;
  @Field() name: string;
  @Field(() => String, { nullable: true, description: 'Tax id (VÖEN), 10 digits.' }) voen: string | null;
  @Field(() => String, { nullable: true, description: 'Personal id (FIN) from the identity document.' }) fin:
    string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Customs payer number (GÖÖEN), for natural persons without a VÖEN.',
  })
  gooen: string | null;
}

@ObjectType({ description: 'The authenticated user of this request.' })
export class Viewer {
  participantId: string | null;

  @Field(() => Participant, {
    nullable: true,
    description: 'The participant whose data the viewer sees; null for officers.',
  })
  participant: Participant | null;

  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => AuthMethodEnum) authMethod: AuthMethodEnum;
  @Field(() => String, { nullable: true }) username: string | null;
  @Field({ description: 'True for a one-time-password session: only changePassword and logout are allowed.' })
  mustChangePassword: boolean;
  @Field(() => DateTimeScalar) sessionExpiresAt: Date;
}

@ObjectType({ description: 'A login session. Send the token as `Authorization: Bearer <token>`.' })
export class Session {
  @Field() token: string;
  @Field(() => DateTimeScalar) expiresAt: Date;
  @Field(() => Viewer) viewer: Viewer;
}
