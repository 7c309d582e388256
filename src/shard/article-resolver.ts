import type { ArticlePolicy } from '../articles/article-schema';
import type { ArticleMetadata } from '../articles/metadata';
import type { ArticleSighting, Resolution } from '../articles/registry';
import { registryOf } from '../articles/registry-client';
import { BoundedMap } from '../cache/bounded-map';
import type { HeldUrl } from './held-events';

/** What the resolver reads of a shard's event. */
export interface ArticleEvent extends ArticleMetadata {
  site: string;
  siteCreatedAt: string;
  /** The article key: the URL normalised. */
  url: string;
  /** The URL as the page reported it: what a check of the page fetches. */
  pageUrl: string;
  /** The site's article settings, for its registry. */
  articles: ArticlePolicy;
}

/** How long a shard trusts what the registry said of a URL: counted articles long, the rest briefly. */
const COUNTED_FOR_MS = 10 * 60_000;
const OTHERWISE_FOR_MS = 60_000;
/** URLs a shard remembers; the least recently met are asked again. */
const MAX_REMEMBERED = 20_000;

const keyOf = ({ site, siteCreatedAt, url }: { site: string; siteCreatedAt: string; url: string }) =>
  JSON.stringify([site, siteCreatedAt, url]);

const hasMetadata = (e: ArticleEvent) =>
  e.title !== null || e.image !== null || e.section !== null || e.published !== null;

/**
 * What a shard knows of its URLs' articles: asks the sites' registries about
 * a URL the first time it meets it (or again, after a while), so that a
 * beacon of a known article makes no call beyond the shard.
 */
export class ArticleResolver {
  private readonly known = new BoundedMap<string, { resolution: Resolution; source: string; until: number }>(
    MAX_REMEMBERED,
  );

  /** Questions on their way to a registry, by URL: a URL's concurrent first events wait for one answer. */
  private readonly asking = new Map<string, Promise<Resolution>>();

  constructor(private readonly env: Pick<Env, 'ARTICLES'>) {}

