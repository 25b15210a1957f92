/**
 * The exact size of the introspection part of an operation, computed before it runs: `__schema` and
 * `__type` read the in-memory schema, so what they would return can be counted by walking the schema
 * with graphql-js's own introspection resolvers along the operation's selections. Every value
 * (object, list element, scalar, null) counts 1; the walk stops as soon as the count passes `stopAt`,
 * so a hostile document costs the walk no more than the limit it is refused at.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLObjectType,
  GraphQLSkipDirective,
  Kind,
  TypeMetaFieldDef,
  getNamedType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface IntrospectionWalk {
  readonly schema: GraphQLSchema;
  readonly fragments: Record<string, FragmentDefinitionNode>;
  readonly variables: Record<string, unknown>;
  /** Counting stops once past this (the caller refuses the operation anyway). */
  readonly stopAt: number;
}

class Stop extends Error {}

/** Whether @skip/@include leave `node` in. */
function included(node: FieldNode | { directives?: FieldNode['directives'] }, variables: Record<string, unknown>) {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/**
 * How many values the root meta field `node` (`__schema` or `__type(name:)`) returns. Returns a
 * number above `stopAt` (not necessarily the exact size) when it is larger than that.
 */
export function introspectionSize(node: FieldNode, w: IntrospectionWalk): number {
  let count = 0;
  const add = (n: number) => {
    count += n;
    if (count > w.stopAt) throw new Stop();
  };
  const info = { schema: w.schema } as never;

  const value = (v: unknown, selections: SelectionSetNode | undefined, type: GraphQLObjectType | undefined): void => {
    add(1);
    if (Array.isArray(v)) {
      for (const x of v) value(x, selections, type);
      return;
    }
    if (v === null || v === undefined || !selections || !type) return;
    walk(v, selections, type, new Set());
  };

  const walk = (source: unknown, set: SelectionSetNode, type: GraphQLObjectType, active: Set<string>): void => {
    for (const sel of set.selections) {
      if (!included(sel, w.variables)) continue;
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!sel.typeCondition || sel.typeCondition.name.value === type.name)
          walk(source, sel.selectionSet, type, active);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = w.fragments[sel.name.value];
        if (!f || active.has(f.name.value) || f.typeCondition.name.value !== type.name) continue;
        walk(source, f.selectionSet, type, new Set(active).add(f.name.value));
        continue;
      }
      if (sel.name.value === '__typename') {
        add(1);
        continue;
      }
      const def = type.getFields()[sel.name.value];
      if (!def) continue;
      const args = getArgumentValues(def, sel, w.variables);
      const v: unknown = def.resolve
        ? def.resolve(source, args, undefined, info)
        : (source as Record<string, unknown>)[sel.name.value];
      const named = getNamedType(def.type);
      value(v, sel.selectionSet, named instanceof GraphQLObjectType ? named : undefined);
    }
  };

  try {
    const named = node.name.value === '__schema' ? '__Schema' : '__Type';
    const type = w.schema.getType(named) as GraphQLObjectType;
    let root: unknown;
    if (node.name.value === '__schema') root = w.schema;
    else {
      const { name } = getArgumentValues(TypeMetaFieldDef, node, w.variables);
      root = w.schema.getType(String(name)) ?? null;
    }
    value(root, node.selectionSet, type);
  } catch (e) {
    if (e instanceof Stop) return count;
    throw e;
  }
  return count;
}
