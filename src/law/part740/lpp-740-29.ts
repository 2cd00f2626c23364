/**
 * License Exception LPP, 15 CFR 740.29: exports and reexports (not transfers) of .a-level
 * commodities directly to a single ultimate consignee, up to 26,900,000 cumulative TPP per calendar
 * year from all exporters (d); not to Macau/D:5 nor to consignees headquartered there (c); not for
 * part 744 end uses (e). Consignee statement (f); copy to BIS within 30 days (g)(1); notice before
 * any shipment of 3,200,000 TPP (g)(3, INT-8); consignee notice when the cap is exhausted (g)(2, INT-20).
 * The ultimate consignee is the ultimate parent entity (h)(1, INT-7).
 */
import type { Obligation } from '../../contract/determination.js';
import { Decimal, dec, formatExact, ZERO } from '../../compute/exact.js';
import { LPP } from '../../data/parameters.js';
import { anyOf, negate, NONE, type Missing } from '../../engine/logic.js';
import { describe } from '../headquarters.js';
import { reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';
import { activityRule, part746Rule, anyPartyMacauD5, cond, Conditions, ultimateConsigneeNotMacauD5, itemRule, noDestinationMacauD5, part744Rule, records, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = {
  a: '15 CFR 740.29(a)', c1: '15 CFR 740.29(c)(1)', c2: '15 CFR 740.29(c)(2)', d: '15 CFR 740.29(d)', e: '15 CFR 740.29(e)',
  f: '15 CFR 740.29(f)', g1: '15 CFR 740.29(g)(1)', g2: '15 CFR 740.29(g)(2)', g3: '15 CFR 740.29(g)(3)', h1: '15 CFR 740.29(h)(1)',
  restr: '15 CFR 740.2(a)(9)(ii)', rec: '15 CFR 762.2(b)(60)',
};

const lppActivity = activityRule('LPP', ['export', 'reexport'], C.a);
const lppItem = itemRule('LPP', 'lpp');
const lppPart746 = part746Rule('LPP');
const lppPart744 = part744Rule(C.e);

/** TPP the ultimate consignee already received under LPP this calendar year (INT-7 picks whose). */
export function lppUsed(x: ExceptionInput): Decimal {
  const view = x.ctx.ledger;
  const byReading = view.lppUsedTppByReading;
  if (byReading) {
    return x.ctx.choose('INT-7', (r) => dec(byReading[r] ?? view.lppUsedTpp ?? 0), (a, b) => a.eq(b));
  }
  return view.lppUsedTpp === undefined ? ZERO : dec(view.lppUsedTpp);
}

export function evaluateLpp(x: ExceptionInput): ExceptionEval {
  const { f } = x;
  let used: Decimal | undefined;
  const usedTpp = () => (used ??= lppUsed(x));
  const k = new Conditions(x);
  k.add(lppItem(x.eccn)) &&
    k.add(lppActivity(f)) &&
    k.add(lppPart746(f)) &&
    k.add(cond('direct-to-ultimate-consignee', !f.viaDistributor, `${C.a} ('directly to a single ultimate consignee'); FR 2025-00636 preamble (not through distributors)`, f.viaDistributor ? 'Shipped through a distributor or reseller: LPP covers only shipments directly to the ultimate consignee.' : 'Shipped directly to the ultimate consignee.')) &&
    k.add(noDestinationMacauD5(x, C.c1)) &&
    k.add(ultimateConsigneeNotMacauD5(x, C.c2, 'INT-27')) &&
    k.add(restriction(x)) &&
    k.add(annualCap(x, usedTpp())) &&
    k.add(lppPart744(f));
  return k.finish('LPP', () => obligations(x, usedTpp()));
}

/**
 * 740.2(a)(9)(ii) does not list LPP among the exceptions usable for these items to D:1/D:4/D:5
 * outside A:5/A:6 (INT-6 for D:1/D:4), nor for any entity headquartered in, or whose ultimate parent
 * is headquartered in, Macau or D:5, wherever located: the consignee and the end user alike.
 */
function restriction(x: ExceptionInput): Cond {
  const { f, ctx } = x;
  // Moot where (c)(1) already excludes the destination (Macau and D:5).
  const restricted = reachesD145NotA56(f, ctx);
  const destination = restricted && !reachesMacauOrD5(f, ctx) ? ctx.choose('INT-6', (r) => r === 'not_available') : restricted;
  const entity = anyPartyMacauD5(f);
  return cond('not-restricted-by-740-2', negate(anyOf({ value: destination, missing: NONE as Missing[] }, entity)), C.restr, () => {
    if (destination) return `${describe(f.to)} is in D:1/D:4/D:5 outside A:5/A:6, where 740.2(a)(9)(ii) lists the only usable exceptions and LPP is not among them (INT-6: ${ctx.reading('INT-6')}).`;
    if (entity.value) return 'A party is headquartered in, or has its ultimate parent headquartered in, Macau or D:5: 740.2(a)(9)(ii) lists the only usable exceptions and LPP is not among them.';
    if (entity.value === undefined) return `${describe(f.to)} is not restricted, but whether every party's headquarters and ultimate parent are outside Macau and D:5 is unknown (740.2(a)(9)(ii)).`;
    return `${describe(f.to)} is not restricted by 740.2(a)(9)(ii), and no party is headquartered (or has its ultimate parent) in Macau or D:5.`;
  });
}

const CAP_CITATION = `${C.d}; ${C.h1}`;

function annualCap(x: ExceptionInput, used: Decimal): Cond {
  const agg = x.aggregate;
  if (agg === undefined) {
    return cond('annual-cap', { value: undefined, missing: [{ path: 'item.tpp', why: `the shipment's aggregate TPP must fit the ${formatExact(LPP.annualCap)} TPP annual LPP cap` }] }, C.d, 'The shipment\'s TPP is unknown.');
  }
  const after = used.isZero() ? agg : used.plus(agg);
  const ok = after.lte(LPP.annualCap);
  return cond('annual-cap', ok, CAP_CITATION,
    () => `Already received under LPP this calendar year: ${formatExact(used)} TPP; this shipment ${formatExact(agg)} TPP; cap ${formatExact(LPP.annualCap)} per ultimate consignee (${x.ctx.reading('INT-7') === 'owner' ? 'read as the entity that owns the items' : 'the ultimate parent entity'}, ${C.h1}, INT-7: ${x.ctx.reading('INT-7')}).${ok ? '' : ` Over the cap by ${formatExact(after.minus(LPP.annualCap))}; room left ${formatExact(Decimal.max(LPP.annualCap.minus(used), ZERO))} TPP.`}`);
}

// Obligations that do not depend on the shipment are built once and shared (outputs are read-only).
const STATEMENT: Obligation = { what: `Obtain the ultimate consignee statement: aware of the LPP shipment and ECCN; no part 744 uses or users; has not received ${formatExact(LPP.annualCap)} cumulative TPP under LPP this calendar year; signed and dated.`, when: 'before using LPP', to: 'from the ultimate consignee', citation: C.f };
const COPY_TO_BIS: Obligation = { what: 'Send BIS a copy of the ultimate consignee statement.', when: `within ${LPP.copyDays} days of the export or reexport`, deadline: `${LPP.copyDays} days after the shipment`, to: LPP.address, subject: LPP.shipmentSubject, citation: C.g1 };
const RECORDS = records(C.rec, 'each LPP export or reexport and the consignee statement');

/** The (g)(3) advance notice to BIS and the (g)(2) consignee notice, worded for the case at hand. */
const advanceNotice = (what: string): Obligation => ({ what, when: 'before the export or reexport', deadline: 'before shipment', to: LPP.address, subject: LPP.shipmentSubject, citation: C.g3 });
const limitNotice = (what: string): Obligation => ({ what, when: 'as soon as the consignee receives the shipment that exhausts the limit', to: LPP.address, subject: LPP.limitSubject, citation: C.g2 });

function obligations(x: ExceptionInput, used: Decimal): Obligation[] {
  const { ctx } = x;
  const ob: Obligation[] = [STATEMENT, COPY_TO_BIS];
  // Not an obligation, but what users ask: LPP is not a license, so it draws no country allocation.
  ctx.step('Country allocation', '15 CFR 742.6(b)(10)(iii)(B)(1); INT-9', 'not drawn by LPP', 'A shipment under LPP does not count against the destination\'s country allocation, which licenses draw.');
  const agg = x.aggregate;
  if (agg === undefined) {
    // The shipment's TPP is unknown (so is LPP itself): both notices are stated with their trigger.
    ctx.step('LPP advance notice', C.g3, 'unknown', 'The shipment\'s aggregate TPP is unknown.');
    ob.push(
      advanceNotice(`Notify BIS of the shipment before it leaves if its aggregate TPP reaches ${formatExact(LPP.noticeThreshold)} (INT-8; the TPP is unknown here).`),
      limitNotice(`The ultimate consignee must notify BIS once a shipment exhausts its ${formatExact(LPP.annualCap)} TPP annual limit (INT-20; the TPP is unknown here).`),
      verifyPart744(), RECORDS,
    );
    return ob;
  }
  const notice = ctx.choose('INT-8', (r) => (r === 'inclusive' ? agg.gte(LPP.noticeThreshold) : agg.gt(LPP.noticeThreshold)));
  // Steps only in the explanation: a lean evaluation does not even allocate their detail closures.
  if (ctx.explainOn) ctx.step('LPP advance notice', C.g3, notice ? 'required' : 'not required', () => `Shipment aggregate TPP ${formatExact(agg)} against ${formatExact(LPP.noticeThreshold)} (INT-8: ${ctx.reading('INT-8')}).`);
  if (notice) ob.push(advanceNotice(`Notify BIS of this shipment: its aggregate TPP ${formatExact(agg)} reaches ${formatExact(LPP.noticeThreshold)} (INT-8).`));
  const after = used.isZero() ? agg : used.plus(agg);
  const room = LPP.annualCap.minus(after);
  const perUnit = x.cls.tppPerUnit;
  const exhausts = ctx.choose('INT-20', (r) => (r === 'exact_cap' ? room.isZero() : room.gte(ZERO) && perUnit !== undefined && room.lt(perUnit)));
  if (ctx.explainOn) ctx.step('LPP annual limit reached', C.g2, exhausts ? 'notice required' : 'not reached', () => `Cumulative LPP TPP after this shipment ${formatExact(after)} of ${formatExact(LPP.annualCap)}; room left ${formatExact(room)} (INT-20: ${ctx.reading('INT-20')}).`);
  if (exhausts) {
    const why = room.isZero() ? `its cumulative LPP TPP reaches the ${formatExact(LPP.annualCap)} limit` : `its cumulative LPP TPP reaches ${formatExact(after)}, and the ${formatExact(room)} TPP left of the ${formatExact(LPP.annualCap)} limit is less than one more unit of this item (${formatExact(perUnit!)} TPP)`;
    ob.push(limitNotice(`The ultimate consignee must notify BIS once it receives this shipment: ${why} (INT-20: ${ctx.reading('INT-20')}).`));
  }
  ob.push(verifyPart744(), RECORDS);
  return ob;
}
