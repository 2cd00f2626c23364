/**
 * ECCN 4E091 (15 CFR part 774, Supp. 1): 'parameters' (weights) of an AI model trained with
 * 10^26 or more 'operations' (INT-3), with its Technical Notes and Notes:
 * - Technical Note 2: operations cover pre-training and all later training; 6·N·D estimates them.
 * - Technical Note 3: when more than 10 % of the operations train on unpublished data from one
 *   generator, add that generator's generation operations, and (if its weights are unpublished)
 *   the training operations of the largest such generator, counted once.
 * - Note 1: published weights are not controlled (734.7); nor are models derived from published
 *   weights with additional operations of at most max(2.5×10^25 (INT-1), 25 % of Note 2's number (INT-2)).
 * - Note 2: not controlled if trained with fewer operations than needed to match the most capable
 *   published model; aidr bounds that number by the published-model register (see docs/semantics.md).
 *
 * Unknown facts make operation counts intervals [lo, hi]; a test is decided only when the whole
 * interval falls on one side of its threshold.
 */
import type { Step } from '../../contract/determination.js';
import { Decimal, dec, formatExact, ZERO } from '../../compute/exact.js';
import { T4E091, P } from '../../data/parameters.js';
import { largestPublishedModel } from '../../data/published-models.js';
import type { Ctx } from '../../engine/context.js';
import { allOf, and, known, negate, NONE, type Finding, type Missing, type Tri } from '../../engine/logic.js';

export const CITE_4E091 = {
  heading: 'ECCN 4E091 (heading)',
  tn2: 'ECCN 4E091, Technical Note 2',
  tn3: 'ECCN 4E091, Technical Note 3',
  note1: 'ECCN 4E091, Note 1; 15 CFR 734.7(a)',
  note2: 'ECCN 4E091, Note 2; 15 CFR 748.3(f)',
};

export interface TrainingSpec {
  published?: boolean;
  trainingOperations?: string;
  parameters?: string;
  trainingTokens?: string;
  derivedFrom?: { published?: boolean; trainingOperations?: string; name?: string };
  additionalOperations?: string;
  syntheticData?: {
    name?: string;
    shareOfOperations: number;
    dataPublished?: boolean;
    generationOperations?: string;
    generatorPublished?: boolean;
    generatorTrainingOperations?: string;
  }[];
  note2Excluded?: boolean;
  note2Operations?: string;
}

/** An operation count known to lie in [lo, hi]; hi undefined = unbounded. */
export interface Interval { lo: Decimal; hi: Decimal | undefined }

const point = (v: Decimal): Interval => ({ lo: v, hi: v });
const UNBOUNDED: Interval = { lo: ZERO, hi: undefined };
const add = (a: Interval, b: Interval): Interval => ({ lo: a.lo.plus(b.lo), hi: a.hi && b.hi ? a.hi.plus(b.hi) : undefined });
const isPoint = (i: Interval) => i.hi !== undefined && i.lo.eq(i.hi);
const show = (i: Interval) => (isPoint(i) ? formatExact(i.lo) : `${formatExact(i.lo)} to ${i.hi ? formatExact(i.hi) : 'unbounded'}`);

/** x ≥ t (inclusive) or x > t, decided over the interval. */
function atLeast(x: Interval, t: Decimal, inclusive: boolean): Tri {
  if (inclusive ? x.lo.gte(t) : x.lo.gt(t)) return true;
  if (x.hi !== undefined && (inclusive ? x.hi.lt(t) : x.hi.lte(t))) return false;
  return undefined;
}

export interface WeightsClassification {
  controlled: Finding;
  /** The operations the rule counts (Technical Notes 2-3), as an interval. */
  operations: Interval;
  basis: Step[];
}

