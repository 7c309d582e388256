import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          ADMIN_TOKEN: 'test-admin-token',
          // Tests run flushes themselves with runDurableObjectAlarm.
          FLUSH_SECONDS: '3600',
          // And their page checks (the registries' alarms) likewise.
          CHECK_SECONDS: '3600',
          // Few shards, so that tests see several articles meet in one shard.
          SHARD_COUNT: '4',
          // An article is hot (its beacons go through relays) at 50 events a second, which tests reach.
          HOT_EVENTS_PER_SECOND: '50',
        },
      },
    })),
  ],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // A publisher's pages on 127.0.0.1 for the page checker (provides `publisherOrigin`).
    globalSetup: ['./test/support/publisher-server.ts'],
    // Requests per endpoint in test/fuzz: a sample here, 1,000+ with `npm run fuzz`.
    provide: { fuzzRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    setupFiles: ['./test/apply-migrations.ts'],
  },
});
