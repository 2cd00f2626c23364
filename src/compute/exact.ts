/**
 * Exact decimal arithmetic for every number that meets a legal threshold. TPP, performance
 * density and training operations are compared as decimals (decimal.js with 60 significant
 * digits), never as binary floats: 1e26 operations given as "1e26" is exactly 10^26, and a
 * performance density of exactly 5.92 meets "5.92 or more".
 */
import DecimalModule from 'decimal.js';

// decimal.js ships CommonJS-style typings for an ES module whose default export is the class.
type DecimalClass = typeof import('decimal.js').Decimal;
const DecimalJs = DecimalModule as unknown as DecimalClass;

export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
export type Decimal = InstanceType<typeof Decimal>;

export type NumLike = Decimal | number | string;

const parsedStrings = new Map<string, Decimal>();

/** Decimal from a number or decimal string; strings are parsed once (Decimals are immutable). */
export function dec(v: NumLike): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'number') return new Decimal(v);
  let d = parsedStrings.get(v);
  if (d === undefined) {
    if (parsedStrings.size > 100_000) parsedStrings.clear();
    d = new Decimal(v);
    parsedStrings.set(v, d);
  }
  return d;
}

export const ZERO = new Decimal(0);

/**
 * A number for JSON output. Integers up to 2^53 and decimals with few digits are exact as JS
 * numbers; the exact value stays available as a string through `formatExact`.
 */
export function toNumber(v: Decimal): number {
  // Integers within 2^53 (most TPP figures) convert exactly without a string round trip.
  // (An integer of at most 15 digits: e is the exponent of its leading digit.)
  if (v.e < 15 && v.isInteger()) return integerValue(v);
  return v.toNumber();
}

/** The value of an integer Decimal from its base-1e7 digit words (decimal.js's internal form). */
function integerValue(v: Decimal): number {
  const words = (v as unknown as { d: number[] }).d;
  const e = v.e; // exponent of the leading digit
  let digits = 0;
  let n = 0;
  const first = String(words[0]!).length;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const len = i === 0 ? first : 7;
    n = n * 10 ** len + w;
    digits += len;
  }
  n *= 10 ** (e + 1 - digits);
  return v.isNegative() ? -n : n;
}

/** "1.31e26" for very large or very small values, plain digits otherwise (e.g. "15832000"). */
export function formatExact(v: Decimal): string {
  if (v.isZero()) return '0';
  if (v.isInteger() && v.e < 15) return String(integerValue(v));
  const e = v.e; // decimal exponent of the leading digit
  if (e >= 21 || e <= -7) {
    const [mant, exp] = v.toExponential().split('e');
    return `${trimZeros(mant!)}e${Number(exp)}`;
  }
  return v.toFixed();
}

function trimZeros(m: string): string {
  return m.includes('.') ? m.replace(/\.?0+$/, '') : m;
}

/** Round for display only (performance density): never used in a comparison. */
export function roundForDisplay(v: Decimal, places = 2): number {
  return v.toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toNumber();
}
