import { DeclarationItemEntity } from './declaration-item.entity';
import { DeclarationEntity } from './declaration.entity';
import { ParticipantEntity } from './participant.entity';
import {
  CountryEntity,
  CustomsPostEntity,
  CustomsProcedureEntity,
  HsChapterEntity,
  HsHeadingEntity,
  HsSectionEntity,
  HsSubheadingEntity,
  TransportModeEntity,
} from './reference.entity';
import { SessionEntity } from './session.entity';
import { LoginThrottleEntity, UserAccountEntity } from './user-account.entity';
import { ComplaintEntity } from './complaint.entity';
import { ContractEntity } from './contract.entity';
import { ParticipantBlockEntity } from './participant-block.entity';
import { AuditTreeNodeEntity } from './audit-tree-node.entity';
import { RateBudgetEntity } from './rate-limit.entity';

/** Every entity, registered with the DataSource. Add new ones here (and export it below). */
export const entities = [
  ParticipantEntity,
  DeclarationEntity,
  DeclarationItemEntity,
  SessionEntity,
  CountryEntity,
  HsChapterEntity,
  HsHeadingEntity,
  HsSectionEntity,
  HsSubheadingEntity,
  CustomsPostEntity,
  CustomsProcedureEntity,
  TransportModeEntity,
  UserAccountEntity,
  ContractEntity,
  LoginThrottleEntity,
  ComplaintEntity,
  ParticipantBlockEntity,
  AuditTreeNodeEntity,
  RateBudgetEntity,
];

export * from './declaration-item.entity';
export * from './declaration.entity';
export * from './participant.entity';
export * from './reference.entity';
export * from './session.entity';
export * from './user-account.entity';
export * from './complaint.entity';
export * from './contract.entity';
export * from './participant-block.entity';
export * from './audit-tree-node.entity';
export * from './rate-limit.entity';
