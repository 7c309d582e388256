import { createApp } from './app';
import { rollUpAllSites } from './db/rollup';

export { CounterShard } from './shard/counter-shard';

const app = createApp();

export default {
  fetch: app.fetch,
  // The cron of wrangler.toml: moves window totals on, rolls finished days into daily rows, applies retention.
  async scheduled(controller, env) {
    await rollUpAllSites(env.DB, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
