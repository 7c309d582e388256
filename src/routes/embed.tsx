import { type Context, Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { z } from 'zod';
import { language, strings } from '../../common/i18n';
import { isLinkNetwork, type LinkNetwork, NETWORKS } from '../../common/networks';
import { COUNTS_TTL_SECONDS, cachedArticleCounts } from '../cache/counts';
import { cachedPopular, POPULAR_MAX_AGE_SECONDS, requestCacheContext } from '../cache/popular';
import type { AppEnv } from '../env';
import { popularQuery, toPopularRequest } from '../http/popular-query';
import { embedFrameAncestors } from '../http/security';
import { validate } from '../http/validation';
import { MAX_URL_LENGTH } from '../ingest/event-schema';
import { articleKey } from '../ingest/site-rules';
import { cutToLength } from '../ingest/text';
import { describe, errors, html } from '../openapi/describe';
import { EMBED_CSS, EmbedPage } from '../render/embed-page';
import { EmbedPopular } from '../render/embed-popular';
import { EmbedShare } from '../render/embed-share';
import { requireSite } from '../sites/lookup';
import { type Site, siteId } from '../sites/site-schema';

const LINK_NETWORKS = NETWORKS.filter(isLinkNetwork);

const common = {
  site: siteId,
  lang: z.string().max(35).optional(),
  // Light unless asked: an iframe cannot see its page's color-scheme; `auto` follows the reader's OS.
  theme: z.enum(['light', 'dark', 'auto']).default('light'),
};

const embedShareQuery = z.object({
  ...common,
  url: z.string().min(1).max(MAX_URL_LENGTH),
  title: z
    .string()
    .transform((title) => cutToLength(title.trim(), 300))
    .optional(),
  // Comma-separated, like the widget's data-networks; names without a share page are left out.
  networks: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((name) => name.trim())
        .filter((name): name is LinkNetwork => (LINK_NETWORKS as string[]).includes(name)),
    )
    .optional(),
  counts: z.enum(['true', 'false']).optional(),
  // As the widget's data-min-count: a new article shows no row of zeros.
  min_count: z.coerce.number().int().min(0).default(1),
});

// The popular endpoint's own query (window, by, limit, section, exclude) and defaults.
const embedPopularQuery = popularQuery.extend(common);

let styleHash: Promise<string> | undefined;

/** The CSP source of the embeds' one stylesheet, computed once per isolate. */
const styleSource = (): Promise<string> =>
  (styleHash ??= crypto.subtle
    .digest('SHA-256', new TextEncoder().encode(EMBED_CSS))
    .then((digest) => `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`));

/**
 * Answers an embed page of `site`: cacheable, framed only by the site's pages,
 * able to run nothing but its own stylesheet.
 */
async function embedResponse(c: Context<AppEnv>, site: Site, page: JSX.Element, maxAge: number): Promise<Response> {
  c.header('Cache-Control', `public, max-age=${maxAge}`);
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src ${await styleSource()}; img-src https: http:; base-uri 'none'; form-action 'none'; frame-ancestors ${embedFrameAncestors(site.hosts)}`,
  );
  // Clicks reach our share endpoint with the embed's address, and nothing leaves for elsewhere.
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(`<!doctype html>${page}`);
}

/** An embed route's description in the OpenAPI document. */
const describeEmbed = (summary: string) =>
  describe('Embedding', summary, {
    200: html('Self-contained HTML, readable without JavaScript'),
    ...errors(400, 404),
  });

/**
 * GET /embed/share and /embed/popular, mounted at /embed: the widget's
 * elements as iframe pages, for pages that run no script of ours.
 */
export const embedRoutes = new Hono<AppEnv>()
  .get('/share', describeEmbed('Share buttons for an iframe'), validate('query', embedShareQuery), async (c) => {
    const query = c.req.valid('query');
    const site = await requireSite(c.env, query.site);
    const url = articleKey(site, query.url);
    const lang = language(query.lang);
    const s = strings(lang);
    const withCounts = query.counts === 'true';
    const counts = withCounts ? (await cachedArticleCounts(c.env, site.id, url)).shares.by_network : undefined;
    const networks = query.networks?.length ? query.networks : LINK_NETWORKS;
    return embedResponse(
      c,
      site,
      <EmbedPage lang={lang} title={s.bar} theme={query.theme}>
        <EmbedShare
          site={site.id}
          url={url}
          title={query.title}
          networks={networks}
          counts={counts}
          minCount={query.min_count}
          lang={lang}
          strings={s}
        />
      </EmbedPage>,
      withCounts ? COUNTS_TTL_SECONDS : 300,
    );
  })
  .get(
    '/popular',
    describeEmbed('The most popular articles for an iframe'),
    validate('query', embedPopularQuery),
    async (c) => {
      const query = c.req.valid('query');
      const site = await requireSite(c.env, query.site);
      const request = toPopularRequest(query, (url) => articleKey(site, url));
      // The same cached list the popular endpoint answers.
      const { list } = await cachedPopular(requestCacheContext(c.env, c.executionCtx), site, request, Date.now());
      const lang = language(query.lang);
      return embedResponse(
        c,
        site,
        <EmbedPage lang={lang} title={site.name} theme={query.theme}>
          <EmbedPopular list={list} lang={lang} strings={strings(lang)} />
        </EmbedPage>,
        POPULAR_MAX_AGE_SECONDS,
      );
    },
  );
