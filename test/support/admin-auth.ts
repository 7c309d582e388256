import { expect, it } from 'vitest';
import { expectError } from './helpers';

/** Sends `method` to an admin `path` with the admin token's headers overridden by `headers`. */
type AdminRequest = (method: string, path: string, headers: Record<string, string>) => Promise<Response>;

/** Declares, in the calling describe, that each of `operations` answers 401 without a token and 403 for a wrong one. */
export function itRefusesMissingAndWrongTokens(operations: [method: string, path: string][], send: AdminRequest): void {
  it.each(operations)('should answer %s %s with 401 without a token', async (method, path) => {
    const response = await send(method, path, { Authorization: '' });
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    await expectError(response, 401, 'unauthorized');
  });

  it.each(operations)('should answer %s %s with 403 for a wrong token', async (method, path) => {
    await expectError(await send(method, path, { Authorization: 'Bearer not-the-token' }), 403, 'forbidden');
  });
}
