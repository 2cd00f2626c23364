/**
 * License review policy, 15 CFR 742.6(b) as revised:
 * - (b)(10)(iii) for (a)(6)(iii)(A) items: (A)(1) Macau/D:5 destinations or entities headquartered
 *   (or with an ultimate parent) there: presumption of denial; (A)(2) Supp. 5(a) destinations or
 *   entities headquartered there: presumption of approval; (B) everything else: approval up to a
 *   790,000,000 TPP country allocation for 2025-2027, denial beyond it; (C) Supp. 5(b)
 *   destinations: allocation raised by up to 100 %.
 * - (b)(10)(iv) for (a)(6)(iii)(B) items: denial for Macau/D:5 and their entities, else approval.
 * - (b)(10)(ii) for 3A090.c (89 FR 96790, left in place by this rule): approval to or within Macau
 *   or D:5 for an entity not headquartered (nor with an ultimate parent) there; denial otherwise.
 * - (b)(14) for 4E091: denial for end users headquartered (or with an ultimate parent) outside
 *   Supp. 5(a) (INT-4 and INT-17 decide the rest).
 */
import type { ReviewPolicy, Step } from '../../contract/determination.js';
import { dec, formatExact, type Decimal } from '../../compute/exact.js';
import { ALLOCATION } from '../../data/parameters.js';
import type { CountryFacts } from '../../data/country-groups.js';
import { NO_STEPS, type Ctx } from '../../engine/context.js';
import { partiesOf, type TxFacts } from '../../engine/facts.js';
import { anyOf, mergeMissing, type Finding, type Tri } from '../../engine/logic.js';
import { advancedClass } from '../eccn-lists.js';
import { describe, describeHq, hqOrParentIn, hqOrParentOutside, inMacauOrD5, inSupp5a } from '../headquarters.js';
import { describePlaces, placeWhere, reaches, reachesMacauOrD5, reachesOnly } from '../../engine/places.js';
import { review744 } from '../part744/review-744-23-d.js';
import { texts } from '../provision.js';
import { policy2023, policy2024, policyAsEnforced, type PolicyText } from './review-policy-pre-rule.js';
import { china1684 } from './china-review-91-fr-1684.js';
import { policyOf, type Allocation, type Policy } from './policy.js';

export const CITE_742_6_B = {
  a1: '15 CFR 742.6(b)(10)(iii)(A)(1)',
  a2: '15 CFR 742.6(b)(10)(iii)(A)(2)',
  b1: '15 CFR 742.6(b)(10)(iii)(B)(1)',
  b2: '15 CFR 742.6(b)(10)(iii)(B)(2)',
  c: '15 CFR 742.6(b)(10)(iii)(C)',
  ivA: '15 CFR 742.6(b)(10)(iv)(A)',
  ivB: '15 CFR 742.6(b)(10)(iv)(B)',
  b14: '15 CFR 742.6(b)(14)',
  hbm: '15 CFR 742.6(b)(10)(ii)',
};

const tier2: (c: CountryFacts) => boolean = (c) => !c.supp5a && !c.supp5b && !c.macauOrD5;
const tier2OrSupp5b: (c: CountryFacts) => boolean = (c) => tier2(c) || c.supp5b;

/** 90 FR 4544's text (b)(10)(iii)-(iv), as the other versions' fallback under INT-48. */
const codifiedText: PolicyText = (_f, _kind, _dc, _ctx, codified) => codified();

const policyText = texts<PolicyText>('742.6(b)(10)', {
  '2023-11-17': policy2023,
  '2024-12-02': policy2024,
  '2025-01-13': codifiedText,
  '2025-05-15': policyAsEnforced,
});

/**
 * The review policy of the version in force (742.6(b)(10) or, for a 744.23 license, 744.23(d)),
 * then 91 FR 1684's case-by-case review for qualifying exports from the U.S. to China/Macau.
 * `datacenter` is the item's datacenter flag (the pre-rule carve-outs turn on it).
 */
export function reviewPolicy(f: TxFacts, eccn: string | null, aggregate: Decimal | undefined, viaHeadquarters744: boolean, ctx: Ctx, datacenter?: Tri): Policy {
  return china1684(f, eccn, viaHeadquarters744, basePolicy(f, eccn, aggregate, viaHeadquarters744, ctx, datacenter), ctx);
}

