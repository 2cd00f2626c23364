/**
 * Total processing performance and performance density, 3A090 Technical Notes 1-4.
 * TPP = 2 × MacTOPS × bit length, where a datasheet's dense TOPS/TFLOPS figure is 2 × MacTOPS;
 * the highest TPP over the precisions an IC supports counts; PD = TPP / applicable die area.
 */
import { Decimal, dec, type NumLike } from './exact.js';
import { T3A090 } from '../data/parameters.js';

export interface Rate { precision: string; bitLength: number; denseTops: number; source?: string }

/** TPP for one precision: datasheet TOPS (= macFactor × MacTOPS) × bit length. */
export function tppOf(denseTops: NumLike, bitLength: NumLike): Decimal {
  return dec(denseTops).times(bitLength);
}

/** The highest TPP over the precisions (Technical Note 2), with the rate that gives it. */
export function highestTpp(rates: readonly Rate[]): { tpp: Decimal; rate: Rate } {
  let best: { tpp: Decimal; rate: Rate } | undefined;
  for (const rate of rates) {
    const tpp = tppOf(rate.denseTops, rate.bitLength);
    if (!best || tpp.gt(best.tpp)) best = { tpp, rate };
  }
  if (!best) throw new Error('an IC needs at least one rate');
  return best;
}

export function performanceDensity(tpp: NumLike, dieAreaMm2: NumLike): Decimal {
  return dec(tpp).div(dieAreaMm2);
}

/** MacTOPS behind a datasheet figure, for showing the computation step by step. */
export function macTops(denseTops: NumLike): Decimal {
  return dec(denseTops).div(T3A090.macFactor);
}
