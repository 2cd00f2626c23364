/**
 * Exact decimal arithmetic for every number that meets a legal threshold. TPP, performance
 * density and training operations are compared as decimals (decimal.js), never as binary floats:
 * 1e26 operations given as "1e26" is exactly 10^26, and a performance density of exactly 5.92
 * meets "5.92 or more".
 *
 * Addition, subtraction and multiplication are exact at any size: 6·N·D of two 40-digit figures
 * has 81 digits, and all of them count against a threshold. decimal.js rounds every result to the
 * precision of its constructor (60 significant digits here, which division needs: 1/3 has no end),
 * so these three operations are computed, when their exact result would need more digits, in a
 * context wide enough to hold it. The figures read in are bounded (`exactRangeProblem`: at most
 * 1,000 significant digits and a decimal exponent within ±1,000), so an exact result stays small.
 */
import DecimalModule from 'decimal.js';

// decimal.js ships CommonJS-style typings for an ES module whose default export is the class.
type DecimalClass = typeof import('decimal.js').Decimal;
const DecimalJs = DecimalModule as unknown as DecimalClass;

export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
export type Decimal = InstanceType<typeof Decimal>;

/** Figures read in are at most this many significant digits, with a decimal exponent within ±EXACT_EXPONENT. */
export const EXACT_DIGITS = 1000;
export const EXACT_EXPONENT = 1000;

/** Why a decimal string is outside the range read exactly, or undefined when it is inside. */
export function exactRangeProblem(s: string): string | undefined {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m) return undefined; // not a decimal: the caller's own check says so
  const int = m[1] ?? '';
  const digits = (int + (m[2] ?? '')).replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '').length;
  if (significant === 0) return undefined; // zero
  const expText = (m[3] ?? '0').replace(/^[+]/, '');
  if (expText.replace(/^-?0*/, '').length > 6) return `beyond the range read exactly (a decimal exponent within ±${EXACT_EXPONENT})`;
  const leading = int.replace(/^0+/, '').length > 0 ? int.replace(/^0+/, '').length - 1 : -((m[2] ?? '').length - (m[2] ?? '').replace(/^0+/, '').length) - 1;
  const exponent = leading + Number(expText);
  if (significant > EXACT_DIGITS) return `beyond the range read exactly (at most ${EXACT_DIGITS} significant digits)`;
  if (Math.abs(exponent) > EXACT_EXPONENT) return `beyond the range read exactly (a decimal exponent within ±${EXACT_EXPONENT})`;
  return undefined;
}

/**
 * A context for exact sums, differences and products of figures in range: its precision is never
 * reached by them, and it is never used for division.
 */
const Wide = DecimalJs.clone({ precision: 1e6, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });

type Operand = Decimal | number | string;
type BinaryOp = (this: Decimal, y: Operand) => Decimal;

/**
 * decimal.js's internal form: `d` holds the digits in base-1e7 words (the first word 1 to 7 digits,
 * the others 7), null when the value is not finite; `e` is the exponent of the leading digit.
 */
type Words = { d: number[] | null; e: number };
const WORD_DIGITS = 7;

/**
 * Digits needed to hold x op y exactly (an upper bound). The bound from the word counts (at most 7
 * digits a word) needs no digit count and decides nearly every case; only when it exceeds the
 * precision are the significant digits counted.
 */
const productDigits = (x: Decimal, y: Decimal): number => {
  const dx = (x as unknown as Words).d;
  const dy = (y as unknown as Words).d;
  if (dx && dy && (dx.length + dy.length) * WORD_DIGITS <= Decimal.precision) return (dx.length + dy.length) * WORD_DIGITS;
  return x.sd() + y.sd();
};
/** The significant digits of a finite value (an upper bound from its words when that is within the precision). */
const digitsOf = (v: Decimal, words: number[]): number => (words.length * WORD_DIGITS <= Decimal.precision ? words.length * WORD_DIGITS : v.sd());
const sumDigits = (x: Decimal, y: Decimal): number => {
  const dx = (x as unknown as Words).d;
  const dy = (y as unknown as Words).d;
  if (!dx || !dy) return 0; // not finite: decimal.js's own rules
  // Adding zero gives the other operand, all of its digits (a figure read in may have more than 60).
  if (dx[0] === 0) return digitsOf(y, dy);
  if (dy[0] === 0) return digitsOf(x, dx);
  const top = Math.max(x.e, y.e) + 1;
  const loose = top - Math.min(x.e - dx.length * WORD_DIGITS + 1, y.e - dy.length * WORD_DIGITS + 1) + 1;
  if (loose <= Decimal.precision) return loose;
  const bottom = Math.min(x.e - x.sd() + 1, y.e - y.sd() + 1);
  return top - bottom + 1;
};

/**
 * decimal.js keeps one prototype for all its constructors; the wrappers act only for this module's
 * `Decimal` (other users of decimal.js, if any, are untouched) and only when 60 digits would not
 * hold the exact result.
 */
function exactly(name: 'times' | 'mul' | 'plus' | 'add' | 'minus' | 'sub', digits: (x: Decimal, y: Decimal) => number): void {
  const proto = DecimalJs.prototype as unknown as Record<string, BinaryOp>;
  const original = proto[name]!;
  proto[name] = function (this: Decimal, y: Operand): Decimal {
    if (this.constructor !== Decimal) return original.call(this, y);
    // An operand is a Decimal, a number or a string: typeof tells them apart without \`instanceof\`
    // (a call to Function.prototype[Symbol.hasInstance] on every operation).
    const other = typeof y === 'object' ? y : new Decimal(y);
    if (digits(this, other) <= Decimal.precision) return original.call(this, other);
    // Computed wide, then kept as it is: a constructor does not round.
    return new Decimal(original.call(new Wide(this) as unknown as Decimal, new Wide(other) as unknown as Decimal) as unknown as Decimal);
  };
}
exactly('times', productDigits);
exactly('mul', productDigits);
exactly('plus', sumDigits);
exactly('add', sumDigits);
exactly('minus', sumDigits);
exactly('sub', sumDigits);

export type NumLike = Decimal | number | string;

/**
 * Decimal strings parsed before: the thresholds and figures of the data, met on every evaluation.
 * Bounded low: a screening run also brings a new figure on nearly every line (its used TPP, its
 * aggregate), and 100,000 of them held ~30 MB of a worker's 96 MB heap.
 */
const parsedStrings = new Map<string, Decimal>();
const PARSED_STRINGS = 10_000;

/** Decimal from a number or decimal string; strings are parsed once (Decimals are immutable). */
export function dec(v: NumLike): Decimal {
  if (typeof v === 'object') return v;
  if (typeof v === 'number') return new Decimal(v);
  let d = parsedStrings.get(v);
  if (d === undefined) {
    if (parsedStrings.size > PARSED_STRINGS) parsedStrings.clear();
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

/** 10^0 … 10^15, exact as numbers: the scales integerValue needs, without Math.pow per call. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

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
    n = n * POW10[len]! + w;
    digits += len;
  }
  // An integer below 10^15 (toNumber's and formatExact's test) has e + 1 - digits within 0 … 14.
  n *= POW10[e + 1 - digits]!;
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
