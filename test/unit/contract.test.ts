import { describe, expect, it } from 'vitest';
import { check, InputError, parseTransactions } from '../../src/index.js';
import { Determination } from '../../src/contract/determination.js';

const h100 = { date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, consignee: { country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US' } };

function pathOf(input: unknown): string {
  try {
    check(input);
  } catch (e) {
    if (e instanceof InputError) return e.path;
    throw e;
  }
  return 'no error';
}

describe('input contract', () => {
  it('names the field path of invalid input', () => {
    expect(pathOf({ ...h100, to: 'ZZ' })).toBe('to');
    expect(pathOf({ ...h100, consignee: { country: 'Germany' } })).toBe('consignee.country');
    expect(pathOf({ ...h100, item: { type: 'ic', model: 'nope' } })).toBe('item.model');
    expect(pathOf({ ...h100, item: { type: 'model_weights', trainingOperations: 'lots' } })).toBe('item.trainingOperations');
    expect(pathOf({ ...h100, quantity: -1 })).toBe('quantity');
    expect(pathOf({ ...h100, date: '2025-02-30' })).toBe('date');
    expect(pathOf({ ...h100, extra: true })).toBe('extra');
    expect(pathOf({ ...h100, activity: 'deemed_export' })).toBe('activity');
    expect(pathOf({ ...h100, activity: 'export', from: 'SG' })).toBe('from');
    expect(pathOf({ item: h100.item })).toBe('to');
  });
  it('rejects bad interpretation overrides by name', () => {
    expect(() => check(h100, { interpretations: { 'INT-6': 'maybe' } })).toThrow(/interpretations\.INT-6/);
    expect(() => check(h100, { interpretations: { 'INT-99': 'x' } })).toThrow(/interpretations\.INT-99/);
  });
  it('prefixes batch paths with the index', () => {
    expect(() => parseTransactions([h100, { ...h100, to: 1 }])).toThrow(/^\[1\]\.to/);
  });
  it('accepts lower-case country codes and decimal-string operations', () => {
    const d = check({ date: '2025-06-02', to: 'jp', item: { type: 'model_weights', published: false, trainingOperations: '1.2e26' }, consignee: { country: 'jp', headquarters: 'jp', ultimateParentHeadquarters: 'jp' } });
    expect(d.classification.eccn).toBe('4E091');
    expect(d.classification.trainingOperations).toBe('1.2e26');
  });
  it('every determination matches the output schema', () => {
    const d = check(h100);
    expect(Determination.safeParse(d).success).toBe(true);
    expect(d.ruleset.version).toMatch(/^ai-diffusion-2025\+[0-9a-f]{16}$/);
  });
  it('echoes the id and omits the explanation in lean mode', () => {
    const d = check({ ...h100, id: 'PO-4711' }, { explain: false });
    expect(d.id).toBe('PO-4711');
    expect(d.explanation).toBeUndefined();
    expect(d.classification.basis).toBeUndefined();
  });
});

describe('documentation generated from data', () => {
  it('docs/interpretations.md matches data/interpretations.json (regenerate with `bin/aidr interpretations --format markdown > docs/interpretations.md`)', async () => {
    const { readFileSync } = await import('node:fs');
    const { interpretationsMarkdown } = await import('../../src/data/interpretations.js');
    expect(readFileSync(new URL('../../docs/interpretations.md', import.meta.url), 'utf8')).toBe(interpretationsMarkdown());
  });
});

describe('activities that cannot happen', () => {
  const weights = { date: '2025-06-02', item: { type: 'model_weights', published: false, trainingOperations: '3e26' } };
  it('an export to the country it leaves, and a deemed export to a U.S. person, are refused at `to`', () => {
    expect(() => check({ ...weights, activity: 'export', to: 'US' })).toThrow(/^to:/);
    expect(() => check({ ...weights, activity: 'reexport', from: 'DE', to: 'DE' })).toThrow(/^to:/);
    expect(() => check({ ...weights, activity: 'deemed_export', to: 'US' })).toThrow(/^to:/);
  });
});
