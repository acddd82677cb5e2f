const graphqlName = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Throws `TypeError` unless `name` is a valid GraphQL directive name (without `@`). */
export function assertDirectiveName(name: unknown, factory: string): asserts name is string {
  if (typeof name !== 'string' || !graphqlName.test(name)) {
    throw new TypeError(`${factory}: name must be a GraphQL name such as "requiresApiKey" (no @)`);
  }
}
