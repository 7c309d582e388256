import { isolateUsage } from '../metering/usage';

/**
 * KV as a cache: a failing read is a miss and a failing write is skipped, both
 * logged, so that KV being down costs D1 reads, never an answer. Each call
 * is metered (src/metering), as KV bills calls, failed or not.
 */
export async function readCachedJson<T>(kv: KVNamespace, key: string): Promise<T | null> {
  isolateUsage.kv.reads++;
  try {
    return await kv.get<T>(key, 'json');
  } catch (err) {
    console.warn(`KV read of ${key} failed`, err);
    return null;
  }
}

export async function writeCachedJson(kv: KVNamespace, key: string, value: unknown, ttlSeconds: number): Promise<void> {
  isolateUsage.kv.writes++;
  try {
    await kv.put(key, JSON.stringify(value), { expirationTtl: ttlSeconds });
  } catch (err) {
    console.warn(`KV write of ${key} failed`, err);
  }
}

export async function deleteCached(kv: KVNamespace, key: string): Promise<void> {
  isolateUsage.kv.deletes++;
  try {
    await kv.delete(key);
  } catch (err) {
    console.warn(`KV delete of ${key} failed`, err);
  }
}