export function classify4E091(w: TrainingSpec, ctx: Ctx, path = 'item'): WeightsClassification {
  const basis: Step[] = [];
  const missing: Missing[] = [];
  const { ops, synthetic } = countOperations(w, path, basis, missing, ctx);

  const published: Finding = w.published === undefined
    ? { value: undefined, missing: [{ path: `${path}.published`, why: 'published weights (15 CFR 734.7(a)) are not controlled by 4E091' }] }
    : known(w.published);
  if (w.published === true) {
    if (ctx.explainOn) basis.push({ rule: 'Published weights', citation: CITE_4E091.note1, result: 'not controlled', detail: 'The weights have been published within 15 CFR 734.7(a); Note 1 to 4E091 excludes them.' });
    return { controlled: known(false), operations: ops, basis };
  }

  const heading: Finding = (() => {
    const value = ctx.choose('INT-3', (r) => atLeast(ops, T4E091.operations, r === 'inclusive'));
    if (ctx.explainOn) basis.push({
      rule: '4E091 operations threshold',
      citation: CITE_4E091.heading,
      result: value === undefined ? 'unknown' : value ? 'met' : 'not met',
      detail: `Counted operations ${show(ops)} against 10^26 (${ctx.reading('INT-3') === 'inclusive' ? '10^26 or more' : 'more than 10^26'}, INT-3).`,
    });
    return { value, missing: value === undefined ? missing : (NONE as Missing[]) };
  })();

  const note1 = note1Exclusion(w, ctx, path, basis, synthetic);
  const note2 = heading.value === false ? known(false) : note2Exclusion(w, ops, ctx, path, basis);
  const controlled = allOf(negate(published), heading, negate(note1), negate(note2));
  return { controlled, operations: ops, basis };
}

function countOperations(w: TrainingSpec, path: string, basis: Step[], missing: Missing[], ctx: Ctx): { ops: Interval; synthetic?: Interval } {
  let ops: Interval;
  if (w.trainingOperations !== undefined) {
    ops = point(dec(w.trainingOperations));
    basis.push({ rule: 'Training operations', citation: CITE_4E091.tn2, result: formatExact(ops.lo), detail: 'As given: pre-training and all later training.' });
  } else if (w.parameters !== undefined && w.trainingTokens !== undefined) {
    ops = point(T4E091.opsPerParamToken.times(w.parameters).times(w.trainingTokens));
    basis.push({ rule: 'Training operations (6·N·D)', citation: CITE_4E091.tn2, result: formatExact(ops.lo), detail: `6 × ${w.parameters} parameters × ${w.trainingTokens} training tokens.` });
  } else if (w.derivedFrom?.trainingOperations !== undefined && w.additionalOperations !== undefined) {
    ops = point(dec(w.derivedFrom.trainingOperations).plus(w.additionalOperations));
    basis.push({ rule: 'Training operations', citation: CITE_4E091.tn2, result: formatExact(ops.lo), detail: `Source model ${w.derivedFrom.trainingOperations} + additional ${w.additionalOperations}.` });
  } else {
    ops = UNBOUNDED;
    missing.push({ path: `${path}.trainingOperations`, why: 'the training operations decide ECCN 4E091 (or give parameters and trainingTokens for 6·N·D)' });
    basis.push({ rule: 'Training operations', citation: CITE_4E091.tn2, result: 'unknown' });
  }
  const synthetic = syntheticAddition(w, path, basis, missing, ctx);
  return synthetic ? { ops: add(ops, synthetic), synthetic } : { ops };
}

/**
 * Technical Note 3: operations added for unpublished synthetic data. A generator whose unpublished
 * data trains more than 10 % of the operations adds the operations it used to generate them; the
 * training operations of an unpublished generator count too, only the largest one's, once. When
 * several unpublished generators supplied data, INT-23 decides whether the 10 % is counted per
 * generator (the note's first sentence) or over them together (its third).
 */
