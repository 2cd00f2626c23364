import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractSchemas } from '../../src/contract/json-schema.js';

describe('docs/schema: the JSON Schema of the contract', () => {
  for (const [name, schema] of Object.entries(contractSchemas())) {
    it(`${name}.schema.json is generated from the zod schemas (npm run schema)`, () => {
      const committed = JSON.parse(readFileSync(new URL(`../../docs/schema/${name}.schema.json`, import.meta.url), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    });
  }
});
