/**
 * ECCN 3A090.a and .b (15 CFR part 774, Supp. 1), with Note 1 and the Technical Notes.
 *
 * .a: TPP of 4800 or more, or TPP of 1600 or more with performance density of 5.92 or more.
 * .b: TPP 2400 to below 4800 with PD 1.6 to below 5.92, or TPP 1600 or more with PD 3.2 to below 5.92.
 * Note 1: neither applies to an IC not designed or marketed for datacenters whose TPP is below 4800.
 * Comparisons are exact: "PD ≥ 5.92" is tested as TPP ≥ 5.92 × area, with no division.
 */
import type { Step } from '../../contract/determination.js';
import { Decimal, dec, formatExact, roundForDisplay } from '../../compute/exact.js';
import { T3A090, P } from '../../data/parameters.js';
import type { Missing } from '../../engine/logic.js';

export type Paragraph = 'a' | 'b' | null;

export interface IcSpec {
  tpp: Decimal;
  /** Applicable die area in mm² (Technical Note 4), when known. */
  area?: Decimal;
  /** Performance density given directly (already-classified items). */
  pd?: Decimal;
  datacenter?: boolean;
  /** Path of the fields to supply when a fact is missing, e.g. "item" or "item.ics[1]". */
  path: string;
  label: string;
}

export interface IcClassification {
  candidates: Paragraph[];
  pd?: Decimal;
  missing: Missing[];
  basis: Step[];
}

const C = {
  a1: P.eccn3A090.a1.citation,
  a2: P.eccn3A090.a2.citation,
  b1: P.eccn3A090.b1.citation,
  b2: P.eccn3A090.b2.citation,
  note1: P.eccn3A090.note1.citation,
  tn: 'ECCN 3A090, Technical Notes 1-4',
};

/** PD ≥ x, exactly. */
function pdAtLeast(spec: IcSpec, pd: Decimal | undefined, x: Decimal): boolean {
  if (pd !== undefined && spec.area === undefined) return pd.gte(x);
  if (spec.area !== undefined) return spec.tpp.gte(x.times(spec.area));
  return pd!.gte(x);
}

/** The paragraph an IC falls in when every fact is known. */
export function paragraphFor(spec: IcSpec, pd: Decimal | undefined, datacenter: boolean): Paragraph {
  const t = spec.tpp;
  if (!datacenter && t.lt(T3A090.note1TppBelow)) return null;
  if (t.gte(T3A090.a1Tpp)) return 'a';
  const pdGte = (x: Decimal) => pdAtLeast(spec, pd, x);
  if (t.gte(T3A090.a2Tpp) && pdGte(T3A090.a2Pd)) return 'a';
  const b1 = t.gte(T3A090.b1Tpp) && t.lt(T3A090.b1TppBelow) && pdGte(T3A090.b1Pd) && !pdGte(T3A090.b1PdBelow);
  const b2 = t.gte(T3A090.b2Tpp) && pdGte(T3A090.b2Pd) && !pdGte(T3A090.b2PdBelow);
  return b1 || b2 ? 'b' : null;
}

/** One representative density from each band the thresholds cut (for unknown die areas). */
const PD_BANDS = [T3A090.a2Pd, T3A090.b2Pd, T3A090.b1Pd, new Decimal(0)];

export function classifyIc(spec: IcSpec): IcClassification {
  const knownPd = spec.pd ?? (spec.area ? spec.tpp.div(spec.area) : undefined);
  const pdOptions: (Decimal | undefined)[] = knownPd !== undefined ? [knownPd] : PD_BANDS;
  const dcOptions = spec.datacenter === undefined ? [true, false] : [spec.datacenter];
  const bySpec = (pd: Decimal | undefined, dc: boolean) =>
    paragraphFor(knownPd !== undefined ? spec : { ...spec, pd, area: undefined }, pd, dc);

  const candidates = new Set<Paragraph>();
  for (const pd of pdOptions) for (const dc of dcOptions) candidates.add(bySpec(pd, dc));

  const missing: Missing[] = [];
  if (candidates.size > 1) {
    // Which unknown fact decides it: vary one while holding the other.
    const pdMatters = knownPd === undefined && dcOptions.some((dc) => new Set(pdOptions.map((pd) => bySpec(pd, dc))).size > 1);
    const dcMatters = spec.datacenter === undefined && pdOptions.some((pd) => bySpec(pd, true) !== bySpec(pd, false));
    if (pdMatters) missing.push({ path: `${spec.path}.dieAreaMm2`, why: `performance density (TPP ÷ applicable die area) decides the 3A090 paragraph of ${spec.label}` });
    if (dcMatters) missing.push({ path: `${spec.path}.datacenter`, why: `whether ${spec.label} is designed or marketed for datacenters decides Note 1 to 3A090 (INT-13)` });
  }
  return { candidates: [...candidates], pd: knownPd, missing, basis: basisFor(spec, knownPd, [...candidates]) };
}

