import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type DescribeRouteOptions, describeRoute, resolver } from 'hono-openapi';
import { errorBody } from './schemas';

type Responses = NonNullable<DescribeRouteOptions['responses']>;

export const json = (schema: StandardSchemaV1, description: string): Responses[string] => ({
  description,
  content: { 'application/json': { schema: resolver(schema) } },
});

export const html = (description: string): Responses[string] => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});

const errorDescriptions: Record<number, string> = {
  400: 'Bad input',
  401: 'No admin token',
  403: 'Wrong admin token, or an origin that is not a host of the site',
  404: 'Unknown site',
  405: 'Method not allowed',
  409: 'Site id or host already taken',
  413: 'Body larger than 16 KiB',
  429: 'Rate limited',
};

/** The JSON error shape under each of `statuses`. */
export const errors = (...statuses: number[]): Responses =>
  Object.fromEntries(statuses.map((status) => [String(status), json(errorBody, errorDescriptions[status] ?? 'Error')]));

/**
 * `describeRoute` with our defaults: every route documents its answers, and
 * the tag groups it on /docs.
 */
export const describe = (
  tag: string,
  summary: string,
  responses: Responses,
  extra: Omit<DescribeRouteOptions, 'tags' | 'summary' | 'responses'> = {},
) => describeRoute({ tags: [tag], summary, responses, ...extra });
