import { DurableObject } from 'cloudflare:workers';
import { BoundedMap } from '../cache/bounded-map';
import { readConfig } from '../config';
import {
  type CountedArticle,
  type MirroredArticle,
  mergeArticleQueries,
  mirrorAliasQuery,
  mirrorArticleQuery,
  mirrorRejectionQuery,
  readCountedArticles,
  siteExists,
} from '../db/article-registry';
import type { SiteIncarnation } from '../db/counts';
import { type Query, runBatch } from '../db/query';
import { sha256Hex } from '../hashing/hex';
import { meterStorage } from '../metering/metered-storage';
import { isolateUsage, type UsageReport } from '../metering/usage';
import { applyStorageSchema } from '../shard/storage-schema';
import { bucketOf } from '../time';
import { addressesOf, beaconMetadata, REFRESH_MS, retryAt } from './article-rules';
import type { ArticleInput, ArticlePatch, ArticlePolicy, ArticleRecord, ArticleStatus } from './article-schema';
import type { ArticleMetadata } from './metadata';
import { checkPage, type PageCheckOutcome } from './page-check';
import { REGISTRY_SCHEMA_STEPS } from './registry-storage';

/** A URL as an event met it: its key, the address the page reported, what the event said of it. */
export interface ArticleSighting {
  url: string;
  pageUrl: string;
  metadata: ArticleMetadata;
  /**
   * The reader's IP scope (src/ingest/ip-scope.ts), whose new URLs these are:
   * in memory only, counted under a hash with this registry's own salt.
   */
  scope: string;
}

/** What the shard does with an event of a URL: count it (for the canonical article), hold it, or refuse it. */
export type Resolution =
  | { outcome: 'counted'; canonical: string; wantsMetadata: boolean }
  | { outcome: 'held' }
  | { outcome: 'refused'; reason: 'unverified' | 'rejected' | 'new_article_budget' };

/** Pages a registry checks at once; with CHECK_SPACING_MS (or CHECK_SECONDS, if longer), at most 2 a second per site. */
const CHECKS_PER_ALARM = 4;
const CHECK_SPACING_MS = 2_000;
/** How soon a D1 write that failed is tried again. */
const MIRROR_RETRY_MS = 30_000;
const PAGE_SIZE_MAX = 100;
/** Merges of D1 counts one mirror batch carries: a backlog goes in turns, never as one huge batch. */
const MERGES_PER_BATCH = 20;
/** How often the alarm makes sure the site still exists. */
const SITE_CHECK_EVERY_MS = 3_600_000;
/**
 * New URLs one reader's IP scope may bring a site per hour, within the site's
 * budget (1/200 of it, at least 5): one client cannot spend it all, nor mint
 * many spellings of a story.
 */
export const newArticlesPerScope = (maxNewPerHour: number): number => Math.max(5, Math.ceil(maxNewPerHour / 200));
/** How long a rejected URL is remembered (and refused at once) before it may be taken again. */
const REJECTED_KEPT_MS = 7 * 24 * 3_600_000;

// A type, not an interface: SqlStorage's rows need its index signature.
type ArticleRow = {
  url: string;
  status: ArticleStatus;
  title: string | null;
  image: string | null;
  section: string | null;
  published: string | null;
  metadata_set: number;
  hidden: number;
  page_url: string | null;
  checked_at: number | null;
  next_check_at: number | null;
  attempts: number;
  failure: string | null;
  in_d1: number;
};

interface StoredPolicy {
  site: SiteIncarnation;
  policy: ArticlePolicy;
}

/** An opaque page cursor: the last URL of a page, base64url. */
export const encodeArticleCursor = (url: string): string =>
  btoa(url).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');

/** The URL a cursor made by encodeArticleCursor holds; null for anything else. */
export function decodeArticleCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const url = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    return URL.canParse(url) ? url : null;
  } catch {
    return null;
  }
}

/**
 * The articles of one site (one incarnation of its id): which URLs count and
 * for which canonical article, what they show, and the checks of their pages
 * (API.md "Articles"). Shards ask it about a URL the first time they meet it;
 * it decides in its own storage, one call at a time, so the new-article
 * budget is exact; it checks pages from its alarm at a bounded rate and
 * mirrors each change into D1, where ranking and reading find it.
 */
