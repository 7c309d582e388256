import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { API } from './browser';

// Validated here, in Node, as the validator compiles JSON Schemas to code,
// which workerd (rightly) does not allow.
describe('the OpenAPI document', () => {
  it('should validate against the OpenAPI 3.1 schema', async () => {
    const document = await (await fetch(`${API}/api/v1/openapi.json`)).json();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});
