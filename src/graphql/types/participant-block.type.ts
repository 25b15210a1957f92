import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { Participant } from './viewer.type';

@ObjectType({
  description:
    "An officer's block of a participant. While it is active (unblockedAt null) every login of the participant " +
    'is refused with PARTICIPANT_BLOCKED (password, signature, Web eID, portal assertion) and every session of ' +
    'the participant is refused. Blocks are kept after they are lifted.',
})
export class ParticipantBlock {
  participantId: string;

  @Field(() => ID) id: string;
  @Field(() => Participant) participant: Participant;
  @Field({ description: 'The reason the officer gave.' }) reason: string;
  @Field(() => DateTimeScalar) blockedAt: Date;
  @Field({ description: 'Username of the officer who blocked.' }) blockedBy: string;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the block was lifted; null while active.' })
  unblockedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Username of the officer who lifted the block.' })
  unblockedBy: string | null;
  @Field({ description: 'True until the block is lifted.' }) active: boolean;
  @Field(() => Int, {
    nullable: true,
    description: 'blockParticipant only: how many live sessions of the participant the block revoked.',
  })
  revokedSessions: number | null;
}