  /**
   * Each event's resolution, asking the registries (one call per site) about
   * what the shard does not know; `scope` is its reader's IP scope. An event
   * `lookupOnly` only asks where its URL stands (ArticleRegistry.lookup): the
   * registry never takes its URL as a new article, and refuses one it does
   * not know (`unverified`).
   */
  async resolve(
    events: { event: ArticleEvent; scope: string; lookupOnly?: boolean }[],
    nowMs: number,
    again = true,
  ): Promise<Resolution[]> {
    const asks = new Map<string, { first: ArticleEvent; sightings: Map<string, ArticleSighting> }>();
    const waits = new Map<string, Promise<Resolution>>();
    const lookups = new Map<string, { site: string; siteCreatedAt: string; urls: Set<string> }>();
    const answered = new Map<string, Resolution>();
    const keys = events.map(({ event }) => keyOf(event));
    for (const [index, { event, scope, lookupOnly = false }] of events.entries()) {
      const key = keys[index]!;
      const known = this.known.get(key, nowMs);
      // What the registry said under another article_source may not hold under this one.
      const settled = known && known.until > nowMs && known.source === event.articles.source;
      // In beacon mode the first metadata stands: an event bringing some to an article without any is asked about.
      const bringsMetadata =
        !lookupOnly &&
        settled &&
        known.resolution.outcome === 'counted' &&
        known.resolution.wantsMetadata &&
        hasMetadata(event);
      if (settled && !bringsMetadata) {
        answered.set(key, known.resolution);
        continue;
      }
      const inFlight = this.asking.get(key);
      if (inFlight && !bringsMetadata) {
        waits.set(key, inFlight);
        continue;
      }
      const siteKey = JSON.stringify([event.site, event.siteCreatedAt]);
      if (lookupOnly) {
        const lookup = lookups.get(siteKey) ?? {
          site: event.site,
          siteCreatedAt: event.siteCreatedAt,
          urls: new Set(),
        };
        lookup.urls.add(event.url);
        lookups.set(siteKey, lookup);
        continue;
      }
      const ask = asks.get(siteKey) ?? { first: event, sightings: new Map() };
      if (!ask.sightings.has(event.url)) {
        ask.sightings.set(event.url, {
          url: event.url,
          pageUrl: event.pageUrl,
          metadata: { title: event.title, image: event.image, section: event.section, published: event.published },
          scope,
        });
      }
      asks.set(siteKey, ask);
    }
    await Promise.all(
      [...asks.values()].map(async ({ first, sightings }) => {
        const site = { site: first.site, siteCreatedAt: first.siteCreatedAt };
        const list = [...sightings.values()];
        const askedKeys = list.map((sighting) => keyOf({ ...site, url: sighting.url }));
        const call = registryOf(this.env, first.site, first.siteCreatedAt).resolve(site, first.articles, list);
        const mine = askedKeys.map((key, i) => {
          const answer = call.then((answers) => answers[i]!);
          // Handled here: a failure reaches the events that wait for it, and is no stray rejection otherwise.
          answer.catch(() => {});
          this.asking.set(key, answer);
          return answer;
        });
        try {
          const answers = await call;
          askedKeys.forEach((key, i) => {
            answered.set(key, answers[i]!);
            this.remember(key, answers[i]!, first.articles.source, nowMs);
          });
        } finally {
          // Unless a later question (an event bringing metadata) took the key over.
          askedKeys.forEach((key, i) => {
            if (this.asking.get(key) === mine[i]) this.asking.delete(key);
          });
        }
      }),
    );
    for (const [key, answer] of waits) answered.set(key, await answer);
    // After the asks, so that a URL an event of this call brought the registry is known to it. Not remembered:
    // what the registry says of a URL it does not know is not what it would answer an event that may bring it.
    await Promise.all(
      [...lookups.values()].map(async ({ site, siteCreatedAt, urls }) => {
        const unanswered = [...urls].filter((url) => !answered.has(keyOf({ site, siteCreatedAt, url })));
        if (unanswered.length === 0) return;
        const found = await registryOf(this.env, site, siteCreatedAt).lookup(unanswered);
        unanswered.forEach((url, i) => {
          answered.set(keyOf({ site, siteCreatedAt, url }), found[i]!);
        });
      }),
    );
    // A refusal for the new-article budget was the first asker's (its IP scope's share): the others ask for themselves.
    const refusedByShare = events.filter(({ event, lookupOnly }) => {
      if (lookupOnly) return false;
      const answer = waits.has(keyOf(event)) ? answered.get(keyOf(event)) : undefined;
      return answer?.outcome === 'refused' && answer.reason === 'new_article_budget';
    });
    if (again && refusedByShare.length > 0) {
      const ownAnswers = await this.resolve(refusedByShare, nowMs, false);
      refusedByShare.forEach(({ event }, i) => {
        answered.set(keyOf(event), ownAnswers[i]!);
      });
    }
    return keys.map((key) => answered.get(key)!);
  }

  /** Where held URLs stand now, asking their registries. */
  async settle(held: HeldUrl[]): Promise<Resolution[]> {
    const bySite = Map.groupBy(held.keys(), (i) => JSON.stringify([held[i]!.site, held[i]!.siteCreatedAt]));
    const answers: Resolution[] = new Array(held.length);
    await Promise.all(
      [...bySite.values()].map(async (indexes) => {
        const { site, siteCreatedAt } = held[indexes[0]!]!;
        const found = await registryOf(this.env, site, siteCreatedAt).lookup(indexes.map((i) => held[i]!.url));
        indexes.forEach((index, i) => {
          answers[index] = found[i]!;
          this.known.delete(keyOf(held[index]!));
        });
      }),
    );
    return answers;
  }

  private remember(key: string, resolution: Resolution, source: string, nowMs: number): void {
    // A refusal for the new-article budget is the asking reader's (its IP scope's share): others may still bring it.
    if (resolution.outcome === 'refused' && resolution.reason === 'new_article_budget') {
      this.known.delete(key);
      return;
    }
    const until = nowMs + (resolution.outcome === 'counted' ? COUNTED_FOR_MS : OTHERWISE_FOR_MS);
    this.known.set(key, { resolution, source, until }, nowMs);
  }
}
