/**
 * The three languages on the API: HS descriptions of statistics group keys and declaration items (batched
 * per request by the hsName loader: one statement for any number of rows), and the labels of enum values
 * and measures. Every `lang` argument defaults to the request's Accept-Language (else Azerbaijani).
 */
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { describedHsCode } from '../../statistics/hs-names';
import { LABELS } from '../../shared/lang-labels';
import { inLanguage } from '../../shared/lang';
import type { GraphQLContext } from '../context';
import { DeclarationItem } from '../types/declaration.type';
import { LanguageEnum } from '../types/enums';
import { HsDescription, LabelSet } from '../types/language.type';
import { TradeGroupKey } from '../types/statistics.type';

const LANG_ARG = { nullable: true, description: "Default: the request's Accept-Language, else AZ." } as const;

/** The language a field answers in: its argument, else the request's. */
export function requestLanguage(ctx: GraphQLContext, lang: LanguageEnum | null | undefined): LanguageEnum {
  return lang ?? (ctx.language.language as LanguageEnum);
}

export async function describeHs(ctx: GraphQLContext, code: string, lang: LanguageEnum): Promise<HsDescription> {
  const described = describedHsCode(code);
  const names = await ctx.loaders.hsName.load(described.code);
  const chosen = names && inLanguage({ AZ: names.nameAz, EN: names.nameEn, RU: names.nameRu }, lang);
  return Object.assign(new HsDescription(), {
    code,
    describedCode: described.code,
    nationalCodeFallback: described.national,
    known: names !== null,
    text: chosen?.text ?? null,
    requestedLanguage: lang,
    descriptionLanguage: (chosen?.language as LanguageEnum | undefined) ?? null,
    languageFallback: chosen !== null && chosen.language !== (lang as string),
  });
}

@Resolver(() => TradeGroupKey)
export class TradeGroupKeyHsResolver {
  @FieldResolver(() => HsDescription, {
    nullable: true,
    description: 'The name of hsCode (null when the rows are not grouped by HS2, HS4, HS6 or HS10).',
  })
  hsDescription(
    @Root() k: TradeGroupKey,
    @Ctx() ctx: GraphQLContext,
    @Arg('lang', () => LanguageEnum, LANG_ARG) lang: LanguageEnum | null,
  ): Promise<HsDescription> | null {
    return k.hsCode ? describeHs(ctx, k.hsCode, requestLanguage(ctx, lang)) : null;
  }
}

@Resolver(() => DeclarationItem)
export class DeclarationItemHsResolver {
  @FieldResolver(() => HsDescription, { description: 'The name of hsCode: its 6-digit HS subheading.' })
  hsDescription(
    @Root() i: DeclarationItem,
    @Ctx() ctx: GraphQLContext,
    @Arg('lang', () => LanguageEnum, LANG_ARG) lang: LanguageEnum | null,
  ): Promise<HsDescription> {
    return describeHs(ctx, i.hsCode, requestLanguage(ctx, lang));
  }
}

@Resolver()
export class LabelsResolver {
  @Query(() => [LabelSet], {
    description:
      'Display labels of the enum values (TradeDirection, TradeDimension, Language) and of the TradeMeasures fields in one language: menus, column headers, chart legends.',
  })
  labels(@Ctx() ctx: GraphQLContext, @Arg('lang', () => LanguageEnum, LANG_ARG) lang: LanguageEnum | null): LabelSet[] {
    const language = requestLanguage(ctx, lang);
    return Object.entries(LABELS).map(([type, values]) =>
      Object.assign(new LabelSet(), {
        type,
        language,
        labels: Object.entries(values).map(([value, text]) => ({ value, text: text[language] })),
      }),
    );
  }
}
