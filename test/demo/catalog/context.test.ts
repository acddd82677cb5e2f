import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDemoContext, requireAccount, requireViewer } from '../../../src/demo/catalog/context.js';
import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import { catalogBackends, releaseCatalogs } from './backends.js';

afterAll(releaseCatalogs);

describe.each(catalogBackends)('the demo context on $name', (backend) => {
  let db: CatalogDatabase;

  beforeAll(async () => {
    db = await backend.open({ seed: false });
  });

  it('gives every request its own loaders over the shared database', () => {
    const first = createDemoContext(db, undefined);
    const second = createDemoContext(db, { userId: 'u1' });

    expect(first.db).toBe(second.db);
    expect(first.loaders).not.toBe(second.loaders);
    expect(first.loaders.productById).not.toBe(second.loaders.productById);
    expect(second.viewer()).toEqual({ userId: 'u1' });
  });

  it('requireViewer returns the signed-in user', () => {
    expect(requireViewer(createDemoContext(db, { userId: 'u1' }))).toEqual({ userId: 'u1' });
  });

  it('requireViewer refuses a request without a user as UNAUTHENTICATED', () => {
    let thrown: unknown;
    try {
      requireViewer(createDemoContext(db, undefined));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).toJSON()).toEqual({
      message: 'Sign in: this operation needs a user access token.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('requireAccount refuses a user without an account as UNAUTHENTICATED', async () => {
    const context = createDemoContext(db, { userId: 'no-such-user' });

    await expect(requireAccount(context)).rejects.toMatchObject({
      message: 'Sign up first: this access token names no account in this shop.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
