import { defineConfig } from 'vitest/config';

// Browser tests in real Chromium (npm run test:e2e), in Node rather than the
// Workers pool: test/e2e/global-setup.mjs starts `wrangler dev` and a
// publisher's page server on loopback, and the tests drive Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.mjs'],
    // One wrangler dev and one browser: files one after the other.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 150_000,
    teardownTimeout: 30_000,
  },
});
