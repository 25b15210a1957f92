import { DIMENSIONS, type TradeDimension } from '../../statistics/dimensions';
import { graphqlEnum, type EnumValue } from './graphql-enum';

export const RoleEnum = graphqlEnum(['TRADER', 'OFFICER'], { name: 'Role' });
export type RoleEnum = EnumValue<typeof RoleEnum>;
export const AuthMethodEnum = graphqlEnum(['PASSWORD', 'SIGNATURE', 'PORTAL'], { name: 'AuthMethod' });
export type AuthMethodEnum = EnumValue<typeof AuthMethodEnum>;
export const ParticipantKindEnum = graphqlEnum(['LEGAL_ENTITY', 'NATURAL_PERSON'], { name: 'ParticipantKind' });
export type ParticipantKindEnum = EnumValue<typeof ParticipantKindEnum>;
export const TradeDirectionEnum = graphqlEnum(['IMPORT', 'EXPORT'], {
  name: 'TradeDirection',
  description: 'IMPORT or EXPORT (IM / EX in the CSV).',
});
export type TradeDirectionEnum = EnumValue<typeof TradeDirectionEnum>;
export const LanguageEnum = graphqlEnum(['AZ', 'EN', 'RU'], {
  name: 'Language',
  description: 'Language of reference-data names.',
});
export type LanguageEnum = EnumValue<typeof LanguageEnum>;
export const TradeDimensionEnum = graphqlEnum(Object.keys(DIMENSIONS) as TradeDimension[], {
  name: 'TradeDimension',
  description:
    'A grouping dimension. COUNTRY is the partner country; QUARTER and MONTH are of the year (combine with YEAR).',
});
export type TradeDimensionEnum = EnumValue<typeof TradeDimensionEnum>;

export const directionToCode = (d: TradeDirectionEnum): 'IM' | 'EX' => (d === TradeDirectionEnum.IMPORT ? 'IM' : 'EX');
export const codeToDirection = (c: 'IM' | 'EX'): TradeDirectionEnum =>
  c === 'IM' ? TradeDirectionEnum.IMPORT : TradeDirectionEnum.EXPORT;
