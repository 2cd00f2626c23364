/**
 * License Exception AIA, 15 CFR 740.27.
 * (a) Chips (a)(1) and their software/technology (a)(2)(i): to entities located in a Supp. 5(a)
 *     destination, unless the entity or its ultimate parent is headquartered outside Supp. 5(a).
 *     Weights (a)(2)(ii): the same base authorization (INT-19) and (a)(3): entities headquartered
 *     (or whose ultimate parent is) in Supp. 5(a) (INT-18), located outside Macau/D:5, storing the
 *     weights in a facility meeting Supp. 10 to part 748 paras 14, 15 and 18 (INT-16).
 * (b)(1) furnish the ECCN; (b)(2) one-time consignee certification ((a)(1) items); (b)(3) notice
 *     with each shipment; (c) submit the certification to BIS, subject "AIA Certification" (INT-5).
 */
import type { Obligation } from '../../contract/determination.js';
import { dec, formatExact, ZERO } from '../../compute/exact.js';
import { AIA } from '../../data/parameters.js';
import { DATES } from '../../data/ruleset.js';
import { allOf, anyOf, negate, NONE, type Finding, type Missing, type Tri } from '../../engine/logic.js';
import { describe, describeHq, headquarteredIn, hqOrParentIn, hqOrParentOutside, inMacauOrD5, inSupp5a, locatedIn } from '../headquarters.js';
import { activityRule, part746Rule, cond, Conditions, itemRule, noPart744Concern, records, restriction7402, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = {
  a: '15 CFR 740.27(a)',
  a1: '15 CFR 740.27(a)(1)',
  a3: '15 CFR 740.27(a)(3)',
  a3i: '15 CFR 740.27(a)(3)(i)',
  a3ii: '15 CFR 740.27(a)(3)(ii)',
  b1: '15 CFR 740.27(b)(1)',
  b2: '15 CFR 740.27(b)(2)',
  b2iv: '15 CFR 740.27(b)(2)(iv)',
  b3: '15 CFR 740.27(b)(3)',
  c: '15 CFR 740.27(c)',
  rec: '15 CFR 762.2(b)(58)',
  restr: '15 CFR 740.2(a)(9)(ii)',
};

const aiaActivity = activityRule('AIA', ['export', 'reexport', 'transfer'], C.a);
const aiaItem = itemRule('AIA', 'aia');
const aiaPart746 = part746Rule('AIA');

const SUPP5A = 'Supp. 5(a) destinations';

export function evaluateAia(x: ExceptionInput): ExceptionEval {
  const k = new Conditions(x);
  const item = aiaItem(x.eccn);
  k.add(item);
  if (item.status === 'not_met') return k.finish('AIA', () => []);
  return x.eccn === '4E091' ? weights(x, k) : chips(x, k);
}

/** The entity's headquarters and its ultimate parent's are both in Supp. 5(a). */
function headquarteredInSupp5a(p: ExceptionInput['f']['consignee']): Finding {
  return negate(hqOrParentOutside(p, inSupp5a, SUPP5A));
}

function chips(x: ExceptionInput, k: Conditions): ExceptionEval {
  const { f } = x;
  const located = locatedIn(f.consignee, inSupp5a);
  k.add(aiaActivity(f)) &&
    k.add(aiaPart746(f)) &&
    k.add(cond('consignee-located-in-supp5a', located, C.a, () => `The consignee is located in ${describe(f.consignee.location)}${located.value ? ', a Supp. 5(a) destination' : ''}.`)) &&
    k.add(cond('consignee-headquartered-in-supp5a', headquarteredInSupp5a(f.consignee), C.a, () => `Consignee ${describeHq(f.consignee)}: AIA is unavailable if either is outside Supp. 5(a).`)) &&
    (!f.separateEndUser ||
      k.add(cond('end-user-in-supp5a', allOf(locatedIn(f.endUser, inSupp5a), headquarteredInSupp5a(f.endUser)), `${C.a}; ${C.b2iv}`, () => `End user located in ${describe(f.endUser.location)}, ${describeHq(f.endUser)}: items received under AIA may not go to an entity located or headquartered outside Supp. 5(a).`))) &&
    k.add(cond('not-restricted-by-740-2', negate(restriction7402(f, x.eccn, x.ctx)), C.restr, 'For 3A090/4A090 items to D:1/D:4/D:5 (outside A:5/A:6) or to Macau/D:5-headquartered entities, AIA is usable only for 4E091.')) &&
    k.add(noPart744Concern(f));
  return k.finish('AIA', () => chipObligations(x));
}

// Obligations that do not depend on the shipment are built once and shared (outputs are read-only).
const CERTIFICATION: Obligation = { what: 'Obtain the one-time ultimate consignee certification: aware of AIA shipment and ECCN; no part 744 end uses/users; no IaaS for training 4E091 models for entities located or headquartered outside Supp. 5(a) (or whose ultimate parent is) without BIS authorization; no export, reexport or transfer to such entities without BIS authorization; signed and dated.', when: 'before the first use of AIA for this consignee', to: 'from the ultimate consignee (the entity that owns the items)', citation: C.b2 };
const SHIPMENT_NOTICE: Obligation = { what: 'Notify the ultimate consignee in writing that the shipment is made under License Exception AIA, naming the items (or the whole shipment) and identifying the shipment.', when: 'with each shipment', to: 'the ultimate consignee', citation: C.b3 };
const CHIP_RECORDS = records(C.rec, 'each AIA export, reexport or transfer and the certification');
const furnishEccn = new Map<string, Obligation>();

function chipObligations(x: ExceptionInput): Obligation[] {
  const eccn = x.eccn!;
  let furnish = furnishEccn.get(eccn);
  if (!furnish) furnishEccn.set(eccn, (furnish = { what: `Furnish the ECCN (${eccn}) of each item to the ultimate consignee (once per consignee and item while it stays accurate).`, when: 'before the export, reexport or transfer', to: 'the ultimate consignee', citation: C.b1 }));
  const ob: Obligation[] = [furnish, CERTIFICATION, SHIPMENT_NOTICE];
  const prior = x.ctx.ledger.aiaCumulativeTpp === undefined ? ZERO : dec(x.ctx.ledger.aiaCumulativeTpp);
  const cumulative = x.aggregate === undefined ? undefined : prior.plus(x.aggregate);
  // (c): "a cumulative TPP of 253,000,000": reached at (INT-30) and counted as the ledger's figure says (INT-31, a view).
  const vsThreshold = cumulative?.cmp(AIA.reportingThreshold);
  const reached = (r30: string) => (vsThreshold === undefined ? undefined : r30 === 'inclusive' ? vsThreshold >= 0 : vsThreshold > 0);
  const submitUnder = (r5: string, r30: string) => (r5 === 'always' ? true : reached(r30));
  x.ctx.choose('INT-30', (r) => submitUnder(x.ctx.reading('INT-5'), r));
  const submit = x.ctx.choose('INT-5', (r) => submitUnder(r, x.ctx.reading('INT-30')));
  if (x.ctx.reading('INT-5') !== 'always' && x.ctx.ledger.aiaCumulativeTpp !== undefined) x.ctx.rely('INT-31');
  const figures = cumulative === undefined ? 'the cumulative AIA TPP is unknown' : `cumulative AIA TPP for this consignee would be ${formatExact(cumulative)} (threshold ${formatExact(AIA.reportingThreshold)})`;
  if (submit !== false) {
    // When: before the first AIA export; if this shipment is the one that reaches the threshold,
    // before it; past the threshold already, before this one if it has not been sent yet.
    const when = x.ctx.reading('INT-5') === 'always' || prior.isZero() ? 'before the initial export, reexport or transfer'
      : (x.ctx.reading('INT-30') === 'inclusive' ? prior.gte(AIA.reportingThreshold) : prior.gt(AIA.reportingThreshold)) ? 'before this shipment, unless it was submitted when the cumulative AIA TPP reached the threshold'
        : 'before this shipment (the one that brings the cumulative AIA TPP to the threshold)';
    ob.push({
      what: `Submit the ultimate consignee certification to BIS${submit === undefined ? ` if the consignee's cumulative AIA TPP reaches ${formatExact(AIA.reportingThreshold)}` : ''} (${figures}; INT-5: ${x.ctx.reading('INT-5')}).`,
      when,
      to: AIA.address,
      subject: AIA.subject,
      deadline: when,
      citation: C.c,
    });
  } else {
    ob.push({ what: `Keep the ultimate consignee certification on file; submission to BIS is not yet required (${figures}; INT-5).`, when: 'before the first shipment', to: 'your records', citation: C.c });
  }
  ob.push(verifyPart744(), CHIP_RECORDS);
  return ob;
}

function weights(x: ExceptionInput, k: Conditions): ExceptionEval {
  const { f, ctx } = x;
  const cons = f.consignee;
  const activity = aiaActivity(f);
  const embargo = aiaPart746(f);
  // Refused before any reading is consulted: what follows is shown, not relied on (finish resets it).
  if (activity.status === 'not_met' || embargo.status === 'not_met') ctx.displayOnly = true;
  // Built without recording INT-16 as relied on: it is, only if the path that decides needs storage.
  const quiet = ctx.displayOnly;
  ctx.displayOnly = true;
  const storage = storageCondition(x);
  ctx.displayOnly = quiet;

  // Base authorization: located in Supp. 5(a), not headquartered (nor parent) outside it.
  const located = recipientIn(x, inSupp5a);
  const hq = headquarteredInSupp5a(cons);
  const base: Cond[] = [
    cond('consignee-located-in-supp5a', located, C.a, () => `The recipient is ${whereIs(x)}.`),
    cond('consignee-headquartered-in-supp5a', hq, C.a, () => `Recipient ${describeHq(cons)}: both must be in Supp. 5(a).`),
  ];
  const withStorage = [...base, storage];
  const baseWithStorage = (reading: string) => (reading === 'always_a3' ? withStorage : base);

  // (a)(3): headquartered (INT-18) in Supp. 5(a), located outside Macau/D:5, compliant storage.
  const a3Hq = (reading: string): Finding => (reading === 'either' ? hqOrParentIn(cons, inSupp5a, 'a Supp. 5(a) destination') : hq);
  const notMacauD5 = recipientIn(x, (c) => !inMacauOrD5(c));
  // Each reading's conditions are built once (INT-18 has two readings: two slots, no Map): ctx.choose below asks for every reading combination.
  let a3Reading: string | undefined;
  let a3Conditions: Cond[] | undefined;
  let a3OtherReading: string | undefined;
  let a3OtherConditions: Cond[] | undefined;
  const buildA3 = (reading: string): Cond[] => [
    cond('a3-headquartered-in-supp5a', a3Hq(reading), C.a3, () => `Recipient ${describeHq(cons)} (INT-18: ${reading === 'either' ? 'either' : 'both'} in Supp. 5(a)).`),
    cond('a3-located-outside-macau-d5', notMacauD5, C.a3i, () => `The recipient is ${whereIs(x)}.`),
    storage,
  ];
  const a3 = (reading: string): Cond[] => {
    if (a3Reading === reading) return a3Conditions!;
    if (a3OtherReading === reading) return a3OtherConditions!;
    const cs = buildA3(reading);
    if (a3Reading === undefined) {
      a3Reading = reading;
      a3Conditions = cs;
    } else {
      a3OtherReading = reading;
      a3OtherConditions = cs;
    }
    return cs;
  };

  const pick = (r18: string, r19: string): Cond[] => {
    const b = baseWithStorage(r19);
    const a = a3(r18);
    const vb = allMet(b);
    const va = allMet(a);
    // Show the path that decides: the one that is met, else the one still open, else the one that
    // fits where the recipient is located.
    if (vb === true) return b;
    if (va === true) return a;
    if (vb === undefined) return b;
    if (va === undefined) return a;
    return located.value ? b : a;
  };
  // Either path met: met; else either open: unknown; else not met (anyOf of the two conjunctions).
  const statusUnder = (r18: string, r19: string): Tri => {
    const vb = allMet(baseWithStorage(r19));
    const va = allMet(a3(r18));
    return vb === true || va === true ? true : vb === undefined || va === undefined ? undefined : false;
  };
  // A reading matters if it changes the status, or (INT-19) whether the storage obligation comes
  // with it: the outcome as one number (status × 2 + storage) that ctx.choose compares.
  const outcomeUnder = (r18: string, r19: string): number => {
    const status = statusUnder(r18, r19);
    const withStorage = status !== false && pick(r18, r19).includes(storage);
    return (status === true ? 0 : status === false ? 2 : 4) + (withStorage ? 1 : 0);
  };
  ctx.choose('INT-18', (r) => outcomeUnder(r, ctx.reading('INT-19')));
  ctx.choose('INT-19', (r) => outcomeUnder(ctx.reading('INT-18'), r));
  const path = pick(ctx.reading('INT-18'), ctx.reading('INT-19'));
  // Now record INT-16, if storage is what the chosen path turns on.
  if (path.includes(storage) && [activity, embargo, ...path].every((c) => c === storage || c.status !== 'not_met')) storageCondition(x);
  for (const c of [activity, embargo, ...path]) if (!k.add(c)) return k.finish('AIA', () => []);
  (!f.separateEndUser || k.add(weightsEndUser(f))) && k.add(restrictionForWeights(x)) && k.add(noPart744Concern(f));
  return k.finish('AIA', () => weightObligations(path.includes(storage), ctx));
}

const isDeemed = (f: ExceptionInput['f']) => f.activity === 'deemed_export' || f.activity === 'deemed_reexport';

/**
 * Where the recipient is, for AIA. A release to a foreign person is an export or reexport to the
 * person's most recent country of citizenship or permanent residency (15 CFR 734.13(b),
 * 734.14(b)); INT-24 decides whether AIA's location tests apply there (default: otherwise AIA
 * would cover every release by a Supp. 5(a) employer, and 742.6(a)(13)'s carve-out for permanent
 * regular employees would have nothing left to do) or to the employer's location.
 */
function recipientIn(x: ExceptionInput, test: (c: NonNullable<ExceptionInput['f']['to']>) => boolean): Finding {
  const { f, ctx } = x;
  if (!isDeemed(f)) {
    // Weights received by a consignee located elsewhere than `to` reach both places: both must pass.
    const to = f.to;
    const both = to !== undefined && f.consignee.locationStated && f.consignee.location?.code !== to.code;
    return both ? allOf(locatedIn(f.consignee, test), { value: test(to), missing: NONE as Missing[] }) : locatedIn(f.consignee, test);
  }
  const person: Finding = f.to ? { value: test(f.to), missing: NONE as Missing[] } : { value: undefined, missing: [{ path: 'to', why: 'a deemed export goes to the foreign person\'s country of citizenship or permanent residency (15 CFR 734.13(b))' }] };
  return ctx.choose('INT-24', (r) => (r === 'employer' ? locatedIn(f.consignee, test) : person), (a, b) => a.value === b.value);
}

function whereIs(x: ExceptionInput): string {
  const f = x.f;
  if (isDeemed(f) && x.ctx.reading('INT-24') === 'person') return `a foreign person deemed to receive the weights in ${describe(f.to)} (15 CFR 734.13(b))`;
  const elsewhere = !isDeemed(f) && f.to !== undefined && f.consignee.locationStated && f.consignee.location?.code !== f.to.code;
  return elsewhere ? `located in ${describe(f.consignee.location)}, receiving weights sent to ${describe(f.to)}: both places must pass` : `located in ${describe(f.consignee.location)}`;
}

/**
 * 740.27(a): AIA does not reach an entity headquartered (or whose ultimate parent is) outside
 * Supp. 5(a), nor, under (a)(3) and 740.2(a)(9)(ii), one located in Macau or D:5; a named end user
 * other than the consignee is such an entity as much as the consignee is.
 */
function weightsEndUser(f: ExceptionInput['f']): Cond {
  const u = f.endUser;
  return cond('end-user-in-supp5a', allOf(headquarteredInSupp5a(u), locatedIn(u, (c) => !inMacauOrD5(c))), `${C.a}; ${C.a3i}`,
    () => `End user ${describeHq(u)}, located in ${describe(u.location)}: AIA does not authorize weights for an entity headquartered outside Supp. 5(a) or located in Macau or D:5.`);
}

/**
 * 740.2(a)(9)(ii): where it restricts exceptions (D:1/D:4/D:5 outside A:5/A:6, or Macau/D:5-
 * headquartered entities), AIA remains usable for 4E091 only to entities headquartered in
 * Supp. 5(a) and located outside Macau and D:5.
 */
function restrictionForWeights(x: ExceptionInput): Cond {
  const restricted = restriction7402(x.f, x.eccn, x.ctx);
  const cons = x.f.consignee;
  // The carve-out names the entity's own headquarters and its location, nothing of its parent:
  // AIA's own conditions (INT-18) decide what a parent elsewhere means.
  const carveOut = allOf(headquarteredIn(cons, inSupp5a, 'a Supp. 5(a) destination'), recipientIn(x, (c) => !inMacauOrD5(c)));
  const ok = anyOf(negate(restricted), carveOut);
  return cond('not-restricted-by-740-2', ok, C.restr,
    restricted.value === false ? 'No 740.2(a)(9)(ii) restriction applies.' : 'Where 740.2(a)(9)(ii) restricts exceptions, AIA stays open for 4E091 to entities headquartered in Supp. 5(a) and located outside Macau and D:5.');
}

/** The conditions' conjunction, three-valued (allOf's value, without building findings): any not met: false; else any unknown: unknown. */
function allMet(cs: readonly Cond[]): Tri {
  let unknown = false;
  for (let i = 0; i < cs.length; i++) {
    const status = cs[i]!.status;
    if (status === 'not_met') return false;
    if (status === 'unknown') unknown = true;
  }
  return unknown ? undefined : true;
}

/** (a)(3)(ii): storage in a facility meeting Supp. 10 paras 14, 15, 18, required from 2026-01-15 (INT-16). */
function storageCondition(x: ExceptionInput): Cond {
  const { f, ctx } = x;
  const before = f.asOf < DATES.supp10Security;
  const fact = f.facts.storageMeetsSupp10Security;
  const value = ctx.choose('INT-16', (r) => (r === 'from_2026_01_15' && before ? true : fact));
  const detail = () => value === true && fact !== true
    ? `Paragraphs 14, 15 and 18 of Supp. 10 to part 748 apply from ${DATES.supp10Security} (INT-16: ${ctx.reading('INT-16')}); the facility ${fact === false ? 'is stated not to comply, so AIA fails from that date' : 'must comply by then'}.`
    : fact === undefined ? 'Whether the storage facility meets Supp. 10 to part 748 paras 14, 15 and 18 is unknown.' : `The storage facility ${fact ? 'meets' : 'does not meet'} Supp. 10 to part 748 paras 14, 15 and 18.`;
  const missing: Missing[] = value === undefined ? [{ path: 'facts.storageMeetsSupp10Security', why: 'AIA (a)(3) requires storage in a facility meeting Supp. 10 to part 748 paras 14, 15 and 18' }] : (NONE as Missing[]);
  // Met only because INT-16 defers the requirement, against what the user says or does not say of
  // the facility: named as what it is, never as "meets" (a warning says when it stops holding).
  const deferred = value === true && fact !== true;
  return cond(deferred ? 'a3-storage-not-yet-required' : 'a3-storage-meets-supp10', { value, missing }, `${C.a3ii}; 15 CFR part 748, Supp. 10, paras 14, 15, 18`, detail);
}

/**
 * 740.27(b)'s heading names the items of (a)(1) and (a)(2)(i), not the weights of (a)(2)(ii), yet
 * (b)(1) defines the ultimate consignee by reference to (a)(2)(ii): INT-32 decides whether
 * furnishing the ECCN applies to weights.
 */
function weightObligations(storage: boolean, ctx: ExceptionInput['ctx']): Obligation[] {
  const ob: Obligation[] = [];
  if (ctx.choose('INT-32', (r) => r === 'applies')) {
    ob.push({ what: 'Furnish the ECCN (4E091) to the recipient.', when: 'before the export, reexport or transfer', to: 'the recipient (the entity that owns the weights)', citation: `${C.b1}; FR 2025-00636 preamble (AIA); INT-32` });
  }
  if (storage) {
    ob.push({ what: 'Store the weights only in a facility that meets Supp. 10 to part 748 paras 14 (baseline security, FedRAMP High), 15 (AI cybersecurity, rate-limited access) and 18 (personnel security).', when: `while the weights are held (compliance with paras 14, 15, 18 from ${DATES.supp10Security})`, to: 'the recipient\'s facility', citation: C.a3ii });
  }
  ob.push(verifyPart744(), records(C.rec, 'each AIA export, reexport or transfer'));
  return ob;
}

