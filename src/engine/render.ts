/**
 * The chosen regime's answer as the contract's top-level output: ruleset status, classification,
 * exceptions, review policy, missing facts, warnings and (full output) the explanation.
 */
import type { Determination, ExceptionResult, InterpretationUse, Step } from '../contract/determination.js';
import { formatExact, toNumber } from '../compute/exact.js';
import { RULESET, DATES } from '../data/ruleset.js';
import { defaultReading } from '../data/interpretations.js';
import { EMBARGOES, LATER_RULES, type LaterRule } from '../data/later-rules.js';
import { COVERAGE, provisionText } from '../data/regimes.js';
import { describe } from '../law/headquarters.js';
import { intervalOps } from '../law/part774/eccn-4e091.js';
import { licenseApplicationStep } from '../law/part748/license-application.js';
import { displayPd } from '../law/part774/eccn-3a090.js';
import { advancedClass, listCitation, notEvaluatedExceptions } from '../law/eccn-lists.js';
import { detailText, leanCondition } from '../law/part740/exception.js';
import { FIRST_VINTAGE, type Core } from './evaluate.js';
import { mergeMissing, yesNo } from './logic.js';
import { rulesetVersion } from './version.js';
import { textsStep } from './regime-answers.js';
import { partiesOf, type TxFacts } from './facts.js';

export function render(c: Core, interpretations: InterpretationUse[], explain: boolean): Determination {
  const { f, ctx, cls } = c;
  const asOf = ctx.asOf;
  const dates = ctx.dates;
  const notEnforced = !c.enforced && dates.nonEnforcementAnnounced;
  const ruleset = {
    id: RULESET.id,
    asOf,
    inForce: c.inForce,
    complianceRequired: c.complianceRequired,
    enforced: c.enforced,
    status: notEnforced ? dates.statusNotEnforced : dates.status,
    version: rulesetVersion(),
  };

  const eccnCandidates = cls.candidates;
  const classification: Determination['classification'] = {
    eccn: c.eccn,
    status: eccnCandidates.length > 1 ? 'unknown' : c.eccn === null ? 'not_controlled' : 'classified',
  };
  if (eccnCandidates.length > 1) classification.candidates = eccnCandidates;
  const display = (cls.display ??= {
    tppPerUnit: cls.tppPerUnit && toNumber(cls.tppPerUnit),
    performanceDensity: cls.pd && displayPd(cls.pd),
    trainingOperations: cls.operations && intervalOps(cls.operations),
  });
  if (display.tppPerUnit !== undefined) classification.tppPerUnit = display.tppPerUnit;
  if (c.aggregate) {
    // An integer TPP times a quantity stays exact as a JS number below 2^53; else convert the decimal.
    const perUnit = display.tppPerUnit;
    const product = perUnit !== undefined && Number.isInteger(perUnit) ? perUnit * f.quantity : NaN;
    classification.aggregateTpp = Number.isSafeInteger(product) ? product : toNumber(c.aggregate);
    // Beyond 15 digits or with a fraction the JSON number may not be exact; give the string too.
    if (!c.aggregate.isInteger() || c.aggregate.e >= 15) classification.aggregateTppExact = formatExact(c.aggregate);
  }
  if (display.performanceDensity !== undefined) classification.performanceDensity = display.performanceDensity;
  if (display.trainingOperations !== undefined) classification.trainingOperations = display.trainingOperations;
  if (explain) classification.basis = cls.basis;

  const exceptions: ExceptionResult[] = c.exceptions.map((e) => ({
    code: e.code,
    status: e.status,
    conditions: e.conditions.map((k) => (explain ? { id: k.id, status: k.status, citation: k.citation, detail: detailText(k.detail) } : leanCondition(k))),
    obligations: e.obligations,
  }));

  // Plain literals only: spreading into this object would put it in V8's slow dictionary mode.
  const out: Determination = {
    id: f.id,
    ruleset,
    classification,
    subjectToEar: yesNo(c.subject),
    licenseRequired: yesNo(c.license),
    outcome: c.outcome,
    exceptions,
    reviewPolicy: c.license === false ? null : c.policy,
    redFlags: c.redFlags.map((r) => r.flag!),
    missingFacts: mergeMissing(c.missing),
    interpretations,
    warnings: warnings(c),
    // Filled by determine() once both regimes are evaluated; declared here to keep the object's shape.
    regime: c.ctx.regime,
    regimes: [],
    regimesDiffer: false,
  };
  // Between the effective and the compliance dates, the JSON itself says from when the answer applies.
  if (c.inForce && !c.complianceRequired) out.complianceFrom = DATES.compliance;
  if (c.allocation && c.license !== false) {
    const a = c.allocation;
    out.allocation = { country: a.country, cap: toNumber(a.cap), licensedTpp: a.licensedTpp ? toNumber(a.licensedTpp) : null, remaining: a.remaining ? toNumber(a.remaining) : null, draws: a.draws };
  }
  if (explain) out.explanation = explanation(c);
  if (out.id === undefined) delete out.id;
  return out;
}

