/**
 * The public entry point: a validated Transaction in, a Determination (the contract's output) out.
 * Adds what no single rule knows: the ruleset's identity and status on the date, the
 * interpretations the answer relied on (re-evaluated under each alternative reading), the
 * explanation, the missing facts and the warnings.
 */
import type { Determination, ExceptionResult, InterpretationUse, Step } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { formatExact, toNumber } from '../compute/exact.js';
import { RULESET, DATES, statusOn } from '../data/ruleset.js';
import { defaultReading } from '../data/interpretations.js';
import { EMBARGOES, LATER_RULES, type LaterRule } from '../data/later-rules.js';
import { describe } from '../law/headquarters.js';
import { intervalOps } from '../law/part774/eccn-4e091.js';
import { licenseApplicationStep } from '../law/part748/license-application.js';
import { displayPd } from '../law/part774/eccn-3a090.js';
import { advancedClass, listCitation, notEvaluatedExceptions } from '../law/eccn-lists.js';
import { Ctx, readingsFrom, type EvalOptions } from './context.js';
import { evaluateCore, type Core } from './evaluate.js';
import { interpretationUses } from './sensitivity.js';
import { detailText } from '../law/part740/exception.js';
import { mergeMissing, yesNo } from './logic.js';
import { rulesetVersion } from './version.js';

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function determine(tx: Transaction, opts: EvalOptions = {}): Determination {
  const asOf = opts.asOf ?? tx.date ?? today();
  const readings = readingsFrom(opts.interpretations);
  const explain = opts.explain !== false;
  const ctx = new Ctx(asOf, readings, opts.ledger ?? {}, explain);
  const core = evaluateCore(tx, ctx);
  const interpretations = interpretationUses(tx, core, readings, opts);
  return render(core, interpretations, explain);
}

// ---- rendering ---------------------------------------------------------------------------------

function render(c: Core, interpretations: InterpretationUse[], explain: boolean): Determination {
  const { f, ctx, cls } = c;
  const asOf = ctx.asOf;
  const notEnforced = !c.enforced && asOf >= DATES.nonEnforcement;
  const ruleset = {
    id: RULESET.id,
    asOf,
    inForce: c.inForce,
    complianceRequired: c.complianceRequired,
    enforced: c.enforced,
    status: notEnforced ? `${statusOn(asOf)} Reported as not enforced (INT-10: enforcement_announced).` : statusOn(asOf),
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
    conditions: e.conditions.map((k) => (explain ? { id: k.id, status: k.status, citation: k.citation, detail: detailText(k.detail) } : { id: k.id, status: k.status, citation: k.citation })),
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

const SAVING_CLAUSE = `Saving clause (FR 2025-00636, DATES): items that lost License Exception or NLR eligibility under this rule and were en route aboard a carrier to a port of export, reexport or transfer on ${DATES.compliance}, under actual orders, may proceed under their previous eligibility if the export, reexport or transfer is completed by ${DATES.savingClauseEnd}.`;

function warnings(c: Core): string[] {
  const w: string[] = [];
  const asOf = c.ctx.asOf;
  if (!c.inForce) w.push(`The AI Diffusion rule takes effect on ${DATES.effective}; on ${asOf} the prior EAR text governs, which aidr does not model, so no license answer is given.`);
  else if (!c.complianceRequired) w.push(`In force since ${DATES.effective}, but its compliance date is ${DATES.compliance}: compliance with these changes is not required before then, and the answer below is what applies from that date (the prior EAR, which aidr does not model, governs until then). ${SAVING_CLAUSE}`);
  else if (asOf <= DATES.savingClauseEnd && mayHaveLostEligibility(c)) w.push(SAVING_CLAUSE);
  if (asOf >= DATES.nonEnforcement) w.push(c.enforced ? STATUS_AS_WRITTEN : STATUS_NOT_ENFORCED);
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
  for (const rule of LATER_RULES) if (laterRuleApplies(rule, c)) w.push(`Not modeled: ${rule.title} (effective ${rule.effective}): ${rule.summary} [${rule.source}]`);
  return [...w, ...c.ctx.warnings];
}

/** The warning naming the exceptions aidr does not evaluate, built once per ECCN and exception list. */
const notEvaluatedNotes = new Map<string, string | null>();
function notEvaluatedNote(c: Core): string | null {
  const key = `${c.eccn}|${c.exceptions.length}`;
  let note = notEvaluatedNotes.get(key);
  if (note === undefined) {
    const others = notEvaluatedExceptions(c.eccn);
    note = others.length === 0 ? null : `Not evaluated: License Exceptions ${others.join(', ')}, which ${listCitation('notEvaluatedExceptions')} keeps open for ${c.eccn}: "license required" means none of the exceptions aidr evaluates (${c.exceptions.map((e) => e.code).join(', ')}) covers this transaction; those may, on their own terms.`;
    notEvaluatedNotes.set(key, note);
  }
  return note;
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

function laterRuleApplies(rule: LaterRule, c: Core): boolean {
  const w = rule.when;
  if (c.ctx.asOf < rule.effective || c.license === false) return false;
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

/** Plain literals, not spreads: spreading would leave V8 slow dictionary-mode objects. */
function withChildren(s: Step, children: Step[]): Step {
  return { rule: s.rule, citation: s.citation, result: s.result, detail: s.detail, children };
}

function explanation(c: Core): Step[] {
  const { f, ctx, cls } = c;
  const steps: Step[] = [];
  steps.push({ rule: 'Ruleset', citation: RULESET.citation, result: c.inForce ? (c.complianceRequired ? 'in force, compliance required' : 'in force, compliance not yet required') : 'not in force', detail: `As of ${ctx.asOf}.` });
  if (f.to) {
    const groups = [...f.to.groups].join(', ') || 'none';
    steps.push({ rule: 'Destination', citation: '15 CFR part 740, Supp. Nos. 1 and 5', result: `${describe(f.to)}: tier ${f.to.tier}`, detail: `Country groups ${groups}; Supp. 5(a): ${f.to.supp5a ? 'yes' : 'no'}; Macau or D:5: ${f.to.macauOrD5 ? 'yes' : 'no'}.${f.places.length > 1 ? ` The items also reach where a receiving party is located: ${f.places.slice(1).map((c) => `${describe(c)}, tier ${c.tier}`).join('; ')} (INT-25).` : ''}` });
  }
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
    const notMet = e.conditions.filter((x) => x.status === 'not_met').map((x) => x.id);
    const unknown = e.conditions.filter((x) => x.status === 'unknown').map((x) => x.id);
    const detail = [notMet.length ? `not met: ${notMet.join(', ')}` : '', unknown.length ? `unknown: ${unknown.join(', ')}` : ''].filter(Boolean).join('; ');
    steps.push({
      rule: `License Exception ${e.code}`,
      citation: EXCEPTION_SECTIONS[e.code],
      result: e.status.replace('_', ' '),
      detail: detail ? `Conditions ${detail}.` : 'All conditions met.',
      children: e.conditions.map((k) => ({ rule: k.id, citation: k.citation, result: k.status.replace('_', ' ') })),
    });
  }
  for (const r of c.redFlags) steps.push({ rule: 'Red flag 28', citation: r.flag!.citation, result: r.flag!.status, detail: r.flag!.detail });
  steps.push(...ctx.steps);
  return steps;
}
