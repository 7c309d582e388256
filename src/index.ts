import { createApp } from './app';

export { CounterShard } from './shard/counter-shard';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
