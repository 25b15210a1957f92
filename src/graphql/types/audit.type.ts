import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { AuthMethodEnum, RoleEnum } from './enums';
import { connectionType, type Connection } from './connection.type';
import { graphqlEnum, type EnumValue } from './graphql-enum';

export const AuditOutcomeEnum = graphqlEnum(['SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED', 'STARTED'], {
  name: 'AuditOutcome',
  description:
    'SUCCESS: no errors; PARTIAL: data and errors; ERROR: errors and no data; REJECTED: refused before anything executed (HTTP layer, parse, validation, pre-execution checks); STARTED: a file export whose first byte is about to leave (its completion record, same requestId, follows).',
});
export type AuditOutcomeEnum = EnumValue<typeof AuditOutcomeEnum>;

@ObjectType({
  description:
    'The accounting record of one GraphQL operation (regulation 3.4.1). Secrets and complaint personal data are never stored.',
})
export class AuditEntry {
  @Field(() => ID, { description: 'Stable id (complaints may reference it).' }) id: string;
  @Field({ description: 'Position in the hash chain (1, 2, 3…), as a decimal string.' }) sequence: string;
  @Field(() => DateTimeScalar, { description: 'When the request started.' }) occurredAt: Date;
  @Field({ description: 'Also in the X-Request-Id header, error extensions and the log line.' }) requestId: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The session the request carried (the actor), never one a login in it opened.',
  })
  sessionId: string | null;
  @Field(() => ID, { nullable: true, description: "The actor's participant (the session the request carried)." })
  participantId: string | null;
  @Field(() => RoleEnum, { nullable: true }) role: RoleEnum | null;
  @Field(() => String, { nullable: true }) username: string | null;
  @Field(() => AuthMethodEnum, {
    nullable: true,
    description: "The session's method; for a login attempt, the method attempted.",
  })
  authMethod: AuthMethodEnum | null;
  @Field({ description: 'True for login attempts.' }) login: boolean;
  @Field(() => ID, { nullable: true, description: 'For a login: the session it opened (null when refused).' })
  loginSessionId: string | null;
  @Field(() => ID, { nullable: true, description: 'For a login: the participant of the session it opened.' })
  loginParticipantId: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'For a password login: the username attempted (the account logged in when it succeeded).',
  })
  loginUsername: string | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'A summary record: how many refusals of this client address in this minute it stands for (not recorded one by one).',
  })
  refusedCount: number | null;
  @Field(() => String, { nullable: true }) clientIp: string | null;
  @Field(() => String, { nullable: true }) userAgent: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'query, mutation or subscription; null when the document did not parse.',
  })
  operationType: string | null;
  @Field(() => String, { nullable: true, description: "The client's operation name." }) operationName: string | null;
  @Field(() => [String], { description: 'The root fields of the operation (schema names).' }) rootFields: string[];
  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 (hex) of the normalised document, literals in secret positions masked.',
  })
  documentHash: string | null;
  @Field({ description: 'The variables as JSON, secrets and complaint personal data replaced by "[redacted]".' })
  variables: string;
  @Field(() => AuditOutcomeEnum) outcome: AuditOutcomeEnum;
  @Field(() => [String]) errorCodes: string[];
  @Field(() => Int, {
    description: 'List items at the first level of each root field (edges, rows…); a single object counts 1.',
  })
  rowsReturned: number;
  @Field({ description: 'SHA-256 (hex) of the response body as sent: the registered result.' }) responseHash: string;
  @Field(() => Int, { nullable: true }) httpStatus: number | null;
  @Field(() => Float) durationMs: number;
  @Field(() => ID, {
    nullable: true,
    description: 'The complaint a complaint operation returned (instead of its content).',
  })
  complaintId: string | null;
  @Field({ description: 'SHA-256 (hex) chaining this record to the previous one.' }) hash: string;
}

export const AuditEntryConnection = connectionType(
  AuditEntry,
  'AuditEntry',
  'Relay connection of audit records, newest first.',
);
export type AuditEntryConnection = Connection<AuditEntry>;

