import { Ctx, Query, Resolver } from 'type-graphql';
import { costReportOf } from '../../limits/fair-share';
import type { GraphQLContext } from '../context';
import { RateLimit } from '../types/rate-limit.type';

@Resolver()
export class RateLimitResolver {
  @Query(() => RateLimit, {
    description: 'The rate budget as this operation left it (the same as extensions.cost); costs one point.',
  })
  rateLimit(@Ctx() ctx: GraphQLContext): RateLimit {
    const report = costReportOf(ctx);
    if (!report) throw new Error('rateLimit: the operation was not admitted by the rate budget');
    return Object.assign(new RateLimit(), report);
  }
}
