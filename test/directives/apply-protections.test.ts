import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import {
  applyProtections,
  MemoryApiKeyStore,
  publicDirective,
  requiresApiKeyDirective,
  UnprotectedRootFieldsError,
} from '../../src/index.js';
import { protectedSchema } from '../support/harness.js';
import { recordingDirective } from '../support/recording-directive.js';

const apiKey = () => requiresApiKeyDirective({ store: new MemoryApiKeyStore() });

describe('applyProtections: secure by default', () => {
  it('refuses to build a schema with an unprotected root field, naming every one', () => {
    const build = () =>
      protectedSchema(
        `type Query { safe: String @requiresApiKey open: String leak: String }
         type Mutation { steal: String }
         type Subscription { watch: String }`,
        [apiKey(), publicDirective()],
      );
    expect(build).toThrow(UnprotectedRootFieldsError);
    expect(build).toThrow(
      'these root fields carry no protection directive and no @public: Query.open, Query.leak, Mutation.steal, Subscription.watch',
    );
    try {
      build();
    } catch (error) {
      expect((error as UnprotectedRootFieldsError).coordinates).toEqual([
        'Query.open',
        'Query.leak',
        'Mutation.steal',
        'Subscription.watch',
      ]);
    }
  });

  it('accepts a root field marked @public', () => {
    expect(() => protectedSchema('type Query { health: String @public }', [apiKey(), publicDirective()])).not.toThrow();
  });

  it('counts a directive on the root type as protecting each of its fields', () => {
    expect(() => protectedSchema('type Query @requiresApiKey { a: String b: String }', [apiKey(), publicDirective()])).not.toThrow();
  });

  it('does not count a protection on a nested type as protecting the root field', () => {
    expect(() =>
      protectedSchema('type Viewer @requiresApiKey { name: String } type Query { viewer: Viewer }', [apiKey(), publicDirective()]),
    ).toThrow('Query.viewer');
  });

  it('honours a renamed public directive', () => {
    expect(() => protectedSchema('type Query { health: String @open }', [apiKey(), publicDirective({ name: 'open' })])).not.toThrow();
  });

  it('treats a directive that is declared but not applied as no protection', () => {
    const guard = recordingDirective('guard', 10, []);
    const schema = makeExecutableSchema({ typeDefs: [guard.typeDefs, 'type Query { x: String @guard }'] });
    expect(() => applyProtections(schema, [])).toThrow('Query.x');
  });

  it('can be turned off for a migration', () => {
    expect(() => protectedSchema('type Query { open: String }', [apiKey()], {}, { secureByDefault: false })).not.toThrow();
  });
});
