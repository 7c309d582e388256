export interface Config {
  shardCount: number;
  flushMs: number;
}

const positiveInt = (value: string | undefined, fallback: number): number => {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
};

/** Settings from `[vars]` (wrangler.toml) or `.dev.vars`. */
export function readConfig(env: Pick<Env, 'SHARD_COUNT' | 'FLUSH_SECONDS'>): Config {
  return {
    shardCount: positiveInt(env.SHARD_COUNT, 16),
    flushMs: positiveInt(env.FLUSH_SECONDS, 10) * 1000,
  };
}