function syntheticAddition(w: TrainingSpec, path: string, basis: Step[], missing: Missing[], ctx: Ctx): Interval | undefined {
  const sources = w.syntheticData ?? [];
  if (sources.length === 0) return undefined;
  const facts = sources.map((s, i) => ({
    s,
    p: `${path}.syntheticData[${i}]`,
    over: dec(s.shareOfOperations).gt(T4E091.syntheticShare),
    unpublishedData: (s.dataPublished === undefined ? undefined : !s.dataPublished) as Tri,
    unpublishedGenerator: (s.generatorPublished === undefined ? undefined : !s.generatorPublished) as Tri,
  }));
  // Together (INT-23 'combined'): the shares of unpublished data from unpublished generators, certain and possible.
  let together: Tri = false;
  if (facts.length > 1) {
    let certain = ZERO;
    let possible = ZERO;
    for (const x of facts) {
      if (x.unpublishedData === false || x.unpublishedGenerator === false) continue;
      possible = possible.plus(x.s.shareOfOperations);
      if (x.unpublishedData && x.unpublishedGenerator) certain = certain.plus(x.s.shareOfOperations);
    }
    together = certain.gt(T4E091.syntheticShare) ? true : possible.gt(T4E091.syntheticShare) ? undefined : false;
  }
  const addition = (combined: boolean, notes: Missing[] | undefined): Interval => {
    let generation: Interval = point(ZERO);
    let certainTraining: Decimal | undefined;
    let possibleHi: Decimal | undefined = ZERO;
    for (const x of facts) {
      const counts: Tri = x.over ? x.unpublishedData : combined ? and(x.unpublishedData, together) : false;
      if (counts === false) continue;
      if (x.over) {
        if (x.unpublishedData === undefined) notes?.push({ path: `${x.p}.dataPublished`, why: 'unpublished synthetic data above 10 % of the operations adds its generator\'s operations (Technical Note 3)' });
        const gen: Interval = x.s.generationOperations !== undefined ? point(dec(x.s.generationOperations)) : UNBOUNDED;
        if (x.s.generationOperations === undefined) notes?.push({ path: `${x.p}.generationOperations`, why: 'the operations the generator used to make the data count toward 4E091 (Technical Note 3)' });
        generation = add(generation, counts ? gen : { lo: ZERO, hi: gen.hi });
      } else if (x.unpublishedData === undefined) {
        notes?.push({ path: `${x.p}.dataPublished`, why: 'unpublished synthetic data from several generators above 10 % of the operations together adds the largest generator\'s training operations (Technical Note 3, INT-23)' });
      }
      if (x.unpublishedGenerator === false) continue;
      if (x.unpublishedGenerator === undefined) notes?.push({ path: `${x.p}.generatorPublished`, why: 'an unpublished generator\'s own training operations count (Technical Note 3)' });
      const train: Interval = x.s.generatorTrainingOperations !== undefined ? point(dec(x.s.generatorTrainingOperations)) : UNBOUNDED;
      if (x.s.generatorTrainingOperations === undefined) notes?.push({ path: `${x.p}.generatorTrainingOperations`, why: 'an unpublished generator\'s training operations count (Technical Note 3)' });
      if (counts && x.unpublishedGenerator && train.hi !== undefined && (!certainTraining || train.lo.gt(certainTraining))) certainTraining = train.lo;
      possibleHi = possibleHi === undefined || train.hi === undefined ? undefined : Decimal.max(possibleHi, train.hi);
    }
    const training: Interval = { lo: certainTraining ?? ZERO, hi: possibleHi === undefined ? undefined : Decimal.max(possibleHi, certainTraining ?? ZERO) };
    return add(generation, training);
  };
  const sameInterval = (a: Interval, b: Interval) => a.lo.eq(b.lo) && (a.hi === undefined ? b.hi === undefined : b.hi !== undefined && a.hi.eq(b.hi));
  const combined = ctx.choose('INT-23', (r) => r === 'combined', (a, b) => a === b || sameInterval(addition(a, undefined), addition(b, undefined)));
  const added = addition(combined, missing);
  basis.push({
    rule: 'Synthetic data (Technical Note 3)', citation: CITE_4E091.tn3, result: `+${show(added)}`,
    detail: `Generation operations of each generator whose unpublished data exceeds 10 % of the operations, plus the training operations of the largest unpublished generator, counted once (INT-23: the 10 % ${combined ? 'over all unpublished generators together' : 'per generator'}).`,
  });
  return added;
}

