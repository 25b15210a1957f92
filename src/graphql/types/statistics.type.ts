import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../scalars';
import { Country } from './country.type';
import { TradeDirectionEnum } from './enums';

@InputType('TradeFilter', { description: 'Restricts statistics and declarations; every field is optional.' })
export class TradeFilterInput {
  @Field(() => TradeDirectionEnum, { nullable: true }) direction?: TradeDirectionEnum;
  @Field(() => DateScalar, { nullable: true, description: 'Registration date, inclusive.' }) from?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Registration date, inclusive.' }) to?: string;
  @Field({ nullable: true, description: '2 to 10 digits of the commodity code.' }) hsCodePrefix?: string;
  @Field({ nullable: true, description: 'ISO 3166-1 alpha-2 partner country.' }) countryCode?: string;
  @Field({ nullable: true }) customsPostCode?: string;
  @Field({ nullable: true }) procedureCode?: string;
  @Field({ nullable: true }) transportMode?: string;
}

@ObjectType({ description: 'Exact measures of a set of items.' })
export class TradeMeasures {
  @Field(() => Int, { description: 'Distinct declarations in the group (not additive across finer groups).' })
  declarationCount: number;
  @Field(() => Int) itemCount: number;
  @Field(() => DecimalScalar) customsValueAzn: string;
  @Field(() => DecimalScalar) statisticalValueUsd: string;
  @Field(() => DecimalScalar) netWeightKg: string;
  @Field(() => DecimalScalar) grossWeightKg: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Only when grouped by HS10 and the group has one unit.' })
  supplementaryQuantity: string | null;
  @Field(() => String, { nullable: true, description: 'The unit of supplementaryQuantity.' })
  supplementaryUnit: string | null;
}

@ObjectType({ description: 'The group a row stands for: exactly the fields named in groupBy are set.' })
export class TradeGroupKey {
  countryCode?: string;
  @Field(() => TradeDirectionEnum, { nullable: true }) direction?: TradeDirectionEnum;
  @Field(() => Int, { nullable: true }) year?: number;
  @Field(() => Int, { nullable: true }) quarter?: number;
  @Field(() => Int, { nullable: true }) month?: number;
  @Field({ nullable: true, description: 'The commodity code at the grouped level (2, 4, 6 or 10 digits).' })
  hsCode?: string;
  @Field(() => Country, { nullable: true, description: 'Partner country.' }) country?: Country;
  @Field({ nullable: true }) customsPostCode?: string;
  @Field({ nullable: true }) procedureCode?: string;
  @Field({ nullable: true }) transportMode?: string;
}

@ObjectType()
export class TradeStatisticsRow {
  @Field(() => TradeGroupKey) key: TradeGroupKey;
  @Field(() => TradeMeasures) measures: TradeMeasures;
}

@ObjectType()
export class TradeStatistics {
  @Field(() => [TradeStatisticsRow]) rows: TradeStatisticsRow[];
  @Field(() => TradeMeasures, { description: 'Over every matching item, including groups cut by `first`.' })
  totals: TradeMeasures;
  @Field({ description: 'True when more groups matched than `first`.' }) truncated: boolean;
}
