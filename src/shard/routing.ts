/**
 * The shard an article's events go to: FNV-1a of site and normalised URL,
 * modulo the shard count. Every event of one article meets the same shard, so
 * that shard alone decides its dedup.
 */
export function shardIndex(site: string, url: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  const key = `${site}\n${url}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}

export const shardName = (index: number): string => `shard-${index}`;
