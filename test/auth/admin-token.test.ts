import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURES } from '../../src/auth/failure-throttle';
import { expectError } from '../support/helpers';

/** An admin API request with `token` from the client at `ip`, as Cloudflare names it. */
const bearerFrom = (ip: string, token: string) =>
  SELF.fetch('https://api.test/api/v1/admin/sites', {
    headers: { Authorization: `Bearer ${token}`, 'CF-Connecting-IP': ip },
  });

describe('admin bearer token throttle', () => {
  it('should answer at most the limit of 100 concurrent wrong tokens with 403, the rest with 429', async () => {
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => bearerFrom('198.51.100.140', `concurrent-guess-${i}`)),
    );
    const statuses = responses.map((response) => response.status);
    await Promise.all(responses.map((response) => response.body?.cancel()));
    expect(statuses.filter((status) => status === 403).length).toBe(MAX_FAILURES);
    expect(statuses.filter((status) => status === 429).length).toBe(100 - MAX_FAILURES);
    // Nothing slipped past: the client is locked out now, its right token too.
    await expectError(await bearerFrom('198.51.100.140', env.ADMIN_TOKEN), 429, 'rate_limited');
  }, 60_000);

  it('should not count a right token against its client', async () => {
    const ip = '198.51.100.141';
    for (let i = 0; i < MAX_FAILURES - 1; i++) await expectError(await bearerFrom(ip, `guess-${i}`), 403, 'forbidden');
    for (let i = 0; i < 5; i++) {
      const response = await bearerFrom(ip, env.ADMIN_TOKEN);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    // The right tokens left the last wrong one of the window to be compared.
    await expectError(await bearerFrom(ip, 'last-guess'), 403, 'forbidden');
    await expectError(await bearerFrom(ip, env.ADMIN_TOKEN), 429, 'rate_limited');
  }, 30_000);
});
