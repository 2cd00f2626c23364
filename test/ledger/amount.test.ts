/** tpp() writes milli-TPP as formatExact would (its plain-digits path done in bigint arithmetic). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExact } from '../../src/compute/exact.js';
import { fromMilli, tpp } from '../../src/ledger/amount.js';

describe('tpp', () => {
  it('is formatExact of the amount, for any amount (fractions, negatives, and past the plain-digits range)', () => {
    const amount = fc.oneof(fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }), fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      fc.constantFrom(0n, 1n, -1n, 999n, 1000n, 1001n, 10n ** 18n - 1n, 10n ** 18n, -(10n ** 18n), 1_583_200_000n));
    fc.assert(fc.property(amount, (m) => {
      expect(tpp(m)).toBe(formatExact(fromMilli(m)));
    }), { numRuns: 2000 });
  });

  it('writes what a commit answers', () => {
    expect(tpp(26_900_000_000n)).toBe('26900000');
    expect(tpp(1500n)).toBe('1.5');
    expect(tpp(1n)).toBe('0.001');
    expect(tpp(-250n)).toBe('-0.25');
  });
});
