import { toConnection } from '../connection';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { OfficerCall, OfficerMutation, OfficerQuery, OptionalViewer, TraderCall, TraderQuery } from '../auth';
import type { Viewer as ViewerModel } from '../../auth/viewer';
import { MAX_COMPLAINT_PAGE, type ComplaintPage, type ComplaintRecord } from '../../complaints/complaints.service';
import type { GraphQLContext } from '../context';
import { toParticipant } from '../mappers';
import {
  Complaint,
  ComplaintChannelEnum,
  ComplaintConnection,
  ComplaintInput,
  ComplaintStatusEnum,
} from '../types/complaint.type';
import { Participant } from '../types/viewer.type';
import { DEFAULT_PAGE_SIZE, PageArgs } from '../types/page-args.type';

/** Officer user names are internal: only officers see who recorded, reviewed or answered. */
function toComplaint(r: ComplaintRecord, officerView: boolean): Complaint {
  return Object.assign(new Complaint(), {
    ...r,
    channel: r.channel as ComplaintChannelEnum,
    status: r.status as ComplaintStatusEnum,
    recordedBy: officerView ? r.recordedBy : null,
    reviewStartedBy: officerView ? r.reviewStartedBy : null,
    answeredBy: officerView ? r.answeredBy : null,
  });
}

function toComplaintConnection(
  page: ComplaintPage,
  after: string | null | undefined,
  officerView: boolean,
): ComplaintConnection {
  return toConnection(page, after, (r) => toComplaint(r, officerView));
}

/** The name an officer's actions are recorded under: the session's username. */
function officerName(v: ViewerModel): string {
  return v.username ?? `session ${v.sessionId}`;
}

@Resolver(() => Complaint)
export class ComplaintResolver {
  @Mutation(() => Complaint, {
    description:
      'Files a complaint electronically. Open to everyone, logged in or not; limited per client address ' +
      '(RATE_LIMITED). Only a logged-in trader may reference a declaration or audit record, and only their own.',
  })
  async fileComplaint(
    @Ctx() ctx: GraphQLContext,
    @OptionalViewer() v: ViewerModel | null,
    @Arg('input', () => ComplaintInput) input: ComplaintInput,
  ): Promise<Complaint> {
    const participantId = v?.role === 'TRADER' ? v.participantId : null;
    const r = await ctx.services.complaints.file(input, { participantId, clientIp: ctx.clientIp });
    return toComplaint(r, v?.role === 'OFFICER');
  }

  @OfficerMutation(() => Complaint, 'Officers: records a complaint that arrived on paper (channel PAPER).')
  async recordPaperComplaint(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('input', () => ComplaintInput) input: ComplaintInput,
  ): Promise<Complaint> {
    return toComplaint(await ctx.services.complaints.recordPaper(input, officerName(officer), officer), true);
  }

  @OfficerMutation(() => Complaint, 'Officers: takes a RECEIVED complaint into review (IN_REVIEW).')
  async startComplaintReview(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('id', () => ID) id: string,
  ): Promise<Complaint> {
    return toComplaint(await ctx.services.complaints.startReview(id, officerName(officer), officer), true);
  }

  @OfficerMutation(
    () => Complaint,
    'Officers: answers a RECEIVED or IN_REVIEW complaint (ANSWERED). The answer is 1–5000 characters.',
  )
  async answerComplaint(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('id', () => ID) id: string,
    @Arg('answer') answer: string,
  ): Promise<Complaint> {
    return toComplaint(await ctx.services.complaints.answer(id, answer, officerName(officer), officer), true);
  }

  @OfficerQuery(
    () => ComplaintConnection,
    `Officers: every complaint, newest first (first ≤ ${MAX_COMPLAINT_PAGE}). overdue: true lists the ` +
      'unanswered ones past their due date.',
  )
  async complaints(
    @OfficerCall() { ctx, officer }: OfficerCall,
    @Arg('status', () => ComplaintStatusEnum, { nullable: true }) status: ComplaintStatusEnum | null | undefined,
    @Arg('overdue', () => Boolean, { nullable: true }) overdue: boolean | null | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<ComplaintConnection> {
    const page = await ctx.services.complaints.list(officer, {
      status,
      overdue,
      first: first ?? DEFAULT_PAGE_SIZE,
      after,
    });
    return toComplaintConnection(page, after, true);
  }

  @TraderQuery(
    () => ComplaintConnection,
    `The complaints the viewer's participant filed while logged in, newest first (first ≤ ${MAX_COMPLAINT_PAGE}).`,
  )
  async myComplaints(
    @TraderCall() { ctx, trader }: TraderCall,
    @Arg('status', () => ComplaintStatusEnum, { nullable: true }) status: ComplaintStatusEnum | null | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<ComplaintConnection> {
    const page = await ctx.services.complaints.listOfParticipant(trader.participantId, {
      status,
      first: first ?? DEFAULT_PAGE_SIZE,
      after,
    });
    return toComplaintConnection(page, after, false);
  }

  @FieldResolver(() => Participant, { nullable: true })
  async participant(@Root() c: Complaint, @Ctx() ctx: GraphQLContext): Promise<Participant | null> {
    if (c.participantId === null) return null;
    const p = await ctx.loaders.participant.load(c.participantId);
    return p && toParticipant(p);
  }
}
