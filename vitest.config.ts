import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// graphql ships both .mjs and .js builds. Test files would load the .mjs one while
// @graphql-tools loads the .js one, and graphql-js then refuses objects "from another
// module or realm". Pointing every import at the CommonJS entry keeps one copy.
export default defineConfig({
  resolve: {
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