/**
 * Note 2's number: given, or bounded by the largest published model in the register and a
 * published source model the transaction names (INT-29 register_bounds: the largest published
 * model known stands for the most capable one). Under not_bounded neither bounds it: a published
 * source model is a published model, not shown to be the most capable (red team, 2026-12-06).
 */
function note2Bound(w: TrainingSpec, ctx: Ctx, r29: string = ctx.reading('INT-29')): { n2: Interval; why: string } {
  if (w.note2Operations !== undefined) return { n2: point(dec(w.note2Operations)), why: 'as given (BIS guidance, AISI/DOE opinion or a classification)' };
  const largest = r29 === 'register_bounds' ? largestPublishedModel(ctx.asOf) : undefined;
  let hi = largest?.operations;
  let why = largest ? `at most ${formatExact(largest.operations)}, the training operations of ${largest.model.name} (published ${largest.model.published}; INT-29)` : r29 === 'register_bounds' ? 'no published model is registered' : 'not bounded by the published-model register (INT-29: not_bounded)';
  if (r29 === 'register_bounds' && w.derivedFrom?.published === true && w.derivedFrom.trainingOperations !== undefined) {
    const src = dec(w.derivedFrom.trainingOperations);
    if (!hi || src.gt(hi)) {
      hi = src;
      why = `at most ${formatExact(src)}, the training operations of the published source model`;
    }
  }
  return { n2: { lo: ZERO, hi }, why };
}

