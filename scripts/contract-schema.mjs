// Writes the JSON Schema of the contract (docs/schema/*.schema.json) from the zod schemas, which
// are the contract: `npm run schema` after changing src/contract/. test/unit/contract-schema.test.ts
// fails when the committed files are out of date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { contractSchemas } from '../dist/contract/json-schema.js';

const dir = new URL('../docs/schema/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(contractSchemas())) {
  writeFileSync(new URL(`${name}.schema.json`, dir), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`docs/schema/${name}.schema.json`);
}
