import { HOT_EVENTS_PER_SECOND } from './shard/hot-articles';

export interface Config {
  shardCount: number;
  flushMs: number;
  /** How long after a URL's first event its page is checked, and at least between a registry's checks. */
  checkDelayMs: number;
  /** Events of one article in one second at its shard that make it hot (src/shard/hot-articles.ts); not the publisher's to tune. */
  hotEventsPerSecond: number;
}

const positiveInt = (value: string | undefined, fallback: number): number => {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
};

/** Settings from `[vars]` (wrangler.toml) or `.dev.vars`. */
export function readConfig(
  env: Pick<Env, 'SHARD_COUNT' | 'FLUSH_SECONDS' | 'CHECK_SECONDS' | 'HOT_EVENTS_PER_SECOND'>,
): Config {
  const checkSeconds = Number(env.CHECK_SECONDS);
  return {
    shardCount: positiveInt(env.SHARD_COUNT, 16),
    flushMs: positiveInt(env.FLUSH_SECONDS, 10) * 1000,
    checkDelayMs: Number.isInteger(checkSeconds) && checkSeconds > 0 ? checkSeconds * 1000 : 0,
    hotEventsPerSecond: positiveInt(env.HOT_EVENTS_PER_SECOND, HOT_EVENTS_PER_SECOND),
  };
}