function basePolicy(f: TxFacts, eccn: string | null, aggregate: Decimal | undefined, viaHeadquarters744: boolean, ctx: Ctx, datacenter: Tri): Policy {
  if (viaHeadquarters744) return review744(f, eccn, datacenter, ctx);
  const kind = advancedClass(eccn);
  switch (kind) {
    case 'a':
    case 'b': {
      const codified = () => (kind === 'a' ? policyForA(f, aggregate, ctx) : policyForB(f, ctx));
      const text = policyText(ctx);
      return text ? text(f, kind, datacenter, ctx, codified) : codified();
    }
    case 'hbm':
      return policyForHbm(f, ctx);
    case 'weights':
      return policyForWeights(f, ctx);
    default:
      return policyOf(null, [], []);
  }
}

function partyTest(f: TxFacts, test: (c: CountryFacts) => boolean, place: string): Finding {
  return anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, test, place)));
}

/** Enumerate the unknowns of (A)(1), (A)(2), (B) and keep the policy only if every world agrees. */
function policyForA(f: TxFacts, aggregate: Decimal | undefined, ctx: Ctx): Policy {
  const to = f.to!;
  // Destinations: every place the items reach (INT-25); (A)(2) holds only when all are Supp. 5(a).
  const a1 = anyOf({ value: reachesMacauOrD5(f, ctx), missing: [] }, partyTest(f, inMacauOrD5, 'Macau or Country Group D:5'));
  const a2 = anyOf({ value: reachesOnly(f, ctx, inSupp5a), missing: [] }, partyTest(f, inSupp5a, 'a Supp. 5(a) destination'));
  const b = anyOf({ value: reaches(f, ctx, tier2OrSupp5b), missing: [] }, partyTest(f, tier2, 'a destination outside Supp. 5(a)/(b), Macau and D:5'));
  let allocation: ReturnType<typeof allocationFor> | undefined;
  const allocationNow = () => (allocation ??= allocationFor(f, aggregate, ctx));
  // (A)(1) and (A)(2) can both match (INT-21), as can (A)(2) and (B) (INT-14).
  const decide = (int14: string, int21: string, x1: boolean, x2: boolean, xb: boolean): ReviewPolicy => {
    if (x1 && (!x2 || int21 === 'denial')) return 'presumption_of_denial';
    if (x2 && (x1 || !xb || int14 === 'approval')) return 'presumption_of_approval';
    return allocationNow().over ? 'denial_over_allocation' : 'approval_within_allocation';
  };
  const worlds = (v: Tri) => (v === undefined ? [true, false] : [v]);
  const policyUnder = (int14: string, int21: string): ReviewPolicy | null => {
    if (a1.value !== undefined && a2.value !== undefined && b.value !== undefined) return decide(int14, int21, a1.value, a2.value, b.value);
    const seen = new Set<ReviewPolicy>();
    for (const x1 of worlds(a1.value)) for (const x2 of worlds(a2.value)) for (const xb of worlds(b.value)) seen.add(decide(int14, int21, x1, x2, xb));
    return seen.size === 1 ? [...seen][0]! : null;
  };
  ctx.choose('INT-21', (r) => policyUnder(ctx.reading('INT-14'), r));
  const policy = ctx.choose('INT-14', (r) => policyUnder(r, ctx.reading('INT-21')));
  if ((policy === 'approval_within_allocation' || policy === 'denial_over_allocation') && ctx.asOf > ALLOCATION.period.to) return afterAllocationPeriod(ctx);
  // A lean evaluation adds no step: it shares the frozen empty list.
  const steps: Step[] = ctx.explainOn ? [] : NO_STEPS;
  let citation: string | undefined;
  if (policy === 'presumption_of_denial') citation = CITE_742_6_B.a1;
  else if (policy === 'presumption_of_approval') citation = CITE_742_6_B.a2;
  else if (policy === 'approval_within_allocation') citation = to.supp5b ? `${CITE_742_6_B.b1}; ${CITE_742_6_B.c}` : CITE_742_6_B.b1;
  else if (policy === 'denial_over_allocation') citation = CITE_742_6_B.b2;
  if (ctx.explainOn) steps.push({ rule: 'Review policy for advanced ICs', citation: citation ?? `${CITE_742_6_B.a1}; ${CITE_742_6_B.a2}; ${CITE_742_6_B.b1}`, result: policy ? policy.replace(/_/g, ' ') : 'unknown', detail: `destinations ${describePlaces(f)}; ${partiesOf(f).map((p) => `${p.path} ${describeHq(p)}`).join('; ')}` });
  const drawsAllocation = policy === 'approval_within_allocation' || policy === 'denial_over_allocation';
  if (drawsAllocation) {
    ctx.rely('INT-9');
    if (policy === 'denial_over_allocation') ctx.rely('INT-11');
    if (ctx.explainOn) steps.push(allocationNow().step());
  }
  return policyOf(policy, policy === null ? mergeMissing([a1.missing, a2.missing, b.missing]) : [], steps, citation, drawsAllocation ? allocationNow().value : undefined);
}

