import { NONCE, secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

type StyleSource = string | typeof NONCE;

const options = (styleSrc: StyleSource[]): Partial<SecureHeadersOptions> => ({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc,
    imgSrc: ["'self'", 'https:', 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  // frame-ancestors says it, and X-Frame-Options could not let the embeds be framed.
  xFrameOptions: false,
  // Publishers' pages load our script and send beacons (no-cors requests) from
  // their own origins; a same-origin resource policy would block those answers.
  crossOriginResourcePolicy: false,
  // Share links on our pages must carry the page's origin for their click to count.
  referrerPolicy: 'strict-origin-when-cross-origin',
});

/**
 * Security headers on every response. The Content-Security-Policy is strict:
 * scripts and styles only from this origin, no framing. Its value is the same
 * for every response, so the beacon path builds nothing per request. A
 * response that sets its own header keeps it: the embeds (frameable by their
 * site's pages, their own CSP), the widget (loadable cross-origin), the share
 * redirect (no referrer) and the pages below.
 */
export const securityHeaders = () => secureHeaders({ ...options(["'self'"]), overwrite: false });

/**
 * The same policy for a page with an inline stylesheet: styles may also carry
 * the request's nonce (`c.get('secureHeadersNonce')`). Mounted on those routes
 * only, as making a nonce costs every response that has it.
 */
export const withStyleNonce = () => secureHeaders(options(["'self'", NONCE]));

/**
 * The CSP `frame-ancestors` sources of an embed: the pages of the site's
 * hosts, so that no other site can frame it and have readers click in it.
 * Hosts are compared without port (API.md), hence `:*`; both schemes, as a
 * site on plain http may frame an embed served over https.
 *
 * @example embedFrameAncestors(['news.example']) // 'https://news.example:* http://news.example:*'
 */
export const embedFrameAncestors = (hosts: readonly string[]): string =>
  hosts.flatMap((host) => [`https://${host}:*`, `http://${host}:*`]).join(' ');
