/**
 * A page's `<title>` without the site name it usually ends with: "Bridge
 * closure extended to March | Riverside Post" is "Bridge closure extended to
 * March". The separator needs spaces around it, so a hyphenated word stays.
 */
export const withoutSiteName = (title: string): string => title.trim().replace(/(\S)\s+[|–—-]\s+[^|–—-]+$/, '$1');