const STATUS_AS_WRITTEN = `Legal status: on ${DATES.nonEnforcement} BIS announced it would rescind this rule and not enforce it, but no rescission has been published in the Federal Register; aidr evaluates the rule as written (INT-10).`;
const STATUS_NOT_ENFORCED = `Legal status: BIS announced on ${DATES.nonEnforcement} that it will not enforce this rule (INT-10: enforcement_announced); the requirements below are reported as not enforced, though no rescission has been published.`;

const STATUS_ENFORCED_REGIME = `Legal status: this answer is the EAR as BIS enforces it: on ${DATES.nonEnforcement} BIS announced it would not enforce 90 FR 4544, whose destination-based changes are replaced by the text they amended, while the headquarters requirement for Macau/D:5-headquartered entities is enforced (BIS guidance of 2026-05-31); GAO (B-337935) held the announcement an unsubmitted rule and the codified text is unchanged (see regimes[] for the codified answer).`;

const VINTAGE_TEXTS: Record<string, string> = { V1: '88 FR 73458', V2: '88 FR 73458 as amended by 89 FR 23876', V3: '88 FR 73458 as amended by 89 FR 23876 and 89 FR 96790' };
function vintageText(id: string): string {
  return VINTAGE_TEXTS[id] ?? provisionText('742.6(a)(6)(iii)').citation;
}

const SAVING_CLAUSE = `Saving clause (FR 2025-00636, DATES): items that lost License Exception or NLR eligibility under this rule and were en route aboard a carrier to a port of export, reexport or transfer on ${DATES.compliance}, under actual orders, may proceed under their previous eligibility if the export, reexport or transfer is completed by ${DATES.savingClauseEnd}.`;

