/**
 * What-if for the classification: the exact distance of an item's figures to the thresholds of
 * data/parameters.json at which the engine's classification changes, and the classification just
 * across each. Every 3A090 paragraph reads "X or more", so along one figure (TPP at the same die
 * area, or performance density at the same TPP) the classification changes only at the thresholds,
 * the threshold itself belonging above; the engine is asked on each side.
 */
import type { Determination } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { Decimal, dec, formatExact } from '../compute/exact.js';
import { chip } from '../data/chips.js';
import { T3A090, T4E091, P } from '../data/parameters.js';

/** Evaluate a changed transaction (lean output: statuses and classification as the full output's). */
export type Evaluate = (tx: Transaction) => Determination;

export interface ThresholdDistance {
  measure: 'tpp' | 'performanceDensity' | 'trainingOperations';
  current: string;
  threshold: string;
  citation: string;
  /** 'up': the figure would have to reach the threshold; 'down': fall below it. */
  direction: 'up' | 'down';
  /** Exact: threshold − current (up), current − threshold (down; the figure must fall by more than this). */
  distance: string;
  /** The classification the engine gives an item with the figure just across the threshold. */
  across: (string | null)[];
  summary: string;
}

const TPP_THRESHOLDS = [
  { value: T3A090.a1Tpp, citation: P.eccn3A090.a1.citation },
  { value: T3A090.a2Tpp, citation: `${P.eccn3A090.a2.citation}; ${P.eccn3A090.b2.citation}` },
  { value: T3A090.b1Tpp, citation: P.eccn3A090.b1.citation },
];
const PD_THRESHOLDS = [
  { value: T3A090.a2Pd, citation: P.eccn3A090.a2.citation },
  { value: T3A090.b2Pd, citation: P.eccn3A090.b2.citation },
  { value: T3A090.b1Pd, citation: P.eccn3A090.b1.citation },
];

interface Breakpoint { at: Decimal; threshold: Decimal; citation: string; measure: ThresholdDistance['measure'] }

export function thresholdDistances(tx: Transaction, base: Determination, ev: Evaluate): ThresholdDistance[] {
  const item = tx.item;
  if (item.type === 'ic') return icDistances(tx, base, ev);
  if (item.type === 'model_weights' && base.classification.trainingOperations !== undefined && item.trainingOperations !== undefined) {
    return operationsDistances(tx, dec(item.trainingOperations), ev);
  }
  return [];
}

interface Figures { tpp: Decimal; area?: Decimal; datacenter?: boolean }

/** An IC by its figures (so that its TPP or die area can be varied); a catalog model's come from chips.json. */
function icFigures(tx: Transaction, base: Determination): Figures | undefined {
  const item = tx.item as Extract<Transaction['item'], { type: 'ic' }>;
  const tppPerUnit = base.classification.tppPerUnit;
  if (tppPerUnit === undefined) return undefined;
  if (item.model !== undefined) {
    const c = chip(item.model);
    return { tpp: c.tpp, ...(c.dieAreaMm2 ? { area: dec(c.dieAreaMm2) } : {}), datacenter: c.datacenter };
  }
  const tpp = item.tpp !== undefined ? dec(item.tpp) : dec(item.tops!).times(item.bitLength!);
  return { tpp, ...(item.dieAreaMm2 !== undefined ? { area: dec(item.dieAreaMm2) } : {}), ...(item.datacenter !== undefined ? { datacenter: item.datacenter } : {}) };
}

/** Classify an IC with these figures through the engine (the destination plays no part in classification). */
function classifyFigures(tx: Transaction, fig: Figures, ev: Evaluate): (string | null)[] {
  const item = { type: 'ic' as const, tpp: fig.tpp.toFixed(), ...(fig.area ? { dieAreaMm2: fig.area.toNumber() } : {}), ...(fig.datacenter !== undefined ? { datacenter: fig.datacenter } : {}) };
  const d = ev({ ...tx, item });
  return d.classification.status === 'unknown' ? d.classification.candidates ?? [null] : [d.classification.eccn];
}

