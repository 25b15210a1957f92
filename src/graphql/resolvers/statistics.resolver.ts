import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { TraderCall, TraderQuery } from '../auth';
import { scopeOf, traderScope } from '../../db/tenant';
import { MAX_STATISTICS_ROWS, tradeStatistics, type TradeDimension } from '../../statistics/statistics.service';
import type { GraphQLContext } from '../context';
import { codeToDirection, TradeDimensionEnum } from '../types/enums';
import { Country } from '../types/country.type';
import { TradeFilterInput, TradeGroupKey, TradeStatistics } from '../types/statistics.type';
import { loadCountry, toMeasuresType, toTradeFilter } from '../mappers';

@Resolver(() => TradeStatistics)
export class StatisticsResolver {
  @TraderQuery(
    () => TradeStatistics,
    `The viewer's items grouped by the given dimensions (first ≤ ${MAX_STATISTICS_ROWS} groups).`,
  )
  async tradeStatistics(
    @TraderCall() { ctx, trader }: TraderCall,
    @Arg('filter', () => TradeFilterInput, { nullable: true }) filter: TradeFilterInput | undefined,
    @Arg('groupBy', () => [TradeDimensionEnum]) groupBy: TradeDimensionEnum[],
    @Arg('first', () => Int, { nullable: true, defaultValue: 1000 }) first: number | null,
  ): Promise<TradeStatistics> {
    const f = await toTradeFilter(ctx, filter);
    // One statement (rollups or raw items chosen inside it), one round trip.
    const sql = ctx.services.db.sending(traderScope(trader.participantId));
    const stats = await tradeStatistics(sql, trader.participantId, f, groupBy as TradeDimension[], first ?? 1000);
    return {
      rows: stats.rows.map((r) => ({
        key: Object.assign(new TradeGroupKey(), {
          ...r.key,
          direction: r.key.direction ? codeToDirection(r.key.direction) : undefined,
        }),
        measures: toMeasuresType(r.measures),
      })),
      totals: toMeasuresType(stats.totals),
      truncated: stats.truncated,
    };
  }

  @Query(() => [Country], { description: 'ISO 3166-1 countries.' })
  async countries(@Ctx() ctx: GraphQLContext): Promise<Country[]> {
    const rows = await ctx.services.db.run(scopeOf(ctx.viewer), (sql) =>
      sql.query<{ code: string; nameAz: string; nameEn: string; nameRu: string }>(
        `SELECT code, name_az AS "nameAz", name_en AS "nameEn", name_ru AS "nameRu" FROM countries ORDER BY code`,
      ),
    );
    for (const r of rows) ctx.loaders.country.prime(r.code, r);
    return rows.map((r) => Object.assign(new Country(), r));
  }
}

@Resolver(() => TradeGroupKey)
export class TradeGroupKeyResolver {
  @FieldResolver(() => Country, { nullable: true, description: 'Partner country.' })
  country(@Root() k: TradeGroupKey, @Ctx() ctx: GraphQLContext): Promise<Country | null> {
    return loadCountry(ctx, k.countryCode);
  }
}
