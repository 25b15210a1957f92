import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth';
import { DeclarationItemResolver, DeclarationResolver } from './resolvers/declaration.resolver';
import { StatisticsResolver, TradeGroupKeyResolver } from './resolvers/statistics.resolver';
import { ViewerResolver } from './resolvers/viewer.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { ContractResolver } from './resolvers/contract.resolver';
import { PasswordAuthResolver } from './resolvers/password-auth.resolver';
import { ComplaintResolver } from './resolvers/complaint.resolver';
import { SignatureAuthResolver } from './resolvers/signature-auth.resolver';
import { ParticipantResolver } from './resolvers/participant.resolver';
import { DeclarationItemHsResolver, LabelsResolver, TradeGroupKeyHsResolver } from './resolvers/language.resolver';
import { ExtractResolver } from './resolvers/extract.resolver';
import { AuditProofResolver } from './resolvers/audit-proof.resolver';
import { RateLimitResolver } from './resolvers/rate-limit.resolver';

/** Every resolver class of the API. Add new ones here. */
export const resolvers = [
  ViewerResolver,
  DeclarationResolver,
  DeclarationItemResolver,
  StatisticsResolver,
  TradeGroupKeyResolver,
  ComplaintResolver,
  PasswordAuthResolver,
  ContractResolver,
  SignatureAuthResolver,
  AuditResolver,
  ParticipantResolver,
  TradeGroupKeyHsResolver,
  DeclarationItemHsResolver,
  LabelsResolver,
  ExtractResolver,
  AuditProofResolver,
  RateLimitResolver,
] as const;

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...resolvers], authChecker, validate: false });
}

/** The committed schema.graphql is this text; a test fails when it is stale. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema.graphql');
