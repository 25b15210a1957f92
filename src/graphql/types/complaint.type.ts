import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar } from '../scalars';
import { Participant } from './viewer.type';
import { connectionType, type Connection } from './connection.type';
import { graphqlEnum, type EnumValue } from './graphql-enum';

export const ComplaintStatusEnum = graphqlEnum(['RECEIVED', 'IN_REVIEW', 'ANSWERED'], {
  name: 'ComplaintStatus',
  description: 'RECEIVED → IN_REVIEW (startComplaintReview) → ANSWERED (answerComplaint, also straight from RECEIVED).',
});
export type ComplaintStatusEnum = EnumValue<typeof ComplaintStatusEnum>;
export const ComplaintChannelEnum = graphqlEnum(['ELECTRONIC', 'PAPER'], {
  name: 'ComplaintChannel',
  description: 'ELECTRONIC: filed through this service; PAPER: arrived on paper and recorded by an officer.',
});
export type ComplaintChannelEnum = EnumValue<typeof ComplaintChannelEnum>;

@InputType({ description: 'The receipt of a response (extensions.receipt) a complaint cites.' })
export class ReceiptCitationInput {
  @Field({ description: "The receipt's seq (decimal string)." }) seq: string;
  @Field({ description: "The receipt's leafHash (64 hex digits)." }) leafHash: string;
}

@InputType({
  description:
    'A complaint (regulation 3.5.2). Values are trimmed; control characters are refused; a rejection names ' +
    'the field in `extensions.field`.',
})
export class ComplaintInput {
  @Field({ description: 'First name: 1–100 letters (any script), spaces, hyphens, apostrophes.' }) name: string;
  @Field({ description: "Father's name, same rule as name." }) patronymic: string;
  @Field({ description: 'Surname, same rule as name.' }) surname: string;
  @Field(() => String, {
    nullable: true,
    description: 'At most 300 characters. Give at least one of address, postalAddress, workplace.',
  })
  address?: string | null;
  @Field(() => String, { nullable: true, description: 'At most 300 characters.' }) postalAddress?: string | null;
  @Field(() => String, { nullable: true, description: 'At most 300 characters.' }) workplace?: string | null;
  @Field(() => String, { nullable: true, description: 'Where to send the answer, if wanted.' }) email?: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Number of one of the logged-in trader's own declarations the complaint is about.",
  })
  declarationNumber?: string | null;
  @Field(() => ID, { nullable: true, description: "Id of one of the logged-in trader's own audit records." })
  auditRecordId?: string | null;
  @Field(() => ReceiptCitationInput, {
    nullable: true,
    description:
      "A receipt (a response's extensions.receipt) of one of the logged-in trader's own audit records: checked on filing, RECEIPT_INVALID otherwise.",
  })
  receipt?: ReceiptCitationInput | null;
  @Field({ description: 'The complaint, 1–5000 characters (line breaks allowed).' }) text: string;
}

@ObjectType({ description: 'A complaint about the e-service (regulation 3.5).' })
export class Complaint {
  participantId: string | null;

  @Field(() => ID) id: string;
  @Field(() => ComplaintChannelEnum) channel: ComplaintChannelEnum;
  @Field(() => ComplaintStatusEnum) status: ComplaintStatusEnum;
  @Field() name: string;
  @Field() patronymic: string;
  @Field() surname: string;
  @Field(() => String, { nullable: true }) address: string | null;
  @Field(() => String, { nullable: true }) postalAddress: string | null;
  @Field(() => String, { nullable: true }) workplace: string | null;
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => String, { nullable: true }) declarationNumber: string | null;
  @Field(() => ID, { nullable: true }) auditRecordId: string | null;
  @Field(() => String, { nullable: true, description: 'The seq of the receipt the filer cited (verified on filing).' })
  receiptSeq: string | null;
  @Field(() => String, { nullable: true, description: 'The leaf hash (hex) of the receipt the filer cited.' })
  receiptLeafHash: string | null;
  @Field() text: string;
  @Field(() => Participant, { nullable: true, description: 'The trader who filed it while logged in; null otherwise.' })
  participant: Participant | null;
  @Field(() => DateTimeScalar) filedAt: Date;
  @Field(() => DateScalar, {
    description:
      "The filing date (authority's calendar) plus the review term (COMPLAINT_REVIEW_DAYS, Law on " +
      'Administrative Proceedings art. 78).',
  })
  dueDate: string;
  @Field({ description: 'Not answered and the due date has passed.' }) overdue: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) reviewStartedAt: Date | null;
  @Field(() => String, { nullable: true }) answer: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) answeredAt: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Officer who recorded a paper complaint. Shown to officers only.',
  })
  recordedBy: string | null;
  @Field(() => String, { nullable: true, description: 'Officer who took it into review. Shown to officers only.' })
  reviewStartedBy: string | null;
  @Field(() => String, { nullable: true, description: 'Officer who answered. Shown to officers only.' })
  answeredBy: string | null;
}

export const ComplaintConnection = connectionType(
  Complaint,
  'Complaint',
  'Relay connection of complaints, newest first.',
);
export type ComplaintConnection = Connection<Complaint>;
