import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every error code the API answers, with its status: the one list of them.
 * The OpenAPI document's error schema enumerates these codes.
 */
export const ERRORS = {
  bad_request: 400,
  invalid_request: 400,
  invalid_json: 400,
  invalid_url: 400,
  url_not_allowed: 400,
  unknown_network: 400,
  not_a_link_network: 400,
  unauthorized: 401,
  forbidden: 403,
  origin_required: 403,
  origin_not_allowed: 403,
  cross_site_request: 403,
  not_found: 404,
  unknown_site: 404,
  unknown_article: 404,
  method_not_allowed: 405,
  site_exists: 409,
  host_taken: 409,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/**
 * An answer to bad input, missing auth or an unknown thing: carries the JSON
 * error shape's `code`, and the status the catalogue gives it. Thrown
 * anywhere, shaped by `onError`.
 */
export class ApiError extends Error {
  readonly status: (typeof ERRORS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERRORS[code];
  }
}

/** The 404 of a site that does not exist: asked for by its id, or found by none having a URL's host. */
export const unknownSite = (site: { id: string } | { host: string }): ApiError =>
  new ApiError('unknown_site', 'id' in site ? `No site ${site.id}.` : `No site has the host ${site.host}.`);

/** The 404 of an article the site's registry does not have (by its key). */
export const unknownArticle = (site: string, url: string): ApiError =>
  new ApiError('unknown_article', `Site ${site} has no article ${url}.`);

export const errorBody = (code: ErrorCode, message: string) => ({ error: { code, message } });

/** The one error funnel: known errors keep their status, anything else is a logged 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : 'bad_request';
    return c.json(errorBody(code, err.message || 'Bad request.'), status);
  }
  console.error('unhandled error', err);
  return c.json(errorBody('internal_error', 'Something went wrong on our side.'), ERRORS.internal_error);
}

export function notFound(c: Context): Response {
  return c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), ERRORS.not_found);
}
