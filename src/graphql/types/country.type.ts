import { Arg, Field, ObjectType } from 'type-graphql';
import { LanguageEnum } from './enums';

@ObjectType({ description: 'An ISO 3166-1 country.' })
export class Country {
  @Field({ description: 'ISO 3166-1 alpha-2 code.' })
  code: string;

  nameAz: string;
  nameEn: string;
  nameRu: string;

  @Field(() => String, { description: 'Name in the requested language (Azerbaijani by default).' })
  name(@Arg('lang', () => LanguageEnum, { defaultValue: LanguageEnum.AZ }) lang: LanguageEnum): string {
    return lang === LanguageEnum.EN ? this.nameEn : lang === LanguageEnum.RU ? this.nameRu : this.nameAz;
  }
}
