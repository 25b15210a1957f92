import { Arg, Args, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { OfficerCall, OfficerMutation, OfficerQuery } from '../auth';
import { MAX_CONTRACT_PAGE, type ContractRecord } from '../../contracts/contract.service';
import { toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { loadParticipant } from '../mappers';
import {
  Contract,
  ContractChangeArgs,
  ContractConnection,
  ContractDocumentEnum,
  ContractInput,
  ContractStatusEnum,
  IssuedCredentials,
} from '../types/contract.type';
import { Participant } from '../types/viewer.type';
import { DEFAULT_PAGE_SIZE, PageArgs } from '../types/page-args.type';

function toContract(r: ContractRecord): Contract {
  return Object.assign(new Contract(), {
    ...r,
    status: r.status as ContractStatusEnum,
    documents: r.documents as ContractDocumentEnum[],
  });
}

/** A status change an officer makes, answered with the contract as it leaves it. */
async function changed(
  { ctx, officer }: OfficerCall,
  { id, reason }: ContractChangeArgs,
  change: 'suspend' | 'resume' | 'terminate',
): Promise<Contract> {
  return toContract(await ctx.services.contracts[change](id, reason, officer));
}

/** Officer operations on contracts (regulation 2.6 (1)); traders get FORBIDDEN. */
@Resolver(() => Contract)
export class ContractResolver {
  @OfficerQuery(
    () => ContractConnection,
    `Contracts, most recently registered first (first ≤ ${MAX_CONTRACT_PAGE}). ` +
      '`overdue: true` lists active contracts whose credentials are past their due date.',
  )
  async contracts(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('status', () => ContractStatusEnum, { nullable: true }) status: ContractStatusEnum | null | undefined,
    @Arg('overdue', () => Boolean, { nullable: true }) overdue: boolean | null | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<ContractConnection> {
    const page = await ctx.services.contracts.list(officer, {
      status,
      overdue,
      first: first ?? DEFAULT_PAGE_SIZE,
      after,
    });
    return toConnection(page, after, toContract);
  }

  @OfficerQuery(() => Contract, 'One contract by id.')
  async contract(@OfficerCall() { ctx, officer }: OfficerCall, @Arg('id', () => ID) id: string): Promise<Contract> {
    return toContract(await ctx.services.contracts.get(officer, id));
  }

  @OfficerMutation(
    () => Contract,
    'Registers a signed contract; the participant is created or merged with the one the declarations know. ' +
      'A missing required document is BAD_USER_INPUT naming it.',
  )
  async registerContract(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('input', () => ContractInput) input: ContractInput,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.register(input, officer));
  }

  @OfficerMutation(
    () => IssuedCredentials,
    'Issues the username and a one-time password (returned here once only). Re-issuing replaces the ' +
      'password and revokes the sessions opened with the old one.',
  )
  async issueCredentials(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('contractId', () => ID) contractId: string,
  ): Promise<IssuedCredentials> {
    const r = await ctx.services.contracts.issueCredentials(contractId, officer);
    return Object.assign(new IssuedCredentials(), {
      contract: toContract(r.contract),
      username: r.username,
      password: r.password,
    });
  }

  @OfficerMutation(
    () => Contract,
    'ACTIVE → SUSPENDED: password logins under this contract are refused (FORBIDDEN) and its password sessions ' +
      'revoked until it is resumed. Signature and portal logins of the participant are refused by blockParticipant.',
  )
  suspendContract(@OfficerCall() call: OfficerCall, @Args() change: ContractChangeArgs): Promise<Contract> {
    return changed(call, change, 'suspend');
  }

  @OfficerMutation(
    () => Contract,
    'SUSPENDED → ACTIVE: the existing credentials work again (revoked sessions stay revoked).',
  )
  resumeContract(@OfficerCall() call: OfficerCall, @Args() change: ContractChangeArgs): Promise<Contract> {
    return changed(call, change, 'resume');
  }

  @OfficerMutation(
    () => Contract,
    "ACTIVE or SUSPENDED → TERMINATED (final): the contract's account is disabled, its password logins refused " +
      '(FORBIDDEN) and its password sessions revoked. Signature and portal logins: see blockParticipant.',
  )
  terminateContract(@OfficerCall() call: OfficerCall, @Args() change: ContractChangeArgs): Promise<Contract> {
    return changed(call, change, 'terminate');
  }

  @FieldResolver(() => Participant)
  async participant(@Root() c: Contract, @Ctx() ctx: GraphQLContext): Promise<Participant> {
    return loadParticipant(ctx, c.participantId, `contract ${c.id}`);
  }
}
