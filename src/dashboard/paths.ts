/**
 * Where src/app.ts mounts the dashboard. Its routes are relative to it; what
 * the browser is sent (links, form actions, redirects, the cookie's path)
 * names the full path, built from this one constant.
 */
export const DASHBOARD_PATH = '/dashboard';
export const LOGIN_PATH = `${DASHBOARD_PATH}/login`;
export const LOGOUT_PATH = `${DASHBOARD_PATH}/logout`;
export const SITES_PATH = `${DASHBOARD_PATH}/sites`;
/** Paths whose callers are scripts: answered with a JSON 401 rather than a redirect. */
export const DASHBOARD_API_PATH = `${DASHBOARD_PATH}/api`;

/** A site's page of the dashboard; its forms post there and below. */
export const sitePath = (site: string): string => `${SITES_PATH}/${site}`;

/** Where a site's article pages live: one article per `?url=`. */
export const articlesPath = (site: string): string => `${sitePath(site)}/articles`;

/** One article's page: every title in the dashboard links there. */
export const articlePath = (site: string, url: string, period?: string): string =>
  `${articlesPath(site)}?${new URLSearchParams(period ? { url, period } : { url })}`;

/** A site's list of articles, one tab per status (or hidden); its query as given (tab, page, what was just done). */
export const articleListPath = (site: string, query: Record<string, string> = {}): string => {
  const search = new URLSearchParams(query).toString();
  return `${articlesPath(site)}/list${search ? `?${search}` : ''}`;
};

/** Where a row of the article list posts: hide it from rankings, show it again, or check its page again. */
export const articleActionPath = (site: string, action: 'hide' | 'unhide' | 'check'): string =>
  `${articlesPath(site)}/${action}`;