function warnings(c: Core): string[] {
  const w: string[] = [];
  const asOf = c.ctx.asOf;
  const dates = c.ctx.dates;
  const vintage = dates.vintage;
  if (!c.modeled) w.push(`aidr models the advanced computing rules from ${FIRST_VINTAGE} (88 FR 73458) on; on ${asOf} the earlier rules governed, which aidr does not model, so no license answer is given.`);
  else if (!c.inForce) w.push(`The AI Diffusion rule takes effect on ${DATES.effective}; on ${asOf} the answer applies the advanced computing rules then in force (${vintage!.id}: ${vintageText(vintage!.id)}).`);
  else if (!c.complianceRequired) {
    w.push(c.ctx.regime === 'codified'
      ? `In force since ${DATES.effective}, but its compliance date is ${DATES.compliance}: compliance with these changes is not required before then (regimes[].complianceRequired is false); the enforced answer applies the text that governed compliance (V3, 89 FR 96790). ${SAVING_CLAUSE}`
      : `90 FR 4544 is in effect since ${DATES.effective} but compliance is not required until ${DATES.compliance}: this answer applies the text it amended (V3, 88 FR 73458 as amended by 89 FR 96790; INT-56).`);
  }
  else if (dates.withinSavingClause && appliesRuleText(c) && mayHaveLostEligibility(c)) w.push(SAVING_CLAUSE);
  if (dates.nonEnforcementAnnounced) w.push(c.ctx.regime === 'enforced' ? STATUS_ENFORCED_REGIME : c.enforced ? STATUS_AS_WRITTEN : STATUS_NOT_ENFORCED);
  if (dates.pastCoverage) w.push(`aidr's sources on these rules run to about ${COVERAGE.through}; any later Federal Register action (a rescission, replacement or Country Group change) is unknown to it: re-verify (A-21).`);
  const storage = c.exceptions.find((e) => e.code === 'AIA' && e.status === 'eligible')?.conditions.some((k) => k.id === 'a3-storage-not-yet-required');
  if (storage) {
    const stated = c.f.facts.storageMeetsSupp10Security === false;
    w.push(`AIA for these weights holds only until Supp. No. 10 to part 748 paras 14, 15 and 18 apply on ${DATES.supp10Security} (INT-16: ${c.ctx.reading('INT-16')}): ${stated ? 'the storage facility is stated not to meet them, so from that date the authorization fails' : 'whether the storage facility meets them is not stated; from that date the authorization needs it'}.`);
  }
  if (c.outcome === 'license_required') {
    const note = notEvaluatedNote(c);
    if (note) w.push(note);
  }
  if (c.license === undefined && c.outcome === 'license_exception') {
    const codes = c.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code).join(', ');
    w.push(`Whether a license is required is unknown; if one is, License Exception ${codes} covers this transaction.`);
  }
  if (c.policy === 'approval_within_allocation' && c.allocation && c.allocation.licensedTpp === undefined) {
    w.push(`How much of ${c.allocation.country}'s ${formatExact(c.allocation.cap)} TPP allocation is already licensed is unknown here (no ledger figure): the presumption of approval holds only within it, and denial follows once it is used up (742.6(b)(10)(iii)(B); INT-9). Record licenses and BIS's published figure with aidr ledger record-license / record-published, or pass options.ledger.countryLicensedTpp.`);
  }
  if (c.allocation && c.ctx.reading('INT-9') !== defaultReading('INT-9')) {
    w.push(`INT-9 = ${c.ctx.reading('INT-9')}: the country's licensed TPP is taken as given (options.ledger.countryLicensedTpp, or the store's records for 2025-2027); count it over that period yourself for this reading to take effect.`);
  }
  const veu = c.f.consignee.veu ?? c.f.endUser.veu;
  if (veu && c.license !== false && c.f.activity !== 'transfer') {
    w.push(`The ${c.f.consignee.veu ? 'consignee' : 'end user'} is stated to hold a Data Center VEU authorization (${veu}): exports and reexports of the items its authorization names, to its listed data centers, are authorized under 15 CFR 748.15 instead of a license, within its limits (${veu === 'UVEU' ? 'Supp. No. 10 to part 748 para. 6' : 'the NVEU allocations of Table 1 to 748.15(a)(2)(iii)(B)'}; aidr veu check). aidr does not verify the authorization (Supp. No. 7 to part 748) or its item list: the answer here is what applies without it.`);
  }
  const embargo = c.f.to && EMBARGOES.get(c.f.to.code);
  if (embargo) w.push(`${describe(c.f.to)} is also subject to embargo or sanctions controls (${embargo}), which aidr does not model.`);
  for (const rule of LATER_RULES) if (laterRuleApplies(rule, c)) w.push(`Not modeled: ${rule.title} (${rule.until ? `from ${rule.effective} to ${rule.until}` : `effective ${rule.effective}`}): ${rule.summary} [${rule.source}]`);
  const raised = c.ctx.warnings;
  if (raised.length === 0) return w;
  for (const x of raised) w.push(x);
  return w;
}

/** The warning naming the exceptions aidr does not evaluate, built once per ECCN and exception list. */
const notEvaluatedNotes = new Map<string | null, Map<number, string | null>>();
function notEvaluatedNote(c: Core): string | null {
  let byCount = notEvaluatedNotes.get(c.eccn);
  if (!byCount) notEvaluatedNotes.set(c.eccn, (byCount = new Map()));
  const key = c.exceptions.length;
  let note = byCount.get(key);
  if (note === undefined) {
    const others = notEvaluatedExceptions(c.eccn);
    note = others.length === 0 ? null : `Not evaluated: License Exceptions ${others.join(', ')}, which ${listCitation('notEvaluatedExceptions')} keeps open for ${c.eccn}: "license required" means none of the exceptions aidr evaluates (${c.exceptions.map((e) => e.code).join(', ')}) covers this transaction; those may, on their own terms.`;
    byCount.set(key, note);
  }
  return note;
}

