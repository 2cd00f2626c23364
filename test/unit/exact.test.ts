import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec, formatExact } from '../../src/compute/exact.js';
import { classifyIc } from '../../src/law/part774/eccn-3a090.js';
import { highestTpp } from '../../src/compute/tpp.js';

const ic = (tpp: string | number, area?: string | number, datacenter = true) =>
  classifyIc({ tpp: dec(tpp), area: area === undefined ? undefined : dec(area), datacenter, path: 'item', label: 'IC' }).candidates;

describe('exact arithmetic at thresholds', () => {
  it('PD exactly 5.92 meets 3A090.a.2 although 5.92 is not a binary float', () => {
    // 1600 / 270.27027... would round; TPP 5920 over 1000 mm² is exactly 5.92 only in decimal.
    expect(ic(2960, 500)).toEqual(['a']);
    expect(ic('2959.99', 500)).toEqual(['b']);
  });
  it('TPP exactly 4800 is .a; 4799.99 with low PD is not', () => {
    expect(ic(4800, 100000)).toEqual(['a']);
    expect(ic('4799.99', 100000)).toEqual([null]);
  });
  it('training operations keep every digit', () => {
    expect(formatExact(dec('1e26').plus(1))).toBe('1.00000000000000000000000001e26');
    expect(dec('1e26').plus(1).gt(dec('1e26'))).toBe(true);
    expect(formatExact(dec('8e25').plus('1e24').plus('5e25'))).toBe('1.31e26');
  });
  it('adding or subtracting zero keeps every digit of a figure longer than 60 digits', () => {
    const long = `1${'0'.repeat(70)}1`; // 72 significant digits
    expect(formatExact(dec(long).plus(0))).toBe(formatExact(dec(long)));
    expect(formatExact(dec(0).plus(long))).toBe(formatExact(dec(long)));
    expect(dec(long).minus(0).eq(dec(long))).toBe(true);
    expect(dec(0).minus(long).eq(dec(long).negated())).toBe(true);
  });
  it('property: sums, differences and products are exact whatever the digits', () => {
    const figure = fc.tuple(fc.bigInt({ min: -(10n ** 90n), max: 10n ** 90n }), fc.integer({ min: -40, max: 40 })).map(([m, e]) => `${m}e${e}`);
    fc.assert(
      fc.property(fc.oneof(figure, fc.constant('0e0')), figure, (a, b) => {
        const [x, y] = [dec(a), dec(b)];
        // Checked by moving both to integers: x·10^k ± y·10^k and (x·10^k)(y·10^k) in BigInt.
        const big = (s: string, k: number) => { const [m, e] = s.split('e'); return BigInt(m!) * 10n ** BigInt(Number(e) + k); };
        const k = 40;
        const asBig = (v: ReturnType<typeof dec>, scale: number) => big(v.toExponential().replace(/^(-?)(\d)\.?(\d*)e([+-]\d+)$/, (_m, s, d, f, e) => `${s}${d}${f}e${Number(e) - f.length}`), scale);
        return asBig(x.plus(y), k) === big(a, k) + big(b, k)
          && asBig(x.minus(y), k) === big(a, k) - big(b, k)
          && asBig(x.times(y), 2 * k) === big(a, k) * big(b, k);
      }),
      { numRuns: 500 },
    );
  });
  it('TPP takes the highest precision (Technical Note 2): Gaudi-3-like BF16 beats FP8', () => {
    const { tpp, rate } = highestTpp([
      { precision: 'FP8', bitLength: 8, denseTops: 1835 },
      { precision: 'BF16', bitLength: 16, denseTops: 1835 },
    ]);
    expect(tpp.toNumber()).toBe(29360);
    expect(rate.precision).toBe('BF16');
  });
  it('property: classification is monotone in TPP at a fixed die area', () => {
    const rank = (p: string | null) => (p === 'a' ? 2 : p === 'b' ? 1 : 0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 50, max: 3000 }), (t1, t2, area) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        // Monotone for .a; .b is a band, so compare "meets .a" only.
        const a = (t: number) => rank(ic(t, area)[0]!) === 2;
        return !a(lo) || a(hi);
      }),
    );
  });
});
