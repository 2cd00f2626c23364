/**
 * 91 FR 1684 (FR Doc 2026-00789), from 2026-01-15, in both regimes: case-by-case review, in place
 * of the presumption of denial, for exports from the United States to end users located in China
 * or Macau of advanced computing commodities with TPP < 21,000 and total DRAM bandwidth
 * < 6,500 GB/s (thresholds in data/regimes/provisions.json), commercially available in the U.S. on
 * 2026-01-15, when the exporter certifies the Supp. No. 2 to part 748 para. (dd) conditions
 * (facts.review1684, each three-valued). The license requirement itself is unchanged. Still
 * presumption of denial: reexports and transfers, items over a threshold, a failed condition, and
 * entities headquartered (or whose ultimate parent is) in Macau/D:5 located elsewhere. The
 * amended CFR sub-paragraph was not read (cited as 742.6(b)(10) [sub-paragraph unknown]).
 */
import type { Step } from '../../contract/determination.js';
import { dec, type Decimal } from '../../compute/exact.js';
import { chip } from '../../data/chips.js';
import { overlay } from '../../data/regimes.js';
import type { Ctx } from '../../engine/context.js';
import { partiesOf, type TxFacts } from '../../engine/facts.js';
import { and, NONE, type Missing, type Tri } from '../../engine/logic.js';
import { advancedClass } from '../eccn-lists.js';
import { describe } from '../headquarters.js';
import { overlayApplied, overlayOn } from '../provision.js';
import { policyOf, type Policy } from './policy.js';

const ID = '91-fr-1684';
const O = overlay(ID);
const T = O.thresholds!;
const TPP_BELOW = dec(T.tppBelow);
const DRAM_BELOW = dec(T.dramBandwidthGBsBelow);
const PLACES: ReadonlySet<string> = new Set(T.destinations);

interface Condition { id: string; value: Tri; missing: Missing[]; detail: string }

type Ic = { model?: string; tpp?: number | string; tops?: number; bitLength?: number; dramBandwidthGBs?: number; count?: number };

type Figures = { tpp?: Decimal; dram?: Decimal; count: number };

/** A catalog model's DRAM bandwidth as a Decimal (the catalog is fixed): converted once per model. */
const catalogDram = new Map<string, Decimal | undefined>();
function dramOf(model: string): Decimal | undefined {
  if (catalogDram.has(model)) return catalogDram.get(model);
  const gbs = chip(model).dramBandwidthGBs;
  const dram = gbs !== undefined ? dec(gbs) : undefined;
  catalogDram.set(model, dram);
  return dram;
}

/** Per-IC TPP and DRAM bandwidth (undefined when not known), and how many of the IC. */
function icFigures(ic: Ic): Figures {
  const count = ic.count ?? 1;
  if (ic.model !== undefined) return { tpp: chip(ic.model).tpp, dram: dramOf(ic.model), count };
  const tpp = ic.tpp !== undefined ? dec(ic.tpp) : ic.tops !== undefined && ic.bitLength !== undefined ? dec(ic.tops).times(ic.bitLength) : undefined;
  return { tpp, dram: ic.dramBandwidthGBs !== undefined ? dec(ic.dramBandwidthGBs) : undefined, count };
}

/** C1: under both thresholds, per IC or per commodity (INT-51). */
function underThresholds(f: TxFacts, ctx: Ctx): Condition {
  const item = f.item as { type: string; ics?: Ic[] } & Ic;
  const ics: Ic[] = item.type === 'ic' ? [item] : item.type === 'computer' ? item.ics ?? [] : [];
  const figures = ics.map(icFigures);
  const known = figures.length > 0 && figures.every((x) => x.tpp !== undefined && x.dram !== undefined);
  const perIc = (): Tri => (known ? figures.every((x) => x.tpp!.lt(TPP_BELOW) && x.dram!.lt(DRAM_BELOW)) : undefined);
  const perCommodity = (): Tri => {
    if (!known) return undefined;
    const tpp = figures.reduce((s, x) => s.plus(x.tpp!.times(x.count)), dec(0));
    const dram = figures.reduce((s, x) => s.plus(x.dram!.times(x.count)), dec(0));
    return tpp.lt(TPP_BELOW) && dram.lt(DRAM_BELOW);
  };
  const value = item.type === 'computer' ? ctx.choose('INT-51', (r) => (r === 'per_ic' ? perIc() : perCommodity())) : perIc();
  if (item.type === 'computer') ctx.warn(`91 FR 1684 thresholds for a computer are measured ${ctx.reading('INT-51') === 'per_ic' ? 'per IC' : 'per commodity'} (INT-51): the rule's measurement for systems was not read.`);
  const missing: Missing[] = value !== undefined ? (NONE as Missing[])
    : ics.length === 0 ? [{ path: 'item', why: '91 FR 1684 applies only below TPP 21,000 and total DRAM bandwidth 6,500 GB/s: give the IC (model or specs)' }]
      : [{ path: item.type === 'computer' ? 'item.ics.dramBandwidthGBs' : 'item.dramBandwidthGBs', why: '91 FR 1684 applies only below total DRAM bandwidth 6,500 GB/s per IC' }];
  // Details are shown in the explanation only: a lean evaluation builds none of them.
  return { id: 'below-thresholds', value, missing, detail: ctx.explainOn ? `TPP < ${T.tppBelow} and total DRAM bandwidth < ${T.dramBandwidthGBsBelow} GB/s: ${value ?? 'unknown'}` : '' };
}