@InputType({ description: 'Audit log filters; all given ones must match.' })
export class AuditFilter {
  @Field(() => ID, { nullable: true }) participantId?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Inclusive.' }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Exclusive.' }) to?: Date | null;
  @Field(() => String, { nullable: true, description: "The client's operation name or a root field name." })
  operationName?: string | null;
  @Field(() => AuditOutcomeEnum, { nullable: true }) outcome?: AuditOutcomeEnum | null;
  @Field(() => AuthMethodEnum, { nullable: true }) authMethod?: AuthMethodEnum | null;
  @Field(() => Boolean, { nullable: true, description: 'true: login attempts only; false: everything else.' }) login?:
    boolean | null;
}

@InputType({ description: 'A period [from, to).' })
export class AuditPeriod {
  @Field(() => DateTimeScalar, { description: 'Inclusive.' }) from: Date;
  @Field(() => DateTimeScalar, { description: 'Exclusive.' }) to: Date;
}

@ObjectType()
export class HourlyOperations {
  @Field(() => DateTimeScalar, { description: 'Start of the hour (UTC).' }) hour: Date;
  @Field(() => Int) operations: number;
  @Field(() => Int, { description: 'Operations whose outcome is not SUCCESS.' }) failed: number;
}

@ObjectType()
export class ErrorCodeCount {
  @Field() code: string;
  @Field(() => Int, { description: 'Operations that reported this code.' }) count: number;
  @Field(() => Float, { description: 'count / operations in the period.' }) rate: number;
}

@ObjectType()
export class LoginMethodCount {
  @Field(() => AuthMethodEnum) method: AuthMethodEnum;
  @Field(() => Int) attempts: number;
  @Field(() => Int) succeeded: number;
  @Field(() => Int) refused: number;
}

@ObjectType({
  description:
    "The audit log's integrity as the checkpointer last found it: before signing a checkpoint it verifies every record written since the last one it verified (each record's hash recomputed from its fields, the link to the previous record, no position missing up to the chain head). When they do not verify it signs nothing, raises an alarm (error log, metric audit_integrity_ok = 0) and says so here until the records are dealt with.",
})
export class AuditIntegrity {
  @Field({ description: 'False: records do not verify and no checkpoint is being signed.' }) ok: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Chain position (seq) of the first record that failed: altered, out of place, or missing.',
  })
  firstBadSeq: string | null;
  @Field(() => String, { nullable: true, description: 'What failed at firstBadSeq.' }) reason: string | null;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When this instance last verified (null: not yet since it started).',
  })
  checkedAt: Date | null;
  @Field({ description: 'Tree size (newest seq) this instance last verified and signed; "0" for none.' })
  verifiedSize: string;
}

@ObjectType({ description: 'Control figures of the service over a period, from the audit records (regulation 3.4).' })
export class ServiceStatistics {
  @Field(() => DateTimeScalar) from: Date;
  @Field(() => DateTimeScalar) to: Date;
  @Field(() => Int) operations: number;
  @Field(() => Int, { description: 'Operations whose outcome is not SUCCESS.' }) failedOperations: number;
  @Field(() => Float, { description: 'failedOperations / operations (0 without operations).' }) errorRate: number;
  @Field(() => Float, { nullable: true, description: 'Median duration (nearest rank), milliseconds.' }) latencyP50Ms:
    number | null;
  @Field(() => Float, { nullable: true, description: '95th percentile duration (nearest rank), milliseconds.' })
  latencyP95Ms: number | null;
  @Field(() => [HourlyOperations], { description: 'Hours (UTC) with at least one operation.' })
  operationsPerHour: HourlyOperations[];
  @Field(() => [ErrorCodeCount]) errorsByCode: ErrorCodeCount[];
  @Field(() => Int, { description: 'Distinct participants with at least one operation.' }) activeParticipants: number;
  @Field(() => [LoginMethodCount]) loginsByMethod: LoginMethodCount[];
  @Field(() => Int, { description: 'Login attempts whose outcome is not SUCCESS.' }) refusedLogins: number;
  @Field(() => AuditIntegrity, { description: "The audit log's integrity now (not limited to the period)." })
  auditIntegrity: AuditIntegrity;
}
