import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { onError } from '../../src/errors';
import { anyContentTypeJson } from '../../src/http/validation';
import { expectError } from '../support/helpers';

const app = new Hono()
  .post('/', anyContentTypeJson(z.object({ title: z.string() })), (c) => c.json(c.req.valid('json')))
  .onError(onError);

const post = (body: BodyInit, contentType?: string) =>
  app.request('/', { method: 'POST', body, headers: contentType ? { 'Content-Type': contentType } : {} });

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : part)));

describe('anyContentTypeJson', () => {
  it.each([
    'text/plain;charset=UTF-8',
    'application/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'garbage',
    undefined,
  ])('should read a JSON body sent as %s', async (contentType) => {
    const response = await post('{"title":"Grüße"}', contentType);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ title: 'Grüße' });
  });

  it('should read invalid UTF-8 as replacement characters, as a text body does', async () => {
    const response = await post(bytes('{"title":"a', [0xff, 0xc3], 'b"}'), 'garbage');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ title: 'a\uFFFD\uFFFDb' });
  });

  it('should drop a leading byte order mark, as a text body does', async () => {
    const response = await post(bytes([0xef, 0xbb, 0xbf], '{"title":"t"}'), 'text/plain');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ title: 't' });
  });

  it('should answer 400 invalid_json for a body that is not JSON, or none', async () => {
    await expectError(await post('title=t', 'application/x-www-form-urlencoded'), 400, 'invalid_json');
    await expectError(await post(''), 400, 'invalid_json');
  });

  it('should answer 400 invalid_request for JSON of the wrong shape', async () => {
    await expectError(await post('{"title":1}', 'text/plain'), 400, 'invalid_request');
  });
});
