import { FROM_PARAMETER, parseFrom, withFrom } from '../../common/box-list';
import { withoutSiteName } from '../../common/page-title';
import { themeOf } from '../../common/widget-styles';

/** What the widget knows about the page it runs on and the script that loaded it. */
export interface Context {
  /** The API origin, taken from the widget's own `<script src>`. */
  api: string;
  script: HTMLElement | null;
}

/** A `data-*` option: the element's own, else the script tag's (for page-wide defaults). */
export const option = (ctx: Context, el: HTMLElement, name: string): string | undefined =>
  el.dataset[name] ?? ctx.script?.dataset[name];

/** `data-lang`, else the nearest `lang` around the element (usually `<html lang>`). */
export const languageTag = (ctx: Context, el: HTMLElement): string | undefined =>
  option(ctx, el, 'lang') || el.closest('[lang]')?.getAttribute('lang') || undefined;

/** An article as the events endpoint takes it. */
export interface Article {
  url: string;
  title?: string;
  image?: string;
  section?: string;
  published?: string;
}

const meta = (name: string): string | undefined =>
  document.querySelector<HTMLMetaElement>(`meta[property="${name}"],meta[name="${name}"]`)?.content.trim() || undefined;

/**
 * The element's theme class: `data-theme`, else the page's `color-scheme` as
 * computed on the element (a page's meta tag leaves that `normal`, so the meta
 * is read then).
 */
export const theme = (ctx: Context, el: HTMLElement): string => {
  const scheme = getComputedStyle(el).colorScheme;
  return themeOf(option(ctx, el, 'theme') ?? (scheme === 'normal' ? (meta('color-scheme') ?? '') : scheme));
};

export const absolute = (value: string | null | undefined): string | undefined => {
  if (!value) return undefined;
  try {
    const url = new URL(value, location.href);
    return /^https?:$/.test(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The article on this page: its URL from `data-url`, else `<link rel=canonical>`,
 * else `og:url`, else the address bar; its metadata from Open Graph tags, the
 * title else from `<title>` without the site's name. A published time the
 * server could not read is left out rather than failing the whole event.
 */
export function article(dataUrl: string | undefined): Article {
  const url =
    absolute(dataUrl) ??
    absolute(document.querySelector('link[rel~="canonical"]')?.getAttribute('href')) ??
    absolute(meta('og:url')) ??
    location.href.split('#')[0]!;
  const published = Date.parse(meta('article:published_time') ?? '');
  return {
    url,
    title: (meta('og:title') ?? withoutSiteName(document.title)).slice(0, 300) || undefined,
    image: absolute(meta('og:image')),
    section: meta('article:section')?.slice(0, 64),
    published: published ? new Date(published).toISOString() : undefined,
  };
}

/**
 * The popular box position this page was opened from (`sp_from`, when it is
 * one and the page was opened from this site or from our /embed/popular box:
 * a box link shared on a social site makes no click), taken out of the
 * address bar before anything reads it, so that shares, copies and reloads
 * never carry it. Only its pair goes: the rest of the address stays as written.
 */
export function takeFrom(api: string): string | undefined {
  const from = new URLSearchParams(location.search).get(FROM_PARAMETER);
  if (from === null) return undefined;
  history.replaceState(history.state, '', location.pathname + withFrom(location.search) + location.hash);
  return parseFrom(from) && [location.origin, api].some((origin) => document.referrer.startsWith(`${origin}/`))
    ? from
    : undefined;
}

/**
 * Sends one event. A string body goes as text/plain, a "simple" request that
 * needs no CORS preflight; sendBeacon survives the page being closed, and
 * fetch with keepalive does where sendBeacon is missing (a privacy setting can
 * remove it) or refuses (its queue is full).
 */
export function send(api: string, event: Record<string, unknown>): void {
  const url = `${api}/api/v1/events`;
  const body = JSON.stringify(event);
  if (!navigator.sendBeacon?.(url, body))
    fetch(url, { method: 'POST', body, keepalive: true, mode: 'no-cors', credentials: 'omit' }).catch(() => {});
}
