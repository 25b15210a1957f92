import { Field, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../scalars';
import { Country } from './country.type';
import { TradeDirectionEnum } from './enums';
import { TradeMeasures } from './statistics.type';
import { connectionType, type Connection } from './connection.type';

@ObjectType({ description: 'One goods item of a declaration.' })
export class DeclarationItem {
  declarationId: string;
  originCountryCode: string | null;
  partnerCountryCode: string;

  @Field(() => Int) itemNumber: number;
  @Field({ description: 'National nomenclature code, 10 digits (HS-based).' }) hsCode: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field(() => Country, { nullable: true }) originCountry: Country | null;
  @Field(() => Country, { description: 'Country of origin for imports, of destination for exports.' })
  partnerCountry: Country;
  @Field(() => String, { nullable: true }) transportMode: string | null;
  @Field(() => DecimalScalar) netWeightKg: string;
  @Field(() => DecimalScalar) grossWeightKg: string;
  @Field(() => DecimalScalar, { nullable: true }) supplementaryQuantity: string | null;
  @Field(() => String, { nullable: true }) supplementaryUnit: string | null;
  @Field(() => DecimalScalar) customsValueAzn: string;
  @Field(() => DecimalScalar) statisticalValueUsd: string;
}

@ObjectType({ description: 'A customs declaration of the viewer.' })
export class Declaration {
  id: string;
  @Field() number: string;
  @Field(() => DateScalar) registrationDate: string;
  @Field(() => TradeDirectionEnum) direction: TradeDirectionEnum;
  @Field() customsPostCode: string;
  @Field() procedureCode: string;
  @Field() declarantName: string;
  @Field(() => [DeclarationItem]) items: DeclarationItem[];
  @Field(() => TradeMeasures) measures: TradeMeasures;
}

export const DeclarationConnection = connectionType(
  Declaration,
  'Declaration',
  'Relay connection of declarations, newest first.',
);
export type DeclarationConnection = Connection<Declaration>;
