/**
 * The quick path to a Transaction (src/contract/transaction-fast.ts) is held to the schema: for
 * any input it takes, its result is exactly zod's (values and key order, compared as JSON text),
 * and it never takes an input that zod refuses. Inputs are drawn near the edge of what is valid:
 * valid and invalid countries, dates, quantities, decimals, chips, unknown keys, cross-field rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Transaction } from '../../src/contract/transaction.js';
import { quickTransaction } from '../../src/contract/transaction-fast.js';

/** Present `weight` times in 12. */
const present = <T>(a: fc.Arbitrary<T>, weight: number) => fc.oneof({ arbitrary: a, weight }, { arbitrary: fc.constant(undefined), weight: 12 - weight });
const maybe = <T>(a: fc.Arbitrary<T>) => present(a, 6);
/** Mostly valid values, now and then one the schema refuses. */
const mix = (valid: unknown[], invalid: unknown[]) => fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 12 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 });
const country = mix(['DE', 'de', ' BR ', 'CN', 'HK', 'JP'], ['US', 'us', 'XX', 'Germany', '', 3]);
const exactText = mix(['1.2e26', '+3e25', ' 5e25 ', '16000', '.5', 1e26, 12.5, '0', 0], ['1e999999999', 'abc', '-1', -1, '0.0e5x']);
const chip = mix(['nvidia-h100-sxm', 'nvidia-a100-sxm', 'nvidia-h20'], ['H100', '']);
const int = mix([1, 8, 10_000_000, 1_000_000], [0, -3, 2.5, 10_000_001, 1_000_001, Number.NaN, '5']);
const text = fc.oneof({ arbitrary: fc.string({ maxLength: 5 }), weight: 12 }, { arbitrary: fc.constantFrom('x'.repeat(201), 'y'.repeat(501)), weight: 1 });
const bool = mix([true, false], ['yes', 1]);
const rare = <T>(a: fc.Arbitrary<T>) => present(a, 1);

const ic = fc.record({
  type: mix(['ic'], ['computer', 'eccn', 'model_weights', 'iaas_training', 'chip']),
  model: present(chip, 10),
  tpp: rare(exactText),
  tops: rare(mix([100], [0, -1, Number.POSITIVE_INFINITY])),
  bitLength: rare(mix([8, 16], [0, 2048, 1.5])),
  dieAreaMm2: rare(mix([800], [0])),
  datacenter: rare(bool),
  name: rare(text),
  producedOutsideUS: rare(bool),
  foreignDirectProduct: rare(bool),
}, { requiredKeys: ['type'] });
const computerIc = fc.record({ model: present(chip, 10), tpp: rare(exactText), count: present(int, 11), datacenter: rare(bool) }, { requiredKeys: [] });
const computer = fc.record({
  type: fc.constant('computer'),
  name: maybe(text),
  ics: fc.array(computerIc, { maxLength: 3 }),
  datacenter: maybe(bool),
}, { requiredKeys: ['type', 'ics'] });
const weights = fc.record({
  type: fc.constant('model_weights'),
  trainingOperations: maybe(exactText),
  parameters: maybe(exactText),
  published: maybe(bool),
  derivedFrom: rare(fc.constant({ published: true })),
  note2Excluded: maybe(bool),
  trainedOnControlledComputing: maybe(bool),
}, { requiredKeys: ['type'] });
const party = fc.record({
  name: maybe(text), id: maybe(text), country: maybe(country), headquarters: maybe(country), ultimateParentHeadquarters: maybe(country),
  ultimateParentId: maybe(text), sector: maybe(mix(['private', 'government'], ['public'])), veu: rare(mix(['UVEU', 'NVEU'], ['X'])),
  extra: rare(fc.constant(1)),
}, { requiredKeys: [] });
const tx = fc.record({
  id: maybe(text),
  date: maybe(mix(['2025-06-02', '2026-03-01', '2024-02-29'], ['2025-02-30', '2025-6-2', 20250602])),
  activity: rare(mix(['export'], ['reexport', 'transfer', 'deemed_export', 'ship'])),
  from: rare(country),
  to: present(country, 11),
  item: fc.oneof({ arbitrary: ic, weight: 6 }, { arbitrary: computer, weight: 2 }, { arbitrary: weights, weight: 2 }),
  quantity: maybe(int),
  consignee: maybe(party),
  endUser: rare(party),
  endUses: maybe(fc.array(mix(['datacenter', 'ai_training', 'storage'], ['gaming']), { maxLength: 10 })),
  viaDistributor: maybe(bool),
  facts: rare(fc.record({ part744Concern: maybe(bool), other: rare(bool) }, { requiredKeys: [] })),
  unknownField: rare(fc.constant('x')),
}, { requiredKeys: ['item'] });

/** Absent fields left out (a generated record has them as undefined), but now and then kept as undefined. */
function clean(v: unknown, keepUndefined: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => clean(x, keepUndefined));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined || keepUndefined) out[k] = clean(x, keepUndefined);
  return out;
}
const input = fc.tuple(tx, fc.integer({ min: 0, max: 19 })).map(([t, n]) => clean(t, n === 0));

describe('quickTransaction', () => {
  it('takes only what the schema takes, and gives exactly what the schema gives', () => {
    let taken = 0;
    fc.assert(fc.property(input, (input) => {
      const quick = quickTransaction(input);
      const zod = Transaction.safeParse(input);
      if (quick === undefined) return;
      taken++;
      expect(zod.success).toBe(true);
      expect(JSON.stringify(quick)).toBe(JSON.stringify(zod.data));
    }), { numRuns: 10_000 });
    // The generator reaches the quick path often enough to mean something.
    expect(taken).toBeGreaterThan(500);
  });

  it('takes a screening line in contract form, with the schema key order', () => {
    const input = { quantity: 8, item: { model: 'nvidia-h100-sxm', type: 'ic' }, to: 'de', id: 'PO-1', consignee: { country: 'DE', id: 'c-1', name: 'Customer 1' }, date: '2025-06-02', endUses: ['datacenter'] };
    const quick = quickTransaction(input);
    expect(JSON.stringify(quick)).toBe(JSON.stringify(Transaction.parse(input)));
    expect(Object.keys(quick!)).toEqual(['id', 'date', 'to', 'item', 'quantity', 'consignee', 'endUses']);
  });

  it('leaves the cross-field rules and the rarer items to the schema', () => {
    const base = { to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' } };
    expect(quickTransaction({ ...base, from: 'DE' })).toBeUndefined();
    expect(quickTransaction({ ...base, to: 'US' })).toBeUndefined();
    expect(quickTransaction({ item: base.item })).toBeUndefined();
    expect(quickTransaction({ ...base, activity: 'reexport', from: 'JP' })).toBeUndefined();
    expect(quickTransaction({ to: 'DE', item: { type: 'eccn', eccn: '4A090.a' } })).toBeUndefined();
    expect(quickTransaction({ ...base, item: { type: 'ic', model: 'nvidia-h100-sxm', tpp: '16000' } })).toBeUndefined();
    expect(quickTransaction({ ...base, quantity: undefined })).toBeUndefined();
  });
});

describe('an item type that names a member of Object.prototype', () => {
  it('is left to the schema, which refuses it with its path (it used to throw a TypeError: a 500 over HTTP)', () => {
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const tx = { date: '2025-06-02', to: 'BR', item: { type, model: 'nvidia-h100-sxm' }, quantity: 100 };
      expect(quickTransaction(tx), type).toBeUndefined();
      const r = Transaction.safeParse(tx);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['item', 'type']);
    }
  });
});

