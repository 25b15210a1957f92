import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { TraderCall, TraderQuery } from '../auth';
import { traderScope } from '../../db/tenant';
import {
  declarationByNumber,
  listDeclarations,
  MAX_PAGE_SIZE,
  type DeclarationItemRecord,
} from '../../statistics/declarations.service';
import { toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { Country } from '../types/country.type';
import { Declaration, DeclarationConnection, DeclarationItem } from '../types/declaration.type';
import { TradeFilterInput, TradeMeasures } from '../types/statistics.type';
import { loadCountry, toDeclaration, toMeasuresType, toTradeFilter } from '../mappers';
import { DEFAULT_PAGE_SIZE, PageArgs } from '../types/page-args.type';

function toItem(r: DeclarationItemRecord): DeclarationItem {
  return Object.assign(new DeclarationItem(), {
    ...r,
    originCountryCode: r.originCountry,
    partnerCountryCode: r.partnerCountry,
  });
}

@Resolver(() => Declaration)
export class DeclarationResolver {
  @TraderQuery(() => DeclarationConnection, `The viewer's declarations, newest first (first ≤ ${MAX_PAGE_SIZE}).`)
  async declarations(
    @TraderCall() { ctx, trader }: TraderCall,
    @Arg('filter', () => TradeFilterInput, { nullable: true }) filter: TradeFilterInput | undefined,
    @Args() { first, after }: PageArgs,
  ): Promise<DeclarationConnection> {
    const f = await toTradeFilter(ctx, filter);
    const sql = ctx.services.db.sending(traderScope(trader.participantId)); // one statement, one round trip
    const page = await listDeclarations(sql, trader.participantId, f, first ?? DEFAULT_PAGE_SIZE, after ?? undefined);
    return toConnection(page, after, toDeclaration);
  }

  @TraderQuery(() => Declaration, "One of the viewer's declarations; null when it does not exist or is not theirs.", {
    nullable: true,
  })
  async declaration(
    @TraderCall() { ctx, trader }: TraderCall,
    @Arg('number') number: string,
  ): Promise<Declaration | null> {
    const r = await ctx.services.db.run(traderScope(trader.participantId), (sql) =>
      declarationByNumber(sql, trader.participantId, number),
    );
    return r && toDeclaration(r);
  }

  @FieldResolver(() => [DeclarationItem])
  async items(@Root() d: Declaration, @Ctx() ctx: GraphQLContext): Promise<DeclarationItem[]> {
    return (await ctx.loaders.itemsByDeclaration.load(d.id)).map(toItem);
  }

  @FieldResolver(() => TradeMeasures)
  async measures(@Root() d: Declaration, @Ctx() ctx: GraphQLContext): Promise<TradeMeasures> {
    const m = await ctx.loaders.measuresByDeclaration.load(d.id);
    return toMeasuresType(
      m ?? {
        declarationCount: 0,
        itemCount: 0,
        customsValueAzn: '0.00',
        statisticalValueUsd: '0.00',
        netWeightKg: '0.000',
        grossWeightKg: '0.000',
        supplementaryQuantity: null,
        supplementaryUnit: null,
      },
    );
  }
}

@Resolver(() => DeclarationItem)
export class DeclarationItemResolver {
  @FieldResolver(() => Country, { nullable: true })
  originCountry(@Root() i: DeclarationItem, @Ctx() ctx: GraphQLContext): Promise<Country | null> {
    return loadCountry(ctx, i.originCountryCode);
  }

  @FieldResolver(() => Country)
  async partnerCountry(@Root() i: DeclarationItem, @Ctx() ctx: GraphQLContext): Promise<Country> {
    const c = await loadCountry(ctx, i.partnerCountryCode);
    // Imported rows are validated against the country table, so this only guards a broken reference.
    return (
      c ??
      Object.assign(new Country(), {
        code: i.partnerCountryCode,
        nameAz: i.partnerCountryCode,
        nameEn: i.partnerCountryCode,
        nameRu: i.partnerCountryCode,
      })
    );
  }
}