const FACTS: [keyof NonNullable<NonNullable<TxFacts['facts']>['review1684']>, string][] = [
  ['commerciallyAvailableInUs', `commercially available in the United States on ${T.commerciallyAvailableOn}`],
  ['usSupplySufficient', 'certification: sufficient U.S. supply, no diversion of foundry capacity'],
  ['shipmentsWithinHalfOfUs', 'certification: shipments to China/Macau at most 50 % of U.S. shipments'],
  ['recipientSecurityKyc', 'certification: recipient security procedures and KYC against remote access'],
  ['thirdPartyTestedInUs', 'certification: independent third-party testing in the United States'],
];

export function china1684(f: TxFacts, eccn: string | null, via744: boolean, base: Policy, ctx: Ctx): Policy {
  if (base.policy !== 'presumption_of_denial' || !overlayOn(ID, ctx)) return base;
  const kind = advancedClass(eccn);
  if (kind !== 'a' && kind !== 'b') return base;
  const located = f.endUser.location;
  if (!located || !PLACES.has(located.code)) return base;
  const step = (result: string, detail: string): Step => ({ rule: 'China/Macau review policy (91 FR 1684)', citation: O.citation, result, detail });
  const keep = (why: string): Policy => {
    overlayApplied(ID, ctx);
    return ctx.explainOn ? policyOf(base.policy, base.missing, [...base.steps, step('presumption of denial kept', why)], base.citation, base.allocation) : base;
  };
  if (kind === 'b' && ctx.choose('INT-52', (r) => r === 'a_items_only')) return keep('91 FR 1684 is read as covering only .a items (INT-52).');
  if (via744) return keep('The license arises from a Macau/D:5 headquarters located outside China and Macau: 91 FR 1684 keeps the presumption of denial.');
  if (f.activity !== 'export' || !f.from?.us) return keep(`91 FR 1684 covers exports from the United States only; ${f.activity === 'transfer' ? 'a transfer (in-country)' : `a ${f.activity} from ${describe(f.from)}`} keeps the presumption of denial.`);
  // Parties headquartered in Macau/D:5 outside China and Macau keep the denial.
  const hqElsewhere = partiesOf(f).map((p): Condition => {
    const outside = (c: typeof p.hq) => (c === undefined ? undefined : c.macauOrD5 && !PLACES.has(c.code));
    const v = and(outside(p.hq) === false ? true : outside(p.hq) === true ? false : undefined, outside(p.uph) === false ? true : outside(p.uph) === true ? false : undefined);
    const missing: Missing[] = v !== undefined ? (NONE as Missing[]) : [
      ...(p.hq === undefined ? [{ path: `${p.path}.headquarters`, why: '91 FR 1684 keeps the presumption of denial for entities headquartered in Macau/D:5 outside China and Macau' }] : []),
      ...(p.uph === undefined ? [{ path: `${p.path}.ultimateParentHeadquarters`, why: '91 FR 1684 keeps the presumption of denial for entities whose ultimate parent is headquartered in Macau/D:5 outside China and Macau' }] : []),
    ];
    return { id: `${p.path}-not-headquartered-in-d5-elsewhere`, value: v, missing, detail: ctx.explainOn ? `${p.path}: not headquartered in Macau/D:5 outside China and Macau: ${v ?? 'unknown'}` : '' };
  });
  const certs = FACTS.map(([k, label]): Condition => {
    const v = f.facts.review1684?.[k];
    return { id: k, value: v, missing: v === undefined ? [{ path: `facts.review1684.${k}`, why: `91 FR 1684 case-by-case review requires: ${label}` }] : (NONE as Missing[]), detail: ctx.explainOn ? `${label}: ${v ?? 'unknown'}` : '' };
  });
  const conditions = [underThresholds(f, ctx), ...hqElsewhere, ...certs];
  const all = and(...conditions.map((c) => c.value));
  overlayApplied(ID, ctx);
  const detail = () => `Export from the United States to ${describe(located)}. ${conditions.map((c) => c.detail).join('; ')}.`;
  const requirements = (): Step => ({ rule: 'License application requirements (91 FR 1684)', citation: 'Supp. No. 2 to part 748, para. (dd)', result: 'to include in the application', detail: O.applicationRequirements!.join(' ') });
  if (all === false) {
    // The reason is a step of the explanation: not built for a lean evaluation.
    if (!ctx.explainOn) return keep('');
    const failed = conditions.filter((c) => c.value === false).map((c) => c.id).join(', ');
    return keep(`Not every condition holds (${failed}). ${detail()}`);
  }
  const steps = ctx.explainOn ? [...base.steps, step(all ? 'case by case' : 'unknown', detail()), requirements()] : base.steps;
  if (all === true) return policyOf('case_by_case', [], steps, O.citation);
  return policyOf(null, conditions.flatMap((c) => (c.value === undefined ? c.missing : [])), steps, O.citation);
}
