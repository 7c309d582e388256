import { createApp } from './app';
import { deleteExpiredThrottleRows } from './auth/failure-throttle';
import { pruneInstallChecks } from './db/install-check';
import { rollUpAllSites } from './db/rollup';

export { ArticleRegistry } from './articles/registry';
export { CounterShard } from './shard/counter-shard';
export { HotRelay } from './shard/hot-relay';

const app = createApp();

export default {
  fetch: app.fetch,
  // The cron of wrangler.toml: deletes throttle rows that are over and install checks of days no longer
  // shown (first: a failed rollup must not keep them), moves window totals on, rolls finished days into
  // daily rows, applies retention.
  async scheduled(controller, env) {
    await deleteExpiredThrottleRows(env.DB, controller.scheduledTime);
    await pruneInstallChecks(env.DB, controller.scheduledTime);
    await rollUpAllSites(env.DB, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
