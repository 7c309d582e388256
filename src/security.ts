import { NONCE, secureHeaders } from 'hono/secure-headers';

/**
 * Security headers on every response. The Content-Security-Policy is strict:
 * scripts only from this origin, styles from this origin or with the
 * request's nonce (`c.get('secureHeadersNonce')`), no framing. A response that
 * sets its own header keeps it: the embeds (frameable anywhere, their own CSP),
 * the widget (loadable cross-origin) and the share redirect (no referrer).
 */
export const securityHeaders = () =>
  secureHeaders({
    overwrite: false,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", NONCE],
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