function basisFor(spec: IcSpec, pd: Decimal | undefined, candidates: Paragraph[]): Step[] {
  const steps: Step[] = [];
  const tppText = formatExact(spec.tpp);
  steps.push({
    rule: 'Total processing performance',
    citation: C.tn,
    result: `TPP ${tppText}`,
    detail: `${spec.label}: TPP = 2 × MacTOPS × bit length, the highest over its precisions, dense rates.`,
  });
  steps.push(
    pd !== undefined
      ? { rule: 'Performance density', citation: C.tn, result: `PD ${displayPd(pd)}`, detail: spec.area ? `TPP ${tppText} ÷ applicable die area ${formatExact(spec.area)} mm².` : 'Performance density as given.' }
      : { rule: 'Performance density', citation: C.tn, result: 'unknown', detail: 'No applicable die area was given.' },
  );
  const dc = spec.datacenter === undefined ? 'unknown' : spec.datacenter ? 'yes' : 'no';
  steps.push({ rule: 'Designed or marketed for datacenters', citation: C.note1, result: dc });
  const names = candidates.map((c) => (c === null ? 'not 3A090.a/.b' : `3A090.${c}`));
  const only: Paragraph | undefined = candidates.length === 1 ? candidates[0]! : undefined;
  const cite = only === 'a' ? (spec.tpp.gte(T3A090.a1Tpp) ? C.a1 : C.a2) : only === 'b' ? `${C.b1}; ${C.b2}` : `${C.a1}; ${C.b1}; ${C.note1}`;
  steps.push({
    rule: 'ECCN 3A090 paragraph',
    citation: cite,
    result: names.join(' or '),
    detail: explainParagraph(spec, only),
  });
  return steps;
}

function explainParagraph(spec: IcSpec, only: Paragraph | undefined): string {
  if (only === undefined) return 'The paragraph depends on facts that were not given; every possibility is evaluated and only what they agree on is reported.';
  const t = formatExact;
  if (only === 'a') return spec.tpp.gte(T3A090.a1Tpp) ? `TPP is ${t(T3A090.a1Tpp)} or more (3A090.a.1).` : `TPP is ${t(T3A090.a2Tpp)} or more and PD is ${t(T3A090.a2Pd)} or more (3A090.a.2).`;
  if (only === 'b') return 'TPP and PD fall within 3A090.b.1 or b.2.';
  if (spec.datacenter === false && spec.tpp.lt(T3A090.note1TppBelow)) return `Not designed or marketed for datacenters and TPP below ${t(T3A090.note1TppBelow)}: Note 1 excludes it from 3A090.a and .b.`;
  return 'Below the 3A090.a and .b parameters.';
}

const PD_THRESHOLDS = [T3A090.a2Pd, T3A090.b1Pd, T3A090.b1PdBelow, T3A090.b2Pd, T3A090.b2PdBelow];

/**
 * PD rounded for people (two decimals, like datasheets), but never onto the other side of a
 * threshold: 5.9199 shows as 5.91, not 5.92, next to a 3A090.b that 5.92 would contradict.
 */
export function displayPd(pd: Decimal): number {
  const shown = roundForDisplay(pd);
  const crosses = PD_THRESHOLDS.some((t) => pd.lt(t) !== dec(shown).lt(t));
  return crosses ? pd.toDecimalPlaces(2, Decimal.ROUND_DOWN).toNumber() : shown;
}
