import { registerEnumType } from 'type-graphql';

export enum RoleEnum {
  TRADER = 'TRADER',
  OFFICER = 'OFFICER',
}
export enum AuthMethodEnum {
  PASSWORD = 'PASSWORD',
  SIGNATURE = 'SIGNATURE',
  PORTAL = 'PORTAL',
}
export enum ParticipantKindEnum {
  LEGAL_ENTITY = 'LEGAL_ENTITY',
  NATURAL_PERSON = 'NATURAL_PERSON',
}
export enum TradeDirectionEnum {
  IMPORT = 'IMPORT',
  EXPORT = 'EXPORT',
}
export enum LanguageEnum {
  AZ = 'AZ',
  EN = 'EN',
  RU = 'RU',
}
export enum TradeDimensionEnum {
  DIRECTION = 'DIRECTION',
  YEAR = 'YEAR',
  QUARTER = 'QUARTER',
  MONTH = 'MONTH',
  HS2 = 'HS2',
  HS4 = 'HS4',
  HS6 = 'HS6',
  HS10 = 'HS10',
  COUNTRY = 'COUNTRY',
  CUSTOMS_POST = 'CUSTOMS_POST',
  PROCEDURE = 'PROCEDURE',
  TRANSPORT_MODE = 'TRANSPORT_MODE',
}

registerEnumType(RoleEnum, { name: 'Role' });
registerEnumType(AuthMethodEnum, { name: 'AuthMethod' });
registerEnumType(ParticipantKindEnum, { name: 'ParticipantKind' });
registerEnumType(TradeDirectionEnum, { name: 'TradeDirection', description: 'IMPORT or EXPORT (IM / EX in the CSV).' });
registerEnumType(LanguageEnum, { name: 'Language', description: 'Language of reference-data names.' });
registerEnumType(TradeDimensionEnum, {
  name: 'TradeDimension',
  description:
    'A grouping dimension. COUNTRY is the partner country; QUARTER and MONTH are of the year (combine with YEAR).',
});

export const directionToCode = (d: TradeDirectionEnum): 'IM' | 'EX' => (d === TradeDirectionEnum.IMPORT ? 'IM' : 'EX');
export const codeToDirection = (c: 'IM' | 'EX'): TradeDirectionEnum =>
  c === 'IM' ? TradeDirectionEnum.IMPORT : TradeDirectionEnum.EXPORT;
