import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Viewer } from '../../auth/viewer';
import { CurrentViewer, type Access } from '../auth';
import { MAX_CONTRACT_PAGE, type ContractRecord } from '../../contracts/contract.service';
import { toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { loadParticipant } from '../mappers';
import {
  Contract,
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

/** Officer operations on contracts (regulation 2.6 (1)); traders get FORBIDDEN. */
@Resolver(() => Contract)
export class ContractResolver {
  @Authorized<Access>('OFFICER')
  @Query(() => ContractConnection, {
    description:
      `Contracts, most recently registered first (first ≤ ${MAX_CONTRACT_PAGE}). ` +
      '`overdue: true` lists active contracts whose credentials are past their due date.',
  })
  async contracts(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() v: Viewer,
    @Arg('status', () => ContractStatusEnum, { nullable: true }) status: ContractStatusEnum | null | undefined,
    @Arg('overdue', () => Boolean, { nullable: true }) overdue: boolean | null | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<ContractConnection> {
    const page = await ctx.services.contracts.list(v, { status, overdue, first: first ?? DEFAULT_PAGE_SIZE, after });
    return toConnection(page, after, toContract);
  }

  @Authorized<Access>('OFFICER')
  @Query(() => Contract, { description: 'One contract by id.' })
  async contract(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() v: Viewer,
    @Arg('id', () => ID) id: string,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.get(v, id));
  }

  @Authorized<Access>('OFFICER')
  @Mutation(() => Contract, {
    description:
      'Registers a signed contract; the participant is created or merged with the one the declarations know. ' +
      'A missing required document is BAD_USER_INPUT naming it.',
  })
  async registerContract(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() officer: Viewer,
    @Arg('input', () => ContractInput) input: ContractInput,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.register(input, officer));
  }

  @Authorized<Access>('OFFICER')
  @Mutation(() => IssuedCredentials, {
    description:
      'Issues the username and a one-time password (returned here once only). Re-issuing replaces the ' +
      'password and revokes the sessions opened with the old one.',
  })
  async issueCredentials(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() officer: Viewer,
    @Arg('contractId', () => ID) contractId: string,
  ): Promise<IssuedCredentials> {
    const r = await ctx.services.contracts.issueCredentials(contractId, officer);
    return Object.assign(new IssuedCredentials(), {
      contract: toContract(r.contract),
      username: r.username,
      password: r.password,
    });
  }

  @Authorized<Access>('OFFICER')
  @Mutation(() => Contract, {
    description:
      'ACTIVE → SUSPENDED: password logins under this contract are refused (FORBIDDEN) and its password sessions ' +
      'revoked until it is resumed. Signature and portal logins of the participant are refused by blockParticipant.',
  })
  async suspendContract(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() officer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.suspend(id, reason, officer));
  }

  @Authorized<Access>('OFFICER')
  @Mutation(() => Contract, {
    description: 'SUSPENDED → ACTIVE: the existing credentials work again (revoked sessions stay revoked).',
  })
  async resumeContract(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() officer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.resume(id, reason, officer));
  }

  @Authorized<Access>('OFFICER')
  @Mutation(() => Contract, {
    description:
      "ACTIVE or SUSPENDED → TERMINATED (final): the contract's account is disabled, its password logins refused " +
      '(FORBIDDEN) and its password sessions revoked. Signature and portal logins: see blockParticipant.',
  })
  async terminateContract(
    @Ctx() ctx: GraphQLContext,
    @CurrentViewer() officer: Viewer,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
  ): Promise<Contract> {
    return toContract(await ctx.services.contracts.terminate(id, reason, officer));
  }

  @FieldResolver(() => Participant)
  async participant(@Root() c: Contract, @Ctx() ctx: GraphQLContext): Promise<Participant> {
    return loadParticipant(ctx, c.participantId, `contract ${c.id}`);
  }
}
