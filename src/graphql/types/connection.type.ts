/**
 * The one Relay connection shape of the API: `<Name>Connection { edges: [<Name>Edge!]!, pageInfo }`
 * for every paged list, made by connectionType from the node type.
 */
import { Field, ObjectType, type ClassType } from 'type-graphql';

@ObjectType()
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<N> {
  cursor: string;
  node: N;
}

export interface Connection<N> {
  edges: Edge<N>[];
  pageInfo: PageInfo;
}

/** The GraphQL types `${name}Edge` and `${name}Connection` (described by `description`) over `node`. */
export function connectionType<N extends object>(
  node: ClassType<N>,
  name: string,
  description: string,
): ClassType<Connection<N>> {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<N> {
    @Field(() => String) cursor: string;
    @Field(() => node) node: N;
  }

  @ObjectType(`${name}Connection`, { description })
  class ConnectionType implements Connection<N> {
    @Field(() => [EdgeType]) edges: EdgeType[];
    @Field(() => PageInfo) pageInfo: PageInfo;
  }
  return ConnectionType;
}