/**
 * (B)(1) sets the 790,000,000 TPP allocation "for the period from 2025 to 2027" and no figure
 * after it (BIS will review allocations annually): for a later date the review policy under (B)
 * is undetermined, never assumed (the same answer as for NVEU Table 1 after 2027).
 */
function afterAllocationPeriod(ctx: Ctx): Policy {
  ctx.rely('INT-9');
  const why = `742.6(b)(10)(iii)(B)(1) sets the country allocation for the period from 2025 to 2027 and none for ${ctx.asOf.slice(0, 4)}: the review policy under (B) is undetermined (BIS reviews allocations annually); aidr does not assume one.`;
  ctx.warn(why);
  return policyOf(null, [], ctx.explainOn ? [{ rule: 'Country allocation', citation: CITE_742_6_B.b1, result: 'no allocation set for this date', detail: why }] : [], CITE_742_6_B.b1);
}

/** The Tier 2 allocation this application would draw on, and whether it would cross it (INT-11). */
/** (C): a Supp. 5(b) destination's allocation may be raised by up to 100 %. */
const SUPP5B_ALLOCATION = ALLOCATION.tpp.times(ALLOCATION.supp5bIncrease.plus(1));

function tier2HeadquartersOf(f: TxFacts): CountryFacts | undefined {
  for (const p of partiesOf(f)) {
    if (p.hq && tier2(p.hq)) return p.hq;
    if (p.uph && tier2(p.uph)) return p.uph;
  }
  return undefined;
}

function allocationFor(f: TxFacts, aggregate: Decimal | undefined, ctx: Ctx): { value: Allocation; over: boolean; step: () => Step } {
  const to = f.to!;
  const country = placeWhere(f, ctx, tier2OrSupp5b) ?? tier2HeadquartersOf(f) ?? to;
  const cap = country.supp5b ? SUPP5B_ALLOCATION : ALLOCATION.tpp;
  const given = ctx.ledger.countryLicensedTpp;
  const licensed = given === undefined ? undefined : dec(given);
  const remaining = licensed !== undefined ? cap.minus(licensed) : undefined;
  const over = remaining !== undefined && aggregate !== undefined ? aggregate.gt(remaining) : remaining !== undefined && remaining.lte(0);
  const detail = () => licensed === undefined
    ? `Allocation for ${describe(country)}: ${formatExact(cap)} TPP (2025-2027). aidr has no figure for the TPP already licensed there; record it in the ledger or check BIS's published status (www.bis.gov/advanced-compute-resources).`
    : `Allocation for ${describe(country)}: ${formatExact(cap)} TPP; licensed so far ${formatExact(licensed)}; remaining ${formatExact(remaining!)}; this application ${aggregate ? formatExact(aggregate) : 'unknown'} TPP.${over ? ' It would cross the allocation (INT-11): size a partial order to the remaining allocation.' : ''}`;
  return {
    value: { country: country.code, cap, licensedTpp: licensed, remaining, draws: true },
    over,
    step: () => ({ rule: 'Country allocation', citation: over ? CITE_742_6_B.b2 : CITE_742_6_B.b1, result: over ? 'over the allocation' : licensed === undefined ? 'usage unknown' : 'within the allocation', detail: detail() }),
  };
}

