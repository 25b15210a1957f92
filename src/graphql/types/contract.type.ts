import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { CONTRACT_DOCUMENTS } from '../../contracts/documents';
import { DateScalar, DateTimeScalar } from '../scalars';
import { ParticipantKindEnum } from './enums';
import { Participant } from './viewer.type';
import { connectionType, type Connection } from './connection.type';
import { graphqlEnum, type EnumValue } from './graphql-enum';

export const ContractStatusEnum = graphqlEnum(['ACTIVE', 'SUSPENDED', 'TERMINATED'], {
  name: 'ContractStatus',
  description:
    "ACTIVE: password logins under the contract allowed. SUSPENDED: the contract's password logins refused and its " +
    'password sessions revoked until resumed. TERMINATED: final, the account is disabled, its password logins ' +
    'refused and its password sessions revoked. A contract covers password access only: signature and portal ' +
    'logins of the participant are refused only while the participant is blocked (blockParticipant).',
});
export type ContractStatusEnum = EnumValue<typeof ContractStatusEnum>;
export const ContractDocumentEnum = graphqlEnum(CONTRACT_DOCUMENTS, {
  name: 'ContractDocument',
  description: 'A document submitted with the contract (regulation 2.6 (1)).',
  valuesConfig: {
    APPLICATION_LETTER: { description: 'Official application letter to the State Customs Committee (both kinds).' },
    SIGNED_CONTRACT: { description: 'The contract, signed (and sealed, for a legal entity) (both kinds).' },
    STATE_REGISTRATION_CERTIFICATE: { description: 'Copy of the state registration certificate (legal entity).' },
    NOTARISED_REGISTRY_EXTRACT: { description: 'Notarised state registry extract (non-commercial legal entity).' },
    FOUNDERS_IDENTITY_DOCUMENTS: { description: "Copies of the founders' identity documents (legal entity)." },
    GOOEN_COPY: { description: 'Copy of the GÖÖEN (natural person without a VÖEN).' },
    IDENTITY_DOCUMENT: { description: 'Copy of the identity document (natural person).' },
  },
});
export type ContractDocumentEnum = EnumValue<typeof ContractDocumentEnum>;

@InputType({
  description:
    'A signed contract to register. Legal entity: voen. Natural person: fin plus voen or, without one, gooen.',
})
export class ContractInput {
  @Field() contractNumber: string;
  @Field(() => DateScalar) signedDate: string;
  @Field(() => ParticipantKindEnum) kind: ParticipantKindEnum;
  @Field({ description: 'Name of the legal entity or the natural person.' }) name: string;
  @Field(() => String, { nullable: true }) voen?: string | null;
  @Field(() => String, { nullable: true, description: 'FIN from the identity document.' }) fin?: string | null;
  @Field(() => String, { nullable: true }) gooen?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'A non-commercial legal entity (needs NOTARISED_REGISTRY_EXTRACT).',
  })
  nonCommercial?: boolean | null;
  @Field(() => [ContractDocumentEnum], {
    description: 'The documents submitted; a missing required one is BAD_USER_INPUT naming it.',
  })
  documents: ContractDocumentEnum[];
}

@ObjectType({ description: 'A contract between a participant and the customs authority (regulation 2.6 (1)).' })
export class Contract {
  participantId: string;

  @Field(() => ID) id: string;
  @Field() contractNumber: string;
  @Field(() => DateScalar) signedDate: string;
  @Field(() => ContractStatusEnum) status: ContractStatusEnum;
  @Field(() => String, { nullable: true, description: 'The reason given for the last status change.' }) statusReason:
    string | null;
  @Field(() => DateTimeScalar, { nullable: true }) statusChangedAt: Date | null;
  @Field(() => Participant) participant: Participant;
  @Field() nonCommercial: boolean;
  @Field(() => [ContractDocumentEnum]) documents: ContractDocumentEnum[];
  @Field(() => DateScalar, { description: 'Credentials are due by this date: the signing date plus one month.' })
  credentialsDueDate: string;
  @Field({ description: 'True while an active contract has no credentials after its due date.' })
  credentialsOverdue: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When credentials were first issued.' })
  credentialsIssuedAt: Date | null;
  @Field(() => String, { nullable: true, description: "The participant's username, once credentials are issued." })
  username: string | null;
  @Field(() => DateTimeScalar) registeredAt: Date;
  @Field(() => String, { nullable: true, description: 'Username of the officer who registered the contract.' })
  registeredBy: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Username of the officer who made the last status change (suspend, resume, terminate).',
  })
  statusChangedBy: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Username of the officer who first issued the credentials (with credentialsIssuedAt).',
  })
  credentialsIssuedBy: string | null;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When credentials were last issued (the first issue or a re-issue, which replaces the password).',
  })
  credentialsLastIssuedAt: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Username of the officer who last issued the credentials (with credentialsLastIssuedAt).',
  })
  credentialsLastIssuedBy: string | null;
}

export const ContractConnection = connectionType(
  Contract,
  'Contract',
  'Relay connection of contracts, most recently registered first.',
);
export type ContractConnection = Connection<Contract>;

@ObjectType({ description: 'New credentials. The password is shown here once and never again.' })
export class IssuedCredentials {
  @Field(() => Contract) contract: Contract;
  @Field() username: string;
  @Field({ description: 'The one-time password: the first login with it must change it.' }) password: string;
}

/** The arguments of a contract's status change (suspendContract, resumeContract, terminateContract). */
@ArgsType()
export class ContractChangeArgs {
  @Field(() => ID) id: string;
  @Field() reason: string;
}
