import { Arg, Ctx, Field, ObjectType } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { LanguageEnum } from './enums';

@ObjectType({ description: 'An ISO 3166-1 country.' })
export class Country {
  @Field({ description: 'ISO 3166-1 alpha-2 code.' })
  code: string;

  nameAz: string;
  nameEn: string;
  nameRu: string;

  @Field(() => String, {
    description: "Name in the requested language: the argument, else the request's Accept-Language, else Azerbaijani.",
  })
  name(
    @Arg('lang', () => LanguageEnum, { nullable: true }) lang: LanguageEnum | null,
    @Ctx() ctx: GraphQLContext,
  ): string {
    const l = lang ?? ctx.language.language;
    return l === 'EN' ? this.nameEn : l === 'RU' ? this.nameRu : this.nameAz;
  }
}
