import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

@ObjectType({
  description:
    'The rate budget of the viewer (participant; anonymous: client address) in cost points per window, as ' +
    'this operation left it; every response shows the same in extensions.cost.',
})
export class RateLimit {
  @Field(() => Int, { description: 'Points this operation cost.' }) requested: number;
  @Field(() => Int, { description: 'Points left in the window after this operation.' }) remaining: number;
  @Field(() => DateTimeScalar, { description: 'When the window ends and the budget is whole again.' })
  resetAt: Date;
  @Field(() => Int, { description: 'Points per window.' }) limit: number;
}
