/**
 * Amounts in the database are exact integers of milli-TPP: BIGINT on PostgreSQL, INTEGER on
 * SQLite. Integer arithmetic inside a conditional UPDATE is exact on both back ends; a float never
 * stands between a shipment and a cap.
 *
 * A TPP figure with more than three decimals is rounded UP to the next milli-TPP when it is drawn
 * against an account: for a cap, counting a hair more is the safe side. Released or committed
 * amounts are the stored integers, so nothing drifts.
 */
import { Decimal, dec, formatExact, type NumLike } from '../compute/exact.js';
import { InputError } from '../engine/context.js';
import type { DbInt } from '../store/schema.js';

/** Storage unit: 1 TPP = 1000 milli-TPP (a unit of storage, not a number of the rule). */
const SCALE = new Decimal(1000);

/**
 * The largest single amount accepted (in TPP). A storage bound, not a number of the rule: it keeps
 * running sums far inside BIGINT (2^63 milli-TPP) on both back ends; the largest figure the rule
 * uses is 5,064,000,000 TPP.
 */
const MAX_TPP = new Decimal('1e12');

/** A TPP figure as text: plain decimal notation only (no hex, binary, octal or digit separators, which Decimal would accept). */
const DECIMAL_TEXT = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function toMilli(v: NumLike, path: string): bigint {
  if (typeof v === 'string' && !DECIMAL_TEXT.test(v.trim())) throw new InputError(path, `not a decimal number: ${JSON.stringify(v)}`);
  let d: Decimal;
  try {
    d = dec(typeof v === 'string' ? v.trim() : v);
  } catch {
    throw new InputError(path, `not a number: ${String(v)}`);
  }
  if (!d.isFinite() || d.isNegative()) throw new InputError(path, 'expected a non-negative TPP figure');
  if (d.gt(MAX_TPP)) throw new InputError(path, `too large (at most ${formatExact(MAX_TPP)} TPP per entry)`);
  return BigInt(d.times(SCALE).toDecimalPlaces(0, Decimal.ROUND_CEIL).toFixed());
}

/** A positive amount to draw, reserve or record. */
export function toPositiveMilli(v: NumLike, path: string): bigint {
  const m = toMilli(v, path);
  if (m === 0n) throw new InputError(path, 'expected a TPP figure greater than zero');
  return m;
}

export function fromMilli(m: bigint): Decimal {
  return new Decimal(m.toString()).div(SCALE);
}

/**
 * Below this many milli-TPP (10^15 TPP) formatExact writes plain digits, which bigint arithmetic
 * gives directly; a commit formats several amounts, and through Decimal each cost a few µs.
 */
const PLAIN_BELOW = 10n ** 18n;

/** Exact TPP as a decimal string ("26900000", "1.5"): formatExact of the amount. */
export function tpp(m: bigint): string {
  const size = m < 0n ? -m : m;
  if (size >= PLAIN_BELOW) return formatExact(fromMilli(m));
  const whole = size / 1000n;
  const milli = size % 1000n;
  const text = milli === 0n ? whole.toString() : `${whole}.${milli.toString().padStart(3, '0').replace(/0+$/, '')}`;
  return m < 0n ? `-${text}` : text;
}

export function big(v: DbInt | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function bigOrNull(v: DbInt | null | undefined): bigint | null {
  return v === null || v === undefined ? null : big(v);
}
