import { ApiError } from '../errors';

const encoder = new TextEncoder();

/**
 * The per-visitor flood guard: requests per client IP and site, counted by the
 * Rate Limiting binding. Keyed by a hash, so the limiter never holds an IP.
 */
export async function checkVisitorLimit(env: Env, siteIds: string[], ip: string): Promise<void> {
  for (const site of siteIds) {
    const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`${site}\n${ip}`));
    const key = btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, 16)));
    const { success } = await env.VISITOR_LIMITER.limit({ key });
    if (!success)
      throw new ApiError('rate_limited', 'Too many events from this client for this site; try again in a minute.');
  }
}