const same = (a: (string | null)[], b: (string | null)[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const labelIc = (e: (string | null)[]) => e.map((x) => x ?? 'not 3A090.a/.b').join(' or ');

/**
 * Every paragraph of 3A090 reads "X or more", so along one figure (TPP at the same die area, or
 * the die area at the same TPP) the classification changes only at these breakpoints and the
 * breakpoint itself belongs above. Walk them outward from the item's figure, asking the engine on
 * each side, and report the nearest one where the classification changes.
 */
function icDistances(tx: Transaction, base: Determination, ev: Evaluate): ThresholdDistance[] {
  const fig = icFigures(tx, base);
  if (!fig) return [];
  const now = classifyFigures(tx, fig, ev);
  const out: ThresholdDistance[] = [];
  // Along TPP, same die area: the TPP thresholds, and the PD thresholds as TPP = PD × area.
  const tppPoints: Breakpoint[] = [
    ...TPP_THRESHOLDS.map((t) => ({ at: t.value, threshold: t.value, citation: t.citation, measure: 'tpp' as const })),
    ...(fig.area ? PD_THRESHOLDS.map((t) => ({ at: t.value.times(fig.area!), threshold: t.value, citation: t.citation, measure: 'performanceDensity' as const })) : []),
  ];
  const withTpp = (v: Decimal) => classifyFigures(tx, { ...fig, tpp: v }, ev);
  const up = walk(fig.tpp, tppPoints, now, withTpp, 'up');
  const down = walk(fig.tpp, tppPoints, now, withTpp, 'down');
  const area = fig.area ? ` (same die area, ${formatExact(fig.area)} mm²)` : '';
  if (up) {
    const d = up.point.at.minus(fig.tpp);
    out.push({ measure: 'tpp', current: formatExact(fig.tpp), threshold: formatExact(up.point.at), citation: up.point.citation, direction: 'up', distance: formatExact(d), across: up.across,
      summary: `TPP ${formatExact(fig.tpp)} would have to rise by ${formatExact(d)} to ${formatExact(up.point.at)}${area} for the item to be ${labelIc(up.across)} (${up.point.citation}).` });
  }
  if (down) {
    const d = fig.tpp.minus(down.point.at);
    out.push({ measure: 'tpp', current: formatExact(fig.tpp), threshold: formatExact(down.point.at), citation: down.point.citation, direction: 'down', distance: formatExact(d), across: down.across,
      summary: `TPP ${formatExact(fig.tpp)} would have to fall by more than ${formatExact(d)}, below ${formatExact(down.point.at)}${area}, for the item to be ${labelIc(down.across)} (${down.point.citation}).` });
  }
  if (fig.area) {
    // Along performance density, same TPP: PD = TPP ÷ area, so a higher density is a smaller die.
    const pd = fig.tpp.div(fig.area);
    const pdPoints: Breakpoint[] = PD_THRESHOLDS.map((t) => ({ at: t.value, threshold: t.value, citation: t.citation, measure: 'performanceDensity' as const }));
    const withPd = (v: Decimal) => classifyFigures(tx, { ...fig, area: fig.tpp.div(v) }, ev);
    const shown = pd.toDecimalPlaces(4, Decimal.ROUND_DOWN).toString();
    for (const direction of ['up', 'down'] as const) {
      const r = walk(pd, pdPoints, now, withPd, direction);
      if (!r) continue;
      const t = r.point.at;
      const d = direction === 'up' ? t.minus(pd) : pd.minus(t);
      const areaAt = fig.tpp.div(t);
      out.push({ measure: 'performanceDensity', current: shown, threshold: formatExact(t), citation: r.point.citation, direction, distance: d.toSignificantDigits(8).toString(), across: r.across,
        summary: direction === 'up'
          ? `Performance density ${shown} would have to reach ${formatExact(t)} (a die area of at most ${areaAt.toDecimalPlaces(2, Decimal.ROUND_DOWN).toString()} mm² at this TPP) for the item to be ${labelIc(r.across)} (${r.point.citation}).`
          : `Performance density ${shown} would have to fall below ${formatExact(t)} (a die area above ${areaAt.toDecimalPlaces(2, Decimal.ROUND_UP).toString()} mm² at this TPP) for the item to be ${labelIc(r.across)} (${r.point.citation}).` });
    }
  }
  return out;
}

/** The nearest breakpoint in one direction where the engine's classification differs from `now`. */
function walk(current: Decimal, points: Breakpoint[], now: (string | null)[], classify: (v: Decimal) => (string | null)[], direction: 'up' | 'down'): { point: Breakpoint; across: (string | null)[] } | undefined {
  const sorted = [...new Map(points.map((p) => [p.at.toString(), p])).values()].sort((a, b) => a.at.cmp(b.at));
  if (direction === 'up') {
    for (const p of sorted.filter((x) => x.at.gt(current))) {
      const across = classify(p.at);
      if (!same(across, now)) return { point: p, across };
    }
    return undefined;
  }
  const below = sorted.filter((x) => x.at.lte(current)).reverse();
  for (let i = 0; i < below.length; i++) {
    const p = below[i]!;
    // Any figure strictly between this breakpoint and the next one down classifies alike.
    const lower = below[i + 1]?.at ?? new Decimal(0);
    const across = classify(p.at.plus(lower).div(2));
    if (!same(across, now)) return { point: p, across };
  }
  return undefined;
}

/**
 * Training operations against the 4E091 threshold. Whether 10^26 itself is controlled is INT-3's
 * question, so the engine is asked at the threshold and one operation either side (operations are
 * whole numbers) under the readings in force, and the wording follows its answers.
 */
function operationsDistances(tx: Transaction, ops: Decimal, ev: Evaluate): ThresholdDistance[] {
  const t = T4E091.operations;
  const citation = P.eccn4E091.operationsThreshold.citation;
  const classify = (v: Decimal) => {
    const d = ev({ ...tx, item: { ...(tx.item as Extract<Transaction['item'], { type: 'model_weights' }>), trainingOperations: v.toFixed() } });
    return d.classification.status === 'unknown' ? d.classification.candidates ?? [null] : [d.classification.eccn];
  };
  const label = (e: (string | null)[]) => e.map((x) => x ?? 'not 4E091').join(' or ');
  // The fields: whole numbers written out (10^26 − 1 must not read as 1e26). The sentences: the exact
  // short form ("2e26", "9.9999999999999999999999999e25"), as the determination prints operations.
  const n = (v: Decimal) => v.toFixed();
  const now = classify(ops);
  const entry = (direction: 'up' | 'down', across: (string | null)[], summary: string): ThresholdDistance[] =>
    [{ measure: 'trainingOperations', current: n(ops), threshold: n(t), citation, direction, distance: n(ops.minus(t).abs()), across, summary }];
  const d = formatExact(ops.minus(t).abs());
  if (ops.lt(t)) {
    const atT = classify(t);
    if (!same(atT, now)) return entry('up', atT, `Training operations ${formatExact(ops)} would have to rise by ${d}, to ${formatExact(t)} (${citation}), for the weights to be ${label(atT)}.`);
    const above = classify(t.plus(1));
    if (!same(above, now)) return entry('up', above, `Training operations ${formatExact(ops)} would have to rise by more than ${d}, above ${formatExact(t)} (${citation}), for the weights to be ${label(above)}.`);
    return [];
  }
  const atT = classify(t);
  if (ops.gt(t) && !same(atT, now)) return entry('down', atT, `Training operations ${formatExact(ops)} would have to fall by ${d}, to ${formatExact(t)} (${citation}), for the weights to be ${label(atT)}.`);
  const below = classify(t.minus(1));
  if (!same(below, now)) return entry('down', below, `Training operations ${formatExact(ops)} would have to fall by more than ${d}, below ${formatExact(t)} (${citation}), for the weights to be ${label(below)}.`);
  return [];
}