/**
 * Whether the answer applies 90 FR 4544's license requirements as written (codified, or as enforced
 * under INT-45 as_written): an answer under BIS's posture applies the text the rule amended, under
 * which nothing lost eligibility, so the saving clause says nothing to it (red team, 2026-12-06).
 */
function appliesRuleText(c: Core): boolean {
  return c.ctx.regime === 'codified' || c.ctx.appliedVersion('742.6(a)(6)(iii)')?.codified !== false;
}

/**
 * The saving clause covers items that lost License Exception or NLR eligibility under this rule:
 * 4E091 weights (a new control) and 3A090.a-level items to destinations outside D:1, D:4 and D:5
 * (the old 742.6(a)(6)(iii) requirement); not a transaction still covered by an exception, nor items
 * whose requirement predates the rule (the .b items, 3A090.c).
 */
function mayHaveLostEligibility(c: Core): boolean {
  if (c.license === false || c.outcome === 'license_exception') return false;
  return c.branches.some((b) => {
    const kind = advancedClass(b.eccn);
    return kind === 'weights' || (kind === 'a' && c.f.to !== undefined && !c.f.to.d145NotA56);
  });
}

/** The catalog chip ids a transaction's item names (an IC, or a computer's ICs). */
function itemModels(item: TxFacts['item']): string[] {
  if (item.type === 'ic') return item.model ? [item.model] : [];
  if (item.type === 'computer') return item.ics.flatMap((ic) => (ic.model ? [ic.model] : []));
  return [];
}

function laterRuleApplies(rule: LaterRule, c: Core): boolean {
  const w = rule.when;
  if (c.ctx.asOf < rule.effective || (rule.until !== undefined && c.ctx.asOf > rule.until) || (c.license === false && !rule.whetherOrNotLicensed)) return false;
  if (w.models && !itemModels(c.f.item).some((m) => w.models!.includes(m))) return false;
  if (w.exceptionsEligible && !c.exceptions.some((e) => e.status === 'eligible' && w.exceptionsEligible!.includes(e.code))) return false;
  if (w.placeOrHeadquartersIn === 'macauOrD5' && !c.f.places.some((p) => p.macauOrD5) && !partiesOf(c.f).some((p) => p.hq?.macauOrD5 || p.uph?.macauOrD5)) return false;
  if (w.destinations && !(c.f.to && w.destinations.includes(c.f.to.code))) return false;
  if (w.activities && !w.activities.includes(c.f.activity)) return false;
  if (w.eccnPrefixes && !(c.eccn && w.eccnPrefixes.some((p) => c.eccn!.startsWith(p)))) return false;
  if (w.tppPerUnitBelow && !(c.cls.tppPerUnit && c.cls.tppPerUnit.lt(w.tppPerUnitBelow))) return false;
  if (w.endUses && !w.endUses.some((u) => c.f.endUses.includes(u as never))) return false;
  if (w.partyHeadquartersIn === 'macauOrD5' && ![c.f.consignee, c.f.endUser].some((p) => p.hq?.macauOrD5 || p.uph?.macauOrD5)) return false;
  return true;
}

const EXCEPTION_SECTIONS: Record<ExceptionResult['code'], string> = {
  AIA: '15 CFR 740.27',
  ACM: '15 CFR 740.28',
  LPP: '15 CFR 740.29',
  NAC: '15 CFR 740.8',
  ACA: '15 CFR 740.8',
  HBM: '15 CFR 740.25',
};

/** A status as the explanation words it ('not_met' → 'not met'), without a string replace per condition. */
const STATUS_TEXT: ReadonlyMap<string, string> = new Map(['met', 'not_met', 'unknown', 'eligible', 'not_eligible'].map((s) => [s, s.replace('_', ' ')]));
function statusText(status: string): string {
  return STATUS_TEXT.get(status) ?? status.replace('_', ' ');
}

