import type { PageInfo } from './types/declaration.type';

/** A service's page (nodes with cursors, whether more follow) as a Relay connection. */
export function toConnection<R, N>(
  page: { nodes: { cursor: string; node: R }[]; hasNextPage: boolean },
  after: string | null | undefined,
  toNode: (r: R) => N,
): { edges: { cursor: string; node: N }[]; pageInfo: PageInfo } {
  const edges = page.nodes.map((n) => ({ cursor: n.cursor, node: toNode(n.node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