function policyForB(f: TxFacts, ctx: Ctx): Policy {
  const destination: Tri = reachesMacauOrD5(f, ctx);
  const entity = partyTest(f, inMacauOrD5, 'Macau or Country Group D:5');
  // (iv)(B) denies to or within Macau/D:5 or to a Macau/D:5-headquartered entity; (iv)(A) approves
  // outside Macau/D:5 or to an entity not headquartered there: both match a U.S. company's site in
  // China or a Chinese company's site in Germany (INT-58 decides).
  const decide = (int58: string, toD5: boolean, d5Entity: boolean): ReviewPolicy => {
    const denial = toD5 || d5Entity;
    const approval = !toD5 || !d5Entity;
    return denial && (!approval || int58 === 'denial') ? 'presumption_of_denial' : 'presumption_of_approval';
  };
  const worlds = (v: Tri) => (v === undefined ? [true, false] : [v]);
  const policyUnder = (int58: string): ReviewPolicy | null => {
    const seen = new Set<ReviewPolicy>();
    for (const toD5 of worlds(destination)) for (const d5Entity of worlds(entity.value)) seen.add(decide(int58, toD5, d5Entity));
    return seen.size === 1 ? [...seen][0]! : null;
  };
  const policy = ctx.choose('INT-58', policyUnder);
  const citation = policy === null ? undefined : policy === 'presumption_of_denial' ? CITE_742_6_B.ivB : CITE_742_6_B.ivA;
  // The steps are shown in the explanation only: a lean evaluation does not build them.
  const steps = ctx.explainOn ? [{ rule: 'Review policy for .b items', citation: citation ?? `${CITE_742_6_B.ivA}; ${CITE_742_6_B.ivB}`, result: policyWords(policy), detail: `destinations ${describePlaces(f)}; ${partiesOf(f).map((p) => `${p.path} ${describeHq(p)}`).join('; ')}` }] : NO_STEPS;
  return policyOf(policy, policy === null ? entity.missing : [], steps, citation);
}

function policyForHbm(f: TxFacts, ctx: Ctx): Policy {
  const entity = partyTest(f, inMacauOrD5, 'Macau or Country Group D:5');
  const policy: ReviewPolicy | null = entity.value === undefined ? null : entity.value ? 'presumption_of_denial' : 'presumption_of_approval';
  if (!ctx.explainOn) return policyOf(policy, policy === null ? entity.missing : [], NO_STEPS, CITE_742_6_B.hbm);
  const detail = entity.value === undefined
    ? 'Whether a party is headquartered (or has its ultimate parent) in Macau or D:5 is unknown: approval to or within Macau or D:5 for an entity that is not, denial otherwise.'
    : entity.value ? 'A party is headquartered (or has its ultimate parent) in Macau or D:5: presumption of denial.' : `To or within ${describePlaces(f)} for entities not headquartered in Macau or D:5: presumption of approval.`;
  return policyOf(policy, policy === null ? entity.missing : [], [{ rule: 'Review policy for 3A090.c', citation: CITE_742_6_B.hbm, result: policyWords(policy), detail }], CITE_742_6_B.hbm);
}

const WEIGHTS_APPROVAL_CITATION = `${CITE_742_6_B.b14} (preamble: approval for Supp. 5(a) destinations)`;

/** A policy as the explanation words it ('presumption_of_denial' → 'presumption of denial'). */
function policyWords(policy: ReviewPolicy | null): string {
  return policy ? policy.replace(/_/g, ' ') : 'unknown';
}

function policyForWeights(f: TxFacts, ctx: Ctx): Policy {
  const user = f.endUser;
  const outside = hqOrParentOutside(user, inSupp5a, 'Supp. 5(a) destinations');
  const deemed = f.activity === 'deemed_export' || f.activity === 'deemed_reexport';
  const location = deemed ? f.to : user.location;
  let policy: ReviewPolicy | null;
  let citation = CITE_742_6_B.b14;
  let decidedBy = '';
  if (outside.value === true) policy = 'presumption_of_denial';
  else if (outside.value === undefined) policy = null;
  else if (location?.supp5a) policy = 'presumption_of_approval';
  else if (location?.macauOrD5) {
    policy = ctx.choose('INT-4', (r) => (r === 'denial' ? 'presumption_of_denial' : 'presumption_of_approval'));
    decidedBy = ' (INT-4)';
  } else {
    policy = ctx.choose('INT-17', (r) => (r === 'denial' ? 'presumption_of_denial' : 'presumption_of_approval'));
    decidedBy = ' (INT-17)';
  }
  if (policy === 'presumption_of_approval' && location?.supp5a) citation = WEIGHTS_APPROVAL_CITATION;
  const steps = ctx.explainOn ? [{ rule: 'Review policy for model weights', citation, result: policyWords(policy), detail: `end user ${describeHq(user)}; located in ${describe(location)}${decidedBy}` }] : NO_STEPS;
  return policyOf(policy, policy === null ? outside.missing : [], steps, citation);
}