/** Plain literals, not spreads: spreading would leave V8 slow dictionary-mode objects. */
function withChildren(s: Step, children: Step[]): Step {
  return { rule: s.rule, citation: s.citation, result: s.result, detail: s.detail, children };
}

/** The destination step for a single place depends only on its (cached, read-only) country facts: built once. */
const destinationSteps = new WeakMap<object, Step>();
function destinationStep(f: Core['f']): Step {
  const to = f.to!;
  const single = f.places.length <= 1;
  let step = single ? destinationSteps.get(to) : undefined;
  if (!step) {
    const groups = [...to.groups].join(', ') || 'none';
    step = { rule: 'Destination', citation: '15 CFR part 740, Supp. Nos. 1 and 5', result: `${describe(to)}: tier ${to.tier}`, detail: `Country groups ${groups}; Supp. 5(a): ${to.supp5a ? 'yes' : 'no'}; Macau or D:5: ${to.macauOrD5 ? 'yes' : 'no'}.${!single ? ` The items also reach where a receiving party is located: ${f.places.slice(1).map((c) => `${describe(c)}, tier ${c.tier}`).join('; ')} (INT-25).` : ''}` };
    if (single) destinationSteps.set(to, step);
  }
  return step;
}

function explanation(c: Core): Step[] {
  const { f, ctx, cls } = c;
  const steps: Step[] = [];
  steps.push({ rule: 'Ruleset', citation: RULESET.citation, result: c.inForce ? (c.complianceRequired ? 'in force, compliance required' : 'in force, compliance not yet required') : 'not in force', detail: `As of ${ctx.asOf}.` });
  if (c.modeled) steps.push(textsStep(c));
  if (f.to) steps.push(destinationStep(f));
  const last = cls.basis[cls.basis.length - 1];
  if (last) steps.push(withChildren(last, cls.basis.slice(0, -1)));
  // With several possible classifications, each branch's steps say which one they assume.
  const tagged = (s: Step, tag: string): Step => (tag ? { rule: s.rule + tag, citation: s.citation, result: s.result, detail: s.detail } : s);
  for (const b of c.branches) {
    const tag = c.branches.length > 1 ? ` [if ${b.eccn ?? 'not controlled'}]` : '';
    steps.push(tagged(b.subject.step, tag));
    // Under "subject to the EAR: unknown" a requirement holds only if the item is subject.
    const ifSubject = (s: Step): Step => (b.subject.value === undefined && s.result === 'license required' ? { rule: s.rule, citation: s.citation, result: 'license required if the item is subject to the EAR', detail: s.detail } : s);
    for (const s of b.licenseSteps) steps.push(tagged(ifSubject(s), tag));
    for (const s of b.policy.steps) steps.push(tagged(s, tag));
    const application = b.license !== false ? licenseApplicationStep(b.eccn, b.policy.allocation?.country) : undefined;
    if (application) steps.push(tagged(application, tag));
  }
  for (const e of c.exceptions) {
    // One pass over the conditions: the children, and the ids not met and unknown for the detail.
    const notMet: string[] = [];
    const unknown: string[] = [];
    const children: Step[] = [];
    for (const k of e.conditions) {
      if (k.status === 'not_met') notMet.push(k.id);
      else if (k.status === 'unknown') unknown.push(k.id);
      children.push({ rule: k.id, citation: k.citation, result: statusText(k.status) });
    }
    const detail = notMet.length && unknown.length ? `not met: ${notMet.join(', ')}; unknown: ${unknown.join(', ')}`
      : notMet.length ? `not met: ${notMet.join(', ')}` : unknown.length ? `unknown: ${unknown.join(', ')}` : '';
    steps.push({
      rule: `License Exception ${e.code}`,
      citation: EXCEPTION_SECTIONS[e.code],
      result: statusText(e.status),
      detail: detail ? `Conditions ${detail}.` : 'All conditions met.',
      children,
    });
  }
  for (const r of c.redFlags) steps.push({ rule: 'Red flag 28', citation: r.flag!.citation, result: r.flag!.status, detail: r.flag!.detail });
  steps.push(...ctx.steps);
  return steps;
}
