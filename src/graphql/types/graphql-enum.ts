import { registerEnumType } from 'type-graphql';

/** type-graphql's options of registerEnumType (name, description, valuesConfig), which it does not export. */
type EnumConfig<E extends object> = Parameters<typeof registerEnumType<E>>[1];

/** An enum object whose values are their own names, as graphqlEnum makes it. */
export type EnumOf<V extends string> = { readonly [K in V]: K };

/** The values of such an enum, as a type (`type Role = EnumValue<typeof Role>`). */
export type EnumValue<E> = E[keyof E];

/**
 * A GraphQL enum whose values are their own names, registered with type-graphql in the same statement:
 * name, description and value descriptions stand next to the values. Use the returned object in code
 * (`RoleEnum.TRADER`) and in `@Field(() => RoleEnum)`, and `EnumValue<typeof RoleEnum>` as its type.
 */
export function graphqlEnum<const V extends string>(values: readonly V[], config: EnumConfig<EnumOf<V>>): EnumOf<V> {
  const e = Object.fromEntries(values.map((v) => [v, v])) as EnumOf<V>;
  registerEnumType(e, config);
  return e;
}