export class ArticleRegistry extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private stored: StoredPolicy | null;
  /** URLs whose page is being fetched: an alarm run meanwhile leaves them to the check under way. */
  private readonly checking = new Set<string>();
  private readonly checkDelayMs: number;
  /** When this instance last ran checks: new URLs wait for the spacing after it, so that a flood keeps the pace. */
  private lastChecksAt = 0;
  /** Set while deciding, when a check became due: the call wakes the alarm before it answers. */
  private wakeSoon = false;
  /** Salts the hashes new URLs are counted under per IP scope: in memory only, so no scope can be told from them. */
  private readonly scopeSalt = crypto.randomUUID();
  /** When the alarm last made sure the site still exists. */
  private siteCheckedAt = 0;
  /** URLs D1 was found not to hold (for adoption), so that junk asks D1 once an hour at most. */
  private readonly notInD1 = new BoundedMap<string, true>(10_000, 3_600_000);
  /** The mirror under way: one at a time, so that an older write never lands after a newer one. */
  private mirroring: Promise<boolean> = Promise.resolve(true);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = meterStorage(ctx.storage, isolateUsage.registryStorage);
    this.checkDelayMs = readConfig(env).checkDelayMs;
    applyStorageSchema(ctx.storage, REGISTRY_SCHEMA_STEPS);
    const row = this.sql.exec<{ json: string }>('SELECT json FROM policy').toArray()[0];
    this.stored = row ? (JSON.parse(row.json) as StoredPolicy) : null;
  }

  /**
   * Decides about the URLs of a shard's events, taking new ones as the site's
   * `article_source` says (within its hourly budget): in `page` mode a new
   * URL is held while its page is checked, in `beacon` mode it counts at once
   * and its first metadata stands, in `admin` mode it is not counted.
   */
  async resolve(site: SiteIncarnation, policy: ArticlePolicy, sightings: ArticleSighting[]): Promise<Resolution[]> {
    this.remember(site, policy);
    const nowMs = Date.now();
    const changed = new Set<string>();
    const unknown = sightings
      .filter((s) => !this.row(this.canonicalOf(s.url)) && !this.notInD1.get(s.url, nowMs))
      .map((s) => s.url);
    // Articles D1 counted before registries existed (or a seed wrote) are the site's already.
    // Should D1 not answer, they are new for now: counting goes on.
    const read = unknown.length > 0 ? await readCountedArticles(this.env.DB, site, unknown).catch(() => null) : [];
    const counted = read ?? [];
    if (read) for (const url of unknown) if (!read.some((a) => a.url === url)) this.notInD1.set(url, true, nowMs);
    const scopes = new Map(
      await Promise.all(
        [...new Set(sightings.map((s) => s.scope))].map(
          async (scope) => [scope, await saltedHash(this.scopeSalt, scope)] as const,
        ),
      ),
    );
    const answers = this.ctx.storage.transactionSync(() => {
      for (const article of counted) this.adopt(article, policy, nowMs);
      return sightings.map((sighting): Resolution => {
        const row = this.row(this.canonicalOf(sighting.url));
        if (row) return this.resolveKnown(row, policy, sighting, changed, nowMs);
        if (policy.source === 'admin') return { outcome: 'refused', reason: 'unverified' };
        if (!this.takeBudget(nowMs, policy.maxNewPerHour, scopes.get(sighting.scope)!)) {
          return { outcome: 'refused', reason: 'new_article_budget' };
        }
        if (policy.source === 'page') {
          this.sql.exec(
            `INSERT INTO articles (url, status, page_url, next_check_at, mirrored) VALUES (?, 'pending', ?, ?, 1)`,
            sighting.url,
            sighting.pageUrl,
            nowMs,
          );
          return { outcome: 'held' };
        }
        const metadata = beaconMetadata(policy, sighting.metadata);
        this.sql.exec(
          `INSERT INTO articles (url, status, title, image, section, published, metadata_set, page_url, mirrored)
           VALUES (?, 'verified', ?, ?, ?, ?, ?, ?, ?)`,
          sighting.url,
          metadata?.title ?? null,
          metadata?.image ?? null,
          metadata?.section ?? null,
          metadata?.published ?? null,
          metadata ? 1 : 0,
          sighting.pageUrl,
          metadata ? 0 : 1,
        );
        // Without metadata D1 needs no row of its own: the first flush makes it.
        if (metadata) changed.add(sighting.url);
        return { outcome: 'counted', canonical: sighting.url, wantsMetadata: metadata === null };
      });
    });
    this.markCounted(answers);
    if (this.wakeSoon || answers.some((a) => a.outcome === 'held')) await this.wakeBy(this.nextCheckAt(nowMs));
    this.wakeSoon = false;
    if (changed.size > 0 || counted.length > 0) await this.mirror();
    return answers;
  }

  /** What this isolate's metering counted since the last call (src/metering/usage.ts), then starts again: for the cost bench. */
  async usage(): Promise<UsageReport> {
    return isolateUsage.take();
  }

  /** Where URLs stand, for a shard holding their events; a URL the registry never took is refused. */
  async lookup(urls: string[]): Promise<Resolution[]> {
    const answers = urls.map((url): Resolution => {
      const row = this.row(this.canonicalOf(url));
      if (!row) return { outcome: 'refused', reason: 'unverified' };
      if (row.status === 'pending') return { outcome: 'held' };
      if (row.status === 'rejected') return { outcome: 'refused', reason: 'rejected' };
      return { outcome: 'counted', canonical: row.url, wantsMetadata: false };
    });
    this.markCounted(answers);
    return answers;
  }

  /** Articles a shard now counts, whose increments will make a D1 row of them if none is there yet. */
  private markCounted(answers: Resolution[]): void {
    for (const answer of answers) {
      if (answer.outcome === 'counted') {
        this.sql.exec('UPDATE articles SET in_d1 = 1 WHERE url = ? AND in_d1 = 0', answer.canonical);
      }
    }
  }

  /** A page of the site's articles with `status` (or hidden), in URL order after `cursor`. */
  async list(query: {
    status: ArticleStatus | 'hidden';
    cursor: string | null;
    limit: number;
  }): Promise<{ articles: ArticleRecord[]; cursor: string | null }> {
    const after = query.cursor === null ? '' : (decodeArticleCursor(query.cursor) ?? '');
    const limit = Math.min(Math.max(1, query.limit), PAGE_SIZE_MAX);
    const where = query.status === 'hidden' ? 'hidden = 1' : 'status = ?';
    const params = query.status === 'hidden' ? [after, limit] : [query.status, after, limit];
    const rows = this.sql
      .exec<ArticleRow>(`SELECT * FROM articles WHERE ${where} AND url > ? ORDER BY url LIMIT ?`, ...params)
      .toArray();
    const last = rows.at(-1);
    return {
      articles: rows.map((row) => this.record(row)),
      cursor: rows.length === limit && last ? encodeArticleCursor(last.url) : null,
    };
  }

  /** The article `url` counts for (itself, or the canonical article it is an alias of); null when the site has none. */
  async find(url: string): Promise<ArticleRecord | null> {
    const row = this.row(this.canonicalOf(url));
    return row ? this.record(row) : null;
  }

  /** Articles a CMS pushes: taken as verified with what it says of them; in `page` mode their pages are checked too. */
  async upsert(
    site: SiteIncarnation,
    policy: ArticlePolicy,
    articles: (ArticleInput & { pageUrl: string })[],
  ): Promise<ArticleRecord[]> {
    this.remember(site, policy);
    const nowMs = Date.now();
    const urls = this.ctx.storage.transactionSync(() =>
      articles.map(({ url, pageUrl, ...changes }) => {
        const canonical = this.canonicalOf(url);
        if (!this.row(canonical)) {
          this.sql.exec(
            `INSERT INTO articles (url, status, metadata_set, page_url) VALUES (?, 'verified', 1, ?)`,
            canonical,
            pageUrl,
          );
        }
        this.sql.exec(
          `UPDATE articles SET status = 'verified', metadata_set = 1, failure = NULL, next_check_at = ?, mirrored = 0
           WHERE url = ?`,
          policy.source === 'page' ? nowMs : null,
          canonical,
        );
        this.applyPatch(canonical, changes);
        return canonical;
      }),
    );
    if (policy.source === 'page') await this.wakeBy(this.nextCheckAt(nowMs));
    await this.mirror();
    return this.records(urls);
  }

  /** Changes an article's metadata or whether it is hidden; null when the site has no such article. */
  async patch(site: SiteIncarnation, url: string, changes: ArticlePatch): Promise<ArticleRecord | null> {
    const canonical = this.canonicalOf(url);
    if (!this.row(canonical)) return null;
    this.applyPatch(canonical, changes);
    await this.mirror(site);
    return this.records([canonical])[0] ?? null;
  }

  /** Fetches and checks an article's page now, whatever the site's source; null when the site has no such article. */
  async recheck(site: SiteIncarnation, policy: ArticlePolicy, url: string): Promise<ArticleRecord | null> {
    this.remember(site, policy);
    const row = this.row(this.canonicalOf(url));
    if (!row) return null;
    const canonical = await this.check(row, policy, Date.now());
    await this.mirror();
    return this.records([canonical])[0] ?? null;
  }

  /** Forgets everything: the site was deleted. */
  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // Empty, not broken: shards holding events of the site may still ask about them.
    applyStorageSchema(this.ctx.storage, REGISTRY_SCHEMA_STEPS);
    this.stored = null;
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    if (this.stored && nowMs - this.siteCheckedAt > SITE_CHECK_EVERY_MS) {
      // A site deleted (or made again under its id) leaves a registry that would check pages for no one.
      const exists = await siteExists(this.env.DB, this.stored.site).catch(() => true);
      this.siteCheckedAt = nowMs;
      if (!exists) {
        await this.forget();
        return;
      }
    }
    this.sql.exec(
      "DELETE FROM articles WHERE status = 'rejected' AND checked_at < ? AND mirrored = 1",
      nowMs - REJECTED_KEPT_MS,
    );
    this.sql.exec('DELETE FROM aliases WHERE url NOT IN (SELECT url FROM articles)');
    const mirrored = await this.mirror();
    const stored = this.stored;
    if (stored) {
      const due = this.sql
        .exec<ArticleRow>(
          'SELECT * FROM articles WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?',
          nowMs,
          CHECKS_PER_ALARM + this.checking.size,
        )
        .toArray()
        .filter((row) => !this.checking.has(row.url))
        .slice(0, CHECKS_PER_ALARM);
      if (due.length > 0) this.lastChecksAt = nowMs;
      await Promise.all(due.map((row) => this.check(row, stored.policy, nowMs)));
      await this.mirror();
    }
    const next = this.sql
      .exec<{ at: number | null }>('SELECT min(next_check_at) AS at FROM articles WHERE next_check_at IS NOT NULL')
      .one().at;
    const candidates = [next === null ? null : Math.max(next, Date.now() + this.spacingMs())];
    if (!mirrored) candidates.push(Date.now() + MIRROR_RETRY_MS);
    const at = candidates.filter((t): t is number => t !== null).sort((a, b) => a - b)[0];
    if (at === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  private remember(site: SiteIncarnation, policy: ArticlePolicy): void {
    const next: StoredPolicy = { site, policy };
    const json = JSON.stringify(next);
    if (this.stored && JSON.stringify(this.stored) === json) return;
    this.sql.exec(
      'INSERT INTO policy (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json',
      json,
    );
    this.stored = next;
  }

  private row(url: string): ArticleRow | undefined {
    return this.sql.exec<ArticleRow>('SELECT * FROM articles WHERE url = ?', url).toArray()[0];
  }

  private canonicalOf(url: string): string {
    return this.sql.exec<{ url: string }>('SELECT url FROM aliases WHERE alias = ?', url).toArray()[0]?.url ?? url;
  }

  private resolveKnown(
    known: ArticleRow,
    policy: ArticlePolicy,
    sighting: ArticleSighting,
    changed: Set<string>,
    nowMs: number,
  ): Resolution {
    let row = known;
    if (policy.source === 'beacon' && row.status === 'pending') {
      // A site that turned to beacon mode (its pages cannot be fetched) takes what waited for a check;
      // what failed one stays refused (a week of junk must not become articles).
      this.sql.exec(
        "UPDATE articles SET status = 'verified', next_check_at = NULL, failure = NULL, mirrored = 0 WHERE url = ?",
        row.url,
      );
      changed.add(row.url);
      row = this.row(row.url)!;
    }
    if (
      policy.source === 'page' &&
      row.status === 'verified' &&
      row.checked_at === null &&
      row.next_check_at === null
    ) {
      // Taken from beacons or a CMS before the site turned to page mode: its page is read now.
      this.sql.exec('UPDATE articles SET next_check_at = ? WHERE url = ?', nowMs, row.url);
      this.wakeSoon = true;
    }
    if (row.status === 'pending') return { outcome: 'held' };
    if (row.status === 'rejected') return { outcome: 'refused', reason: 'rejected' };
    if (policy.source !== 'beacon' || row.metadata_set) {
      return { outcome: 'counted', canonical: row.url, wantsMetadata: false };
    }
    // Beacon mode, and no metadata yet: the first that comes stands.
    const metadata = beaconMetadata(policy, sighting.metadata);
    if (metadata === null) return { outcome: 'counted', canonical: row.url, wantsMetadata: true };
    this.sql.exec(
      `UPDATE articles SET title = ?, image = ?, section = ?, published = ?, metadata_set = 1, mirrored = 0
       WHERE url = ?`,
      metadata.title,
      metadata.image,
      metadata.section,
      metadata.published,
      row.url,
    );
    changed.add(row.url);
    return { outcome: 'counted', canonical: row.url, wantsMetadata: false };
  }

  /**
   * Takes one new article of this hour's budget, the site's and the reader's
   * scope's (newArticlesPerScope); false when either is spent.
   */
  private takeBudget(nowMs: number, maxPerHour: number, scope: string): boolean {
    const hour = bucketOf(nowMs);
    this.sql.exec('DELETE FROM new_articles WHERE hour < ?', hour);
    this.sql.exec('DELETE FROM new_articles_by_scope WHERE hour < ?', hour);
    const site = this.sql.exec<{ n: number }>('SELECT n FROM new_articles WHERE hour = ?', hour).toArray()[0]?.n ?? 0;
    const byScope =
      this.sql
        .exec<{ n: number }>('SELECT n FROM new_articles_by_scope WHERE hour = ? AND scope = ?', hour, scope)
        .toArray()[0]?.n ?? 0;
    if (site >= maxPerHour || byScope >= newArticlesPerScope(maxPerHour)) return false;
    this.sql.exec('INSERT INTO new_articles (hour, n) VALUES (?, 1) ON CONFLICT (hour) DO UPDATE SET n = n + 1', hour);
    this.sql.exec(
      `INSERT INTO new_articles_by_scope (hour, scope, n) VALUES (?, ?, 1)
       ON CONFLICT (hour, scope) DO UPDATE SET n = n + 1`,
      hour,
      scope,
    );
    return true;
  }

  /** Takes an article D1 counted before (no budget: it is not new), verified as it stands there. */
  private adopt(article: CountedArticle, policy: ArticlePolicy, nowMs: number): void {
    if (this.row(this.canonicalOf(article.url))) return;
    const hasMetadata = [article.title, article.image, article.section, article.published].some((v) => v !== null);
    this.sql.exec(
      `INSERT INTO articles (url, status, title, image, section, published, metadata_set, hidden, page_url,
                             next_check_at, in_d1, mirrored)
       VALUES (?, 'verified', ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
      article.url,
      article.title,
      article.image,
      article.section,
      article.published,
      hasMetadata ? 1 : 0,
      article.hidden ? 1 : 0,
      article.pageUrl,
      policy.source === 'page' ? nowMs : null,
    );
    if (policy.source === 'page') this.wakeSoon = true;
  }

  private applyPatch(url: string, changes: ArticlePatch): void {
    const columns = (['title', 'image', 'section', 'published'] as const).filter((c) => changes[c] !== undefined);
    for (const column of columns) {
      this.sql.exec(
        `UPDATE articles SET ${column} = ?, metadata_set = 1, mirrored = 0 WHERE url = ?`,
        changes[column] ?? null,
        url,
      );
    }
    if (changes.hidden !== undefined) {
      this.sql.exec('UPDATE articles SET hidden = ?, mirrored = 0 WHERE url = ?', changes.hidden ? 1 : 0, url);
    }
  }

  private spacingMs(): number {
    return Math.max(CHECK_SPACING_MS, this.checkDelayMs);
  }

  /** The soonest a check of a URL met at `nowMs` may run: after CHECK_SECONDS, and the spacing after the last checks. */
  private nextCheckAt(nowMs: number): number {
    return Math.max(nowMs + this.checkDelayMs, this.lastChecksAt + this.spacingMs());
  }

  /** An alarm wakes the registry by `atMs` at the latest. */
  private async wakeBy(atMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > atMs) await this.ctx.storage.setAlarm(atMs);
  }

  /**
   * Checks `row`'s page and applies the outcome; answers the URL the article
   * now stands under (its canonical, when the page names another).
   */
  private async check(row: ArticleRow, policy: ArticlePolicy, nowMs: number): Promise<string> {
    this.checking.add(row.url);
    try {
      const outcome = await checkFirstOf(addressesOf(row), policy.hosts);
      return this.ctx.storage.transactionSync(() => {
        // Read again: a call may have changed the row while the page was fetched.
        const current = this.row(row.url);
        return current ? this.applyCheck(current, outcome, nowMs) : row.url;
      });
    } finally {
      this.checking.delete(row.url);
    }
  }

  private applyCheck(row: ArticleRow, outcome: PageCheckOutcome, nowMs: number): string {
    if (outcome.kind === 'retry') {
      const at = row.status === 'verified' ? nowMs + REFRESH_MS : retryAt(nowMs, row.attempts + 1);
      if (at !== null) {
        this.sql.exec(
          'UPDATE articles SET attempts = attempts + 1, next_check_at = ?, failure = ? WHERE url = ?',
          at,
          outcome.reason,
          row.url,
        );
        return row.url;
      }
      return this.reject(row.url, `${outcome.reason} (after ${row.attempts + 1} attempts)`, nowMs);
    }
    if (outcome.kind === 'rejected') return this.reject(row.url, outcome.reason, nowMs);

    const { pageUrl, metadata } = outcome;
    // The canonical may itself be a known spelling of another article.
    const canonical = this.canonicalOf(outcome.canonical);
    this.sql.exec('DELETE FROM aliases WHERE alias = ?', canonical);
    if (canonical !== row.url) {
      // The page names another URL: the article stands under it, and this URL (with its own aliases) counts for it.
      if (!this.row(canonical)) {
        this.sql.exec(`INSERT INTO articles (url, status, hidden) VALUES (?, 'verified', ?)`, canonical, row.hidden);
      }
      this.sql.exec('DELETE FROM articles WHERE url = ?', row.url);
      this.sql.exec('UPDATE aliases SET url = ?, mirrored = 0 WHERE url = ?', canonical, row.url);
      // What D1 counted under this URL moves to the article, so its counts survive the change of URL.
      if (row.status === 'verified') {
        this.sql.exec('INSERT OR REPLACE INTO merges (from_url, to_url) VALUES (?, ?)', row.url, canonical);
      }
      this.sql.exec('UPDATE merges SET to_url = ? WHERE to_url = ?', canonical, row.url);
    }
    this.sql.exec(
      `UPDATE articles SET status = 'verified', title = ?, image = ?, section = ?, published = ?, metadata_set = 1,
         page_url = ?, checked_at = ?, next_check_at = ?, attempts = 0, failure = NULL, mirrored = 0
       WHERE url = ?`,
      metadata.title,
      metadata.image,
      metadata.section,
      metadata.published,
      pageUrl,
      nowMs,
      nowMs + REFRESH_MS,
      canonical,
    );
    for (const alias of new Set([row.url, ...outcome.aliases])) {
      if (alias === canonical) continue;
      this.sql.exec(
        `INSERT INTO aliases (alias, url, mirrored) VALUES (?, ?, 0)
         ON CONFLICT (alias) DO UPDATE SET url = excluded.url, mirrored = 0`,
        alias,
        canonical,
      );
    }
    return canonical;
  }

  private reject(url: string, reason: string, nowMs: number): string {
    this.sql.exec(
      `UPDATE articles SET status = 'rejected', failure = ?, checked_at = ?, next_check_at = NULL, attempts = 0,
         mirrored = 0 WHERE url = ?`,
      reason,
      nowMs,
      url,
    );
    return url;
  }

  /**
   * Writes every change D1 lacks, in one batch; answers whether D1 has them
   * all. A failure leaves them marked, for the alarm to send again.
   */
  private mirror(site: SiteIncarnation | undefined = this.stored?.site): Promise<boolean> {
    const next = this.mirroring.then(() => this.mirrorNow(site));
    this.mirroring = next.catch(() => false);
    return next;
  }

  private async mirrorNow(site: SiteIncarnation | undefined): Promise<boolean> {
    if (!site) return true;
    const merges = this.sql
      .exec<{ from_url: string; to_url: string }>('SELECT from_url, to_url FROM merges LIMIT ?', MERGES_PER_BATCH)
      .toArray();
    const articles = this.sql.exec<ArticleRow>('SELECT * FROM articles WHERE mirrored = 0 LIMIT 100').toArray();
    const aliases = this.sql
      .exec<{ alias: string; url: string }>('SELECT alias, url FROM aliases WHERE mirrored = 0 LIMIT 100')
      .toArray();
    if (merges.length === 0 && articles.length === 0 && aliases.length === 0) return true;
    // Marked before the write: should it land and the mark below be skipped, a later rejection still reaches D1.
    for (const row of articles) {
      if (row.status === 'verified') this.sql.exec('UPDATE articles SET in_d1 = 1 WHERE url = ?', row.url);
    }
    const bucket = bucketOf(Date.now());
    const queries: Query[] = [
      ...articles.flatMap((row): Query[] => {
        if (row.status === 'pending') return [];
        const checkedAt = row.checked_at === null ? null : new Date(row.checked_at).toISOString();
        if (row.status === 'rejected') {
          // Only what D1 may hold: a URL rejected at its first check never reached it.
          return row.in_d1 ? [mirrorRejectionQuery(site, row.url, checkedAt ?? new Date().toISOString(), bucket)] : [];
        }
        return [mirrorArticleQuery(site, mirroredArticle(row, checkedAt), bucket)];
      }),
      // In one batch with the aliases: a flush landing after it adds to the article (see db/counts.ts).
      ...aliases.map(({ alias, url }) => mirrorAliasQuery(site, alias, url)),
      ...merges.flatMap(({ from_url, to_url }) => mergeArticleQueries(site, from_url, to_url)),
    ];
    try {
      if (queries.length > 0) await runBatch(this.env.DB, queries);
    } catch (err) {
      console.warn('article registry: D1 write failed; will retry', err);
      await this.wakeBy(Date.now() + MIRROR_RETRY_MS);
      return false;
    }
    // Marked only where nothing changed while D1 wrote: a call may have come in meanwhile.
    this.ctx.storage.transactionSync(() => {
      for (const { from_url, to_url } of merges) {
        this.sql.exec('DELETE FROM merges WHERE from_url = ? AND to_url = ?', from_url, to_url);
      }
      for (const r of articles) {
        this.sql.exec(
          `UPDATE articles SET mirrored = 1, in_d1 = max(in_d1, status = 'verified') WHERE url = ? AND status = ? AND title IS ? AND image IS ? AND section IS ?
             AND published IS ? AND hidden = ? AND page_url IS ? AND checked_at IS ?`,
          r.url,
          r.status,
          r.title,
          r.image,
          r.section,
          r.published,
          r.hidden,
          r.page_url,
          r.checked_at,
        );
      }
      for (const { alias, url } of aliases) {
        this.sql.exec('UPDATE aliases SET mirrored = 1 WHERE alias = ? AND url = ?', alias, url);
      }
    });
    return this.mirrorNow(site);
  }

  /** The records of `urls` as they stand now (each under its canonical URL, should a check have moved it). */
  private records(urls: string[]): ArticleRecord[] {
    return urls.flatMap((url) => {
      const row = this.row(this.canonicalOf(url));
      return row ? [this.record(row)] : [];
    });
  }

  private record(row: ArticleRow): ArticleRecord {
    return {
      url: row.url,
      title: row.title,
      image: row.image,
      section: row.section,
      published: row.published,
      status: row.status,
      hidden: row.hidden === 1,
      aliases: this.sql
        .exec<{ alias: string }>('SELECT alias FROM aliases WHERE url = ? ORDER BY alias', row.url)
        .toArray()
        .map((a) => a.alias),
      checked_at: row.checked_at === null ? null : new Date(row.checked_at).toISOString(),
    };
  }
}

const mirroredArticle = (row: ArticleRow, checkedAt: string | null): MirroredArticle => ({
  url: row.url,
  title: row.title,
  image: row.image,
  section: row.section,
  published: row.published,
  status: 'verified',
  hidden: row.hidden === 1,
  pageUrl: row.page_url,
  checkedAt,
});

/**
 * Checks an article's page at the first of `addresses` that reaches the
 * publisher's server: one that does not (a forged http:// on a site that
 * only listens for https) gives way to the next, so that no spelling a
 * client chose makes a real article fail. What the server answers stands.
 */
async function checkFirstOf(addresses: string[], hosts: string[]): Promise<PageCheckOutcome> {
  let outcome: PageCheckOutcome | undefined;
  for (const address of addresses) {
    outcome = await checkPage(address, hosts);
    if (outcome.kind !== 'retry' || outcome.answered) return outcome;
  }
  return outcome!;
}

/** 128 bits of a SHA-256 of `salt` and `value`, as hex. */
async function saltedHash(salt: string, value: string): Promise<string> {
  return sha256Hex(JSON.stringify([salt, value]), 16);
}
