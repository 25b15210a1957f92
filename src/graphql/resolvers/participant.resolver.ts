import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { ParticipantBlockRecord } from '../../contracts/participant-blocks';
import { OfficerCall, OfficerMutation, OfficerQuery } from '../auth';
import type { GraphQLContext } from '../context';
import { loadParticipant } from '../mappers';
import { ParticipantBlock } from '../types/participant-block.type';
import { Participant } from '../types/viewer.type';

function toBlock(r: ParticipantBlockRecord, revokedSessions: number | null = null): ParticipantBlock {
  return Object.assign(new ParticipantBlock(), { ...r, active: r.unblockedAt === null, revokedSessions });
}

/** Officers block and unblock participants; traders get FORBIDDEN. */
@Resolver(() => ParticipantBlock)
export class ParticipantResolver {
  @OfficerMutation(
    () => ParticipantBlock,
    'Officers: blocks a participant. Until unblockParticipant, EVERY login of the participant is refused with ' +
      'PARTICIPANT_BLOCKED (password under any of its contracts, CMS signature, Web eID, portal assertion), every ' +
      'live session of it (any method) is revoked now, and the session look-up refuses its sessions. The reason ' +
      '(1–2000 characters) and the officer are stored. An already blocked participant is BAD_USER_INPUT.',
  )
  async blockParticipant(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('id', () => ID, { description: 'The participant id.' }) id: string,
    @Arg('reason') reason: string,
  ): Promise<ParticipantBlock> {
    const r = await ctx.services.blocks.block(id, reason, officer);
    return toBlock(r.block, r.revokedSessions);
  }

  @OfficerMutation(
    () => ParticipantBlock,
    "Officers: lifts the participant's block; logins work again (sessions the block revoked stay revoked). " +
      'The officer is stored. A participant that is not blocked is BAD_USER_INPUT.',
  )
  async unblockParticipant(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('id', () => ID, { description: 'The participant id.' }) id: string,
  ): Promise<ParticipantBlock> {
    return toBlock(await ctx.services.blocks.unblock(id, officer));
  }

  @OfficerQuery(() => [ParticipantBlock], 'Officers: every block of a participant, newest first.')
  async participantBlocks(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('participantId', () => ID) participantId: string,
  ): Promise<ParticipantBlock[]> {
    return (await ctx.services.blocks.history(officer, participantId)).map((r) => toBlock(r));
  }

  @FieldResolver(() => Participant)
  async participant(@Root() b: ParticipantBlock, @Ctx() ctx: GraphQLContext): Promise<Participant> {
    return loadParticipant(ctx, b.participantId, `block ${b.id}`);
  }
}
