/**
 * The contract as JSON Schema (draft 2020-12), generated from the zod schemas so that the two can
 * never disagree. Inputs are described as a user writes them (before defaults and normalisation),
 * outputs as aidr writes them. Refinements that JSON Schema cannot express (a catalog chip id, a
 * calendar date that exists, cross-field rules) are stated in the descriptions and docs/contract.md.
 */
import { z } from 'zod';
import { Transaction } from './transaction.js';
import { Determination } from './determination.js';

const ID_BASE = 'urn:aidr:schema:';

export function contractSchemas(): Record<string, Record<string, unknown>> {
  return {
    transaction: { $id: `${ID_BASE}transaction.schema.json`, title: 'aidr Transaction', ...z.toJSONSchema(Transaction, { io: 'input', unrepresentable: 'any' }) },
    determination: { $id: `${ID_BASE}determination.schema.json`, title: 'aidr Determination', ...z.toJSONSchema(Determination, { io: 'output', unrepresentable: 'any' }) },
  };
}
