import { Field, ObjectType } from 'type-graphql';
import { LanguageEnum } from './enums';

@ObjectType({
  description:
    'The name of an HS code from the HS 2022 nomenclature. Only English names exist in the data: a request for ' +
    'Azerbaijani or Russian gets the English text with descriptionLanguage EN (languageFallback true), never an invented translation.',
})
export class HsDescription {
  @Field({ description: 'The code asked about (a group key or an item).' }) code: string;
  @Field({
    description:
      'The nomenclature code the text describes: the code itself, or for a 10-digit national code its 6-digit HS subheading.',
  })
  describedCode: string;
  @Field({ description: 'True when a national code (10 digits) is described by its 6-digit HS subheading.' })
  nationalCodeFallback: boolean;
  @Field({ description: 'False when HS 2022 has no such code: text and descriptionLanguage are then null.' })
  known: boolean;
  @Field(() => String, { nullable: true }) text: string | null;
  @Field(() => LanguageEnum, { description: 'The language asked for (argument, else Accept-Language, else AZ).' })
  requestedLanguage: LanguageEnum;
  @Field(() => LanguageEnum, { nullable: true, description: 'The language text is in.' })
  descriptionLanguage: LanguageEnum | null;
  @Field({ description: 'True when text is not in the requested language (the English text is given instead).' })
  languageFallback: boolean;
}

@ObjectType({ description: 'A display label of one enum value or field.' })
export class Label {
  @Field({ description: 'The enum value or field name, as in the schema.' }) value: string;
  @Field() text: string;
}

@ObjectType({ description: "The labels of one GraphQL type's enum values or fields in one language." })
export class LabelSet {
  @Field({ description: 'The GraphQL type: TradeDirection, TradeDimension, Language or TradeMeasures.' }) type: string;
  @Field(() => LanguageEnum) language: LanguageEnum;
  @Field(() => [Label]) labels: Label[];
}
