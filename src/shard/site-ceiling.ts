/**
 * A site's `max_events_per_second`, enforced by counting the site's events in
 * the current second. Kept in memory only, so approximate across evictions.
 */
export class SiteCeiling {
  private readonly admitted = new Map<string, { second: number; count: number }>();

  /** Takes one of the site's events for `second` if the site is under its ceiling. */
  admit(site: string, second: number, maxPerSecond: number): boolean {
    let window = this.admitted.get(site);
    if (window?.second !== second) {
      window = { second, count: 0 };
      this.admitted.set(site, window);
    }
    if (window.count >= maxPerSecond) return false;
    window.count++;
    return true;
  }
}
