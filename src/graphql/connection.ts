import type { Page } from '../shared/cursor';
import type { Connection } from './types/connection.type';

/** A service's page (nodes with cursors, whether more follow) as a Relay connection. */
export function toConnection<R, N>(
  page: Page<R>,
  after: string | null | undefined,
  toNode: (r: R) => N,
): Connection<N> {
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
