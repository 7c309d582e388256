/**
 * A map an isolate may keep for its whole life: at most `maxEntries` entries
 * (adding one more drops the least recently used), each for at most `ttlMs`
 * after it was set. Readers choose its keys, so nothing here grows with them.
 *
 * @example
 * const sites = new BoundedMap<string, Site>(1_000, 15_000);
 * sites.set(id, site, nowMs);
 * sites.get(id, nowMs + 20_000); // undefined: older than 15 s
 */
export class BoundedMap<K, V> {
  /** In order of use, least recent first: a Map iterates in insertion order. */
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value set for `key` unless it has expired by `nowMs`; a hit counts as a use. */
  get(key: K, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.until <= nowMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, nowMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: nowMs + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
