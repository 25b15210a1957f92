import { ArgsType, Field, Int } from 'type-graphql';

/** How many nodes a list returns when `first` is not given (or null); each list has its own maximum. */
export const DEFAULT_PAGE_SIZE = 50;

/** The Relay paging arguments of every connection field: `first` and `after` (take with `@Args()`). */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE }) first: number | null;
  @Field(() => String, { nullable: true }) after: string | null | undefined;
}
