/**
 * What-if invariants on generated shipments (fast-check): every change it proposes, applied to the
 * transaction, makes that exception eligible in the full determination; a proposed quantity is the
 * largest (one more unit is not eligible); an exception that is eligible is never listed; a
 * blocker is a condition the determination itself reports as not met or unknown; each classification
 * distance's "across" is what the engine classifies just across the threshold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, parseTransaction, whatIf, applyChanges } from '../../src/index.js';

const COUNTRIES = ['US', 'DE', 'JP', 'IN', 'BR', 'AE', 'SA', 'VN', 'MY', 'SG', 'MX', 'CN', 'MO', 'IL'];
const CHIPS = ['nvidia-h100-sxm', 'nvidia-a100-sxm', 'nvidia-h20', 'nvidia-l40s', 'amd-mi300x'];
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const country = fc.constantFrom(...COUNTRIES);
/** An export leaves the United States. */
const destination = fc.constantFrom(...COUNTRIES.filter((c) => c !== 'US'));

const shipment = fc.record({
  date: fc.constantFrom('2025-06-02', '2026-03-01'),
  to: destination,
  item: fc.oneof(
    fc.record({ type: fc.constant('ic' as const), model: fc.constantFrom(...CHIPS) }),
    fc.record({ type: fc.constant('ic' as const), tpp: fc.integer({ min: 1500, max: 30000 }), dieAreaMm2: fc.integer({ min: 200, max: 1200 }), datacenter: fc.boolean() }),
  ),
  quantity: fc.integer({ min: 1, max: 20000 }),
  consignee: fc.record({ id: fc.constant('c'), country: maybe(country), headquarters: country, ultimateParentHeadquarters: country }),
  endUses: maybe(fc.subarray(['datacenter', 'development', 'production', 'storage'] as const, { minLength: 1 })),
  viaDistributor: maybe(fc.boolean()),
}).map((t) => ({ ...t, consignee: { ...t.consignee, country: t.consignee.country && t.to } })); // a consignee is located where the shipment goes
const used = fc.constantFrom(0, 10_000_000, 26_000_000, 26_900_000);

describe('what-if properties', () => {
  it('proposed changes make the exception eligible; quantities are the largest; blockers are the failing conditions', () => {
    fc.assert(fc.property(shipment, used, (raw, lppUsedTpp) => {
      const tx = parseTransaction(raw);
      const opts = { ledger: { lppUsedTpp } };
      const d = check(tx, opts);
      const w = whatIf(tx, opts);
      expect(w.outcome).toBe(d.outcome);
      for (const e of w.exceptions) {
        const real = d.exceptions.find((x) => x.code === e.code)!;
        expect(real.status).not.toBe('eligible');
        expect(e.blockers.map((b) => b.condition)).toEqual(real.conditions.filter((c) => c.status !== 'met').map((c) => c.id));
        if (!e.changes) continue;
        expect(e.blockers.every((b) => b.changeable)).toBe(true);
        const changed = applyChanges(tx, e.changes);
        expect(check(changed, opts).exceptions.find((x) => x.code === e.code)!.status).toBe('eligible');
        const q = e.changes.find((c) => c.path === 'quantity');
        if (q) {
          expect(Number(q.to)).toBeLessThan(Number(q.from));
          expect(check({ ...changed, quantity: Number(q.to) + 1 }, opts).exceptions.find((x) => x.code === e.code)!.status).not.toBe('eligible');
        }
      }
    }), { numRuns: 150 });
  });

  it('a classification distance names the engine\'s classification just across the threshold', () => {
    fc.assert(fc.property(fc.integer({ min: 1500, max: 30000 }), fc.integer({ min: 200, max: 1200 }), fc.boolean(), (tpp, area, datacenter) => {
      const tx = parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'ic', tpp, dieAreaMm2: area, datacenter }, consignee: { country: 'BR' } });
      const now = check(tx).classification.eccn;
      for (const c of whatIf(tx).classification.filter((x) => x.measure === 'tpp')) {
        expect(c.across).not.toEqual([now]);
        const t = Number(c.threshold);
        // Up: at the threshold; down: just below it (0.01 below is inside the band under it).
        const probe = c.direction === 'up' ? t : t - 0.01;
        expect(check({ ...tx, item: { ...tx.item, tpp: probe } }).classification.eccn).toBe(c.across[0]);
        expect(Number(c.distance)).toBeCloseTo(Math.abs(tpp - t), 6);
      }
    }), { numRuns: 200 });
  });
});