function note1Exclusion(w: TrainingSpec, ctx: Ctx, path: string, basis: Step[], synthetic: Interval | undefined): Finding {
  const d = w.derivedFrom;
  if (!d) return known(false);
  if (d.published === false) return known(false);
  const additional: Interval | undefined =
    w.additionalOperations !== undefined
      ? point(dec(w.additionalOperations))
      : w.trainingOperations !== undefined && d.trainingOperations !== undefined
        ? point(dec(w.trainingOperations).minus(d.trainingOperations))
        : undefined;
  const missing: Missing[] = [];
  if (d.published === undefined) missing.push({ path: `${path}.derivedFrom.published`, why: 'a model derived from published weights with little additional training is not controlled (4E091 Note 1)' });
  if (!additional) missing.push({ path: `${path}.additionalOperations`, why: 'the additional training operations decide Note 1 to 4E091' });
  // INT-28: Technical Note 3's operations (synthetic data from unpublished generators) count
  // toward the additional training, or distillation would escape 4E091 through Note 1.
  const extraUnder = (r28: string): Interval => {
    const base = additional ?? UNBOUNDED;
    return r28 === 'count' && synthetic ? add(base, synthetic) : base;
  };
  const threshold = (r1: string, r2: string, r29: string = ctx.reading('INT-29')): Interval => {
    const abs = T4E091.note1Absolute(r1);
    const base: Interval = r2 === 'note2' ? note2Bound(w, ctx, r29).n2 : d.trainingOperations !== undefined ? point(dec(d.trainingOperations)) : UNBOUNDED;
    const frac = (x: Decimal | undefined) => (x === undefined ? undefined : Decimal.max(abs, T4E091.note1Fraction.times(x)));
    return { lo: frac(base.lo)!, hi: frac(base.hi) };
  };
  // Excluded iff additional ≤ threshold ("more than … whichever is higher" controls).
  const excluded = (r1: string, r2: string, r28: string = ctx.reading('INT-28'), r29: string = ctx.reading('INT-29')): Tri => {
    const t = threshold(r1, r2, r29);
    const extra = extraUnder(r28);
    if (extra.hi !== undefined && extra.hi.lte(t.lo)) return true;
    if (t.hi !== undefined && extra.lo.gt(t.hi)) return false;
    return undefined;
  };
  const r2 = ctx.reading('INT-2');
  ctx.choose('INT-1', (r1) => excluded(r1, r2));
  if (synthetic) ctx.choose('INT-28', (r) => excluded(ctx.reading('INT-1'), r2, r));
  if (r2 === 'note2') ctx.choose('INT-29', (r) => excluded(ctx.reading('INT-1'), r2, ctx.reading('INT-28'), r));
  const value0 = ctx.choose('INT-2', (r) => excluded(ctx.reading('INT-1'), r));
  const extra = extraUnder(ctx.reading('INT-28'));
  const value: Tri = d.published === undefined ? (value0 === false ? false : undefined) : value0;
  const t = threshold(ctx.reading('INT-1'), r2);
  if (value === undefined && d.published !== undefined && additional) {
    missing.push({ path: `${path}.note2Operations`, why: 'Note 1\'s 25 % is of the operations defined in Note 2 (INT-2); BIS has not published that number' });
  }
  if (ctx.explainOn) basis.push({
    rule: 'Derived from published weights',
    citation: CITE_4E091.note1,
    result: value === undefined ? 'unknown' : value ? 'not controlled (Note 1)' : 'Note 1 does not exclude it',
    detail: `Additional operations ${show(extra)}${synthetic ? ` (${ctx.reading('INT-28') === 'count' ? 'including' : 'excluding'} Technical Note 3's synthetic-data operations, INT-28)` : ''} against max(${P.eccn4E091.note1AbsoluteOperations.readings[ctx.reading('INT-1')]} (INT-1), 25 % of ${r2 === 'note2' ? 'the Note 2 operations' : 'the source model\'s operations'} (INT-2)) = ${show(t)}.`,
  });
  return { value, missing: value === undefined ? missing : (NONE as Missing[]) };
}

function note2Exclusion(w: TrainingSpec, ops: Interval, ctx: Ctx, path: string, basis: Step[]): Finding {
  if (w.note2Excluded !== undefined) {
    if (ctx.explainOn) basis.push({ rule: 'Less capable than the published frontier', citation: CITE_4E091.note2, result: w.note2Excluded ? 'not controlled (Note 2)' : 'Note 2 does not exclude it', detail: 'As determined under Note 2.a (self-classification on BIS guidance or AISI/DOE opinion, or a classification request).' });
    return known(w.note2Excluded);
  }
  // Excluded iff operations < N2.
  const excludedUnder = (r29: string): Tri => {
    const { n2 } = note2Bound(w, ctx, r29);
    // Moot when N2 cannot exceed the heading's 10^26: what Note 2 would exclude, the heading never captured.
    if (n2.hi !== undefined && n2.hi.lte(T4E091.operations)) return false;
    if (n2.hi !== undefined && ops.lo.gte(n2.hi)) return false;
    if (isPoint(n2) && ops.hi !== undefined && ops.hi.lt(n2.lo)) return true;
    return undefined;
  };
  const value = ctx.choose('INT-29', excludedUnder);
  const { why } = note2Bound(w, ctx);
  if (ctx.explainOn) basis.push({
    rule: 'Less capable than the published frontier',
    citation: CITE_4E091.note2,
    result: value === undefined ? 'unknown' : value ? 'not controlled (Note 2)' : 'Note 2 does not exclude it',
    detail: `Note 2's number of operations: ${why}; counted operations ${show(ops)}.`,
  });
  return {
    value,
    missing: value === undefined ? [{ path: `${path}.note2Excluded`, why: 'the model was trained with fewer operations than a published model; Note 2 excludes it if it is less capable than the most capable published model (self-classify under Note 2.a or ask BIS under 748.3(f))' }] : (NONE as Missing[]),
  };
}

export function intervalOps(i: Interval): string | undefined {
  return isPoint(i) ? formatExact(i.lo) : undefined;
}
