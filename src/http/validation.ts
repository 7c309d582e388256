import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';

const describeIssues = (issues: readonly StandardSchemaV1.Issue[]): string =>
  issues
    .slice(0, 5)
    .map((issue) => {
      const path = (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment)).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');

const invalid = (issues: readonly StandardSchemaV1.Issue[]) => new ApiError('invalid_request', describeIssues(issues));

/**
 * Hono's Standard-Schema validator with our JSON error shape: bad input is a
 * 400 `invalid_request` naming the offending fields. Through hono-openapi, the
 * same schema also describes the route in /api/v1/openapi.json.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends StandardSchemaV1>(
  target: Target,
  schema: Schema,
) =>
  validator(target, schema, (result) => {
    if (!result.success) throw invalid(result.error);
  });

// NOTE: bodies are decoded here rather than by `c.req.text()`, which makes
// workerd warn about every body whose Content-Type is not a text type
// (maybeWarnIfNotText, https://github.com/cloudflare/workerd/blob/main/src/workerd/api/util.c%2B%2B).
// Decoded the same way: UTF-8, a leading BOM dropped, invalid bytes as U+FFFD.
const utf8 = new TextDecoder();

/**
 * Validates a JSON body whatever its Content-Type: `navigator.sendBeacon` sends
 * strings as text/plain to avoid a CORS preflight, which Hono's `json` target
 * would skip. The parsed value is then read with `c.req.valid('json')`.
 */
export const anyContentTypeJson =
  <Schema extends StandardSchemaV1>(
    schema: Schema,
  ): MiddlewareHandler<
    AppEnv,
    string,
    { in: { json: StandardSchemaV1.InferInput<Schema> }; out: { json: StandardSchemaV1.InferOutput<Schema> } }
  > =>
  async (c, next) => {
    let body: unknown;
    try {
      body = JSON.parse(utf8.decode(await c.req.arrayBuffer()));
    } catch {
      throw new ApiError('invalid_json', 'The body is not valid JSON.');
    }
    const result = await schema['~standard'].validate(body);
    if (result.issues) throw invalid(result.issues);
    c.req.addValidatedData('json', result.value as object);
    await next();
  };
