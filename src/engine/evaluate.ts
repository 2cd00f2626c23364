/**
 * The evaluation pipeline: facts → classification (part 774) → jurisdiction (734) → license
 * requirement (742.6(a), 744.23) → exceptions (740.2, 740.8, 740.27-.29) → review policy (742.6(b))
 * → red flags (Supp. 3 to 732). Pure and synchronous: no I/O, no clock except "today" as the
 * default date.
 *
 * When the classification depends on an unknown fact (a die area, the datacenter flag, whether
 * weights are published), every possible classification is evaluated and the determination keeps
 * what they agree on; the rest is unknown, with the deciding facts in `missingFacts`.
 */
import type { Obligation, ReviewPolicy, Step } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { Decimal } from '../compute/exact.js';
import { VINTAGES } from '../data/regimes.js';
import { diffusionExceptionAbsent } from '../law/part740/diffusion-exceptions.js';
import { classifyItem, type ItemClass } from '../law/part774/classify.js';
import { subjectToEar, type Jurisdiction } from '../law/part734/subject-to-ear.js';
import { licenseRequirement742 } from '../law/part742/license-requirement.js';
import { headquartersLicense744 } from '../law/part744/headquarters-license.js';
import { reviewPolicy } from '../law/part742/review-policy.js';
import { policyOf, type Policy } from '../law/part742/policy.js';
import { evaluateAia } from '../law/part740/aia-740-27.js';
import { evaluateAcm } from '../law/part740/acm-740-28.js';
import { evaluateLpp } from '../law/part740/lpp-740-29.js';
import { evaluateAca, evaluateNac } from '../law/part740/nac-aca-740-8.js';
import { evaluateHbm } from '../law/part740/hbm-740-25.js';
import { covers } from '../law/eccn-lists.js';
import { cond, itemCovered, type ExceptionEval, type ExceptionInput } from '../law/part740/exception.js';
import { redFlag28, type RedFlagFinding } from '../law/part732/red-flag-28.js';
import { Ctx, NO_STEPS } from './context.js';
import { toFacts, type TxFacts } from './facts.js';
import { and, NONE, or, type Missing, type Tri } from './logic.js';
import type { ReadingEntry } from './readings-relied.js';

/** One classification's answer (every literal lists all fields in this order: one object shape). */
export interface Branch {
  eccn: string | null;
  subject: Jurisdiction;
  license: Tri;
  licenseMissing: Missing[];
  licenseSteps: Step[];
  /** The license findings' citations (built in lean evaluations too). */
  licenseCitations: string[];
  via744: boolean;
  /** Whether the license would arise only from 744.23(a)(3), three-valued (the exceptions' view; INT-33). */
  only744: Tri;
  exceptions: ExceptionEval[];
  policy: Policy;
  redFlag?: RedFlagFinding;
}

/** Everything the output is built from (kept internal: Decimals, missing facts per finding). */
export interface Core {
  f: TxFacts;
  ctx: Ctx;
  /** 90 FR 4544 in force on the date (the ruleset's status). */
  inForce: boolean;
  /** On or after the first vintage modelled (2023-11-17): a license answer is given. */
  modeled: boolean;
  complianceRequired: boolean;
  enforced: boolean;
  cls: ItemClass;
  /** Readings the facts and the classification relied on (another regime reusing them relies on them too). */
  sharedReadings: readonly ReadingEntry[];
  aggregate?: Decimal;
  branches: Branch[];
  // Merged answer:
  eccn: string | null;
  subject: Tri;
  license: Tri;
  exceptions: ExceptionEval[];
  policy: ReviewPolicy | null;
  policyCitation?: string;
  allocation?: Policy['allocation'];
  redFlags: RedFlagFinding[];
  outcome: 'not_subject' | 'no_license_required' | 'license_exception' | 'license_required' | 'indeterminate';
  missing: Missing[][];
}

/**
 * `reuse` carries what an earlier evaluation of the same transaction found: its facts, and either
 * its classification (re-evaluations under an interpretation that cannot change it) or its
 * branches (under a classification-only interpretation, a branch for the same ECCN, classified
 * from the same figures, is the same: only the classification is redone).
 */
export interface Reuse {
  f: TxFacts;
  cls?: ItemClass;
  aggregate?: Decimal;
  branches?: { cls: ItemClass; list: readonly Branch[] };
  /** The readings the facts and the classification relied on, when both are reused under the same readings. */
  readings?: Core['sharedReadings'];
}

/** A branch of an earlier evaluation that a new classification can take over unchanged. */
function reusable(reuse: Reuse | undefined, eccn: string | null, cls: ItemClass): Branch | undefined {
  const old = reuse?.branches;
  if (!old || old.cls.kind !== cls.kind || old.cls.datacenter !== cls.datacenter || old.cls.mbd !== cls.mbd) return undefined;
  const a = old.cls.tppPerUnit;
  const b = cls.tppPerUnit;
  if (a === undefined ? b !== undefined : b === undefined || !a.eq(b)) return undefined;
  return old.list.find((x) => x.eccn === eccn);
}

export function evaluateCore(tx: Transaction, ctx: Ctx, reuse?: Reuse): Core {
  ctx.component = 'facts';
  const f = reuse?.f ?? toFacts(tx, ctx.asOf, ctx);
  ctx.component = 'status';
  const dates = ctx.dates;
  const inForce = dates.inForce;
  const complianceRequired = dates.complianceRequired;
  const enforced = dates.nonEnforcementAnnounced
    ? ctx.choose('INT-10', (r) => r === 'as_written')
    : inForce;
  ctx.component = 'classification';
  const cls = reuse?.cls ?? classifyItem(f.item, ctx);
  if (reuse?.readings) for (const e of reuse.readings) ctx.mark(e.id, e.reading);
  const sharedReadings = ctx.relied.entries;
  // The same facts and classification give the same aggregate: an earlier evaluation's is reused.
  const aggregate = reuse?.cls !== undefined && reuse.aggregate !== undefined ? reuse.aggregate : cls.tppPerUnit?.times(f.quantity);
  const modeled = dates.modeled;
  const branches = cls.candidates.map((eccn) => reusable(reuse, eccn, cls) ?? evaluateBranch(f, cls, eccn, aggregate, inForce, modeled, ctx));
  return merge(f, ctx, cls, aggregate, branches, { inForce, modeled, complianceRequired, enforced, sharedReadings });
}

/** The first vintage modelled (V1, 2023-11-17): before it the EAR's earlier rules are not modelled. */
export const FIRST_VINTAGE = VINTAGES[0]!.from;

/** The license exceptions, in the order they are reported. */
export const EXCEPTIONS: readonly ((x: ExceptionInput) => ExceptionEval)[] = [evaluateAia, evaluateAcm, evaluateLpp, evaluateNac, evaluateAca];
const EXCEPTION_CODES = ['AIA', 'ACM', 'LPP', 'NAC', 'ACA', 'HBM'] as const;
/** Where an interpretation consulted by each exception is recorded as relied on (Ctx.component). */
const EXCEPTION_COMPONENTS: readonly string[] = EXCEPTION_CODES.map((code) => `exception:${code}`);
/** A branch that needs no review policy; outputs are read-only, so one is shared (not frozen: a frozen object has a shape of its own). */
const NO_POLICY: Policy = policyOf(null, NONE as Missing[], NO_STEPS);
/** Whether the i-th exception is one of 90 FR 4544's own (AIA, ACM, LPP), by index: asked for every exception evaluated. */
const DIFFUSION_EXCEPTION: readonly boolean[] = EXCEPTION_CODES.map((code) => code === 'AIA' || code === 'ACM' || code === 'LPP');
/** 3A090.c also lists License Exception HBM (740.25); it is reported only for items it can cover. */
const WITH_HBM: readonly ((x: ExceptionInput) => ExceptionEval)[] = [...EXCEPTIONS, evaluateHbm];

/** The exceptions evaluated for one classification, in the order they are reported. */
export function exceptionsFor(eccn: string | null): readonly ((x: ExceptionInput) => ExceptionEval)[] {
  return covers('hbm', eccn) ? WITH_HBM : EXCEPTIONS;
}

/** The i-th exception, unless its text does not apply on the date in the regime (AIA, ACM, LPP). */
export function evaluateException(i: number, x: ExceptionInput): ExceptionEval {
  return evaluateFrom(exceptionsFor(x.eccn), i, x);
}

/** The same, from the branch's list of exceptions (looked up once per branch). */
function evaluateFrom(list: readonly ((x: ExceptionInput) => ExceptionEval)[], i: number, x: ExceptionInput): ExceptionEval {
  const code = EXCEPTION_CODES[i]!;
  return (DIFFUSION_EXCEPTION[i] ? diffusionExceptionAbsent(code, x.ctx) : undefined) ?? list[i]!(x);
}

function evaluateBranch(f: TxFacts, cls: ItemClass, eccn: string | null, aggregate: Decimal | undefined, inForce: boolean, modeled: boolean, ctx: Ctx): Branch {
  ctx.component = 'license';
  const subject = subjectToEar(f, cls, eccn, modeled ? ctx : undefined);
  const noPolicy = NO_POLICY;
  if (cls.kind === 'service') {
    return {
      eccn, subject, license: false, licenseMissing: [],
      licenseSteps: [{ rule: 'License requirement', citation: '15 CFR part 732, Supp. No. 3', result: 'none for the service', detail: 'No item is exported by providing the training service; the resulting weights need their own determination before any export.' }],
      licenseCitations: [], via744: false, only744: false, exceptions: [], policy: noPolicy,
      redFlag: inForce ? redFlag28(f, eccn === '4E091') : undefined,
    };
  }
  if (subject.value === false) {
    return { eccn, subject, license: false, licenseMissing: [], licenseSteps: [], licenseCitations: [], via744: false, only744: false, exceptions: [], policy: noPolicy, redFlag: undefined };
  }
  if (f.activity === 'transfer' && f.to?.us) {
    // 15 CFR 734.16: a transfer (in-country) is a change of end use or end user within a foreign country.
    return {
      eccn, subject, license: false, licenseMissing: [],
      licenseSteps: [{ rule: 'Transfer within the United States', citation: '15 CFR 734.16', result: 'no license under this rule', detail: 'A change of end user inside the United States is not a transfer (in-country), which the EAR defines within a foreign country; an export of the item later needs its own determination.' }],
      licenseCitations: [], via744: false, only744: false, exceptions: [], policy: noPolicy, redFlag: undefined,
    };
  }
  if (!modeled) {
    return {
      eccn, subject, license: undefined, licenseMissing: [],
      licenseSteps: [{ rule: 'Rules modelled', citation: '88 FR 73458, DATES', result: 'not modelled', detail: `aidr models the advanced computing rules from ${FIRST_VINTAGE} (88 FR 73458) on; the EAR as it stood before is not modelled.` }],
      licenseCitations: [], via744: false, only744: false, exceptions: [], policy: noPolicy, redFlag: undefined,
    };
  }
  const r742 = licenseRequirement742(f, eccn, ctx);
  const r744 = r742.value === true ? undefined : headquartersLicense744(f, eccn, ctx);
  const concern = f.facts.part744Concern === true;
  const combined = or(r742.value, r744 ? r744.value : false, concern);
  const license = and(subject.value, combined);
  const only744: Tri = r742.value === true || !r744 || r744.value === false ? false : r742.value === false && r744.value === true ? true : undefined;
  const via744 = only744 === true;
  // The steps are shown in the explanation only: a lean evaluation does not gather them.
  const steps = ctx.explainOn ? [...r742.steps, ...(r744?.steps ?? [])] : NO_STEPS;
  if (concern && ctx.explainOn) steps.push({ rule: 'Part 744 end-use / end-user prohibition', citation: '15 CFR part 744', result: 'license required', detail: 'A part 744 prohibition is known for this transaction.' });
  const licenseMissing = license === undefined ? [...(subject.value === undefined ? subject.missing : []), ...(combined === undefined ? [...(r742.value === undefined ? r742.missing : []), ...(r744?.value === undefined ? r744?.missing ?? [] : [])] : [])] : (NONE as Missing[]);

  let exceptions: ExceptionEval[] = [];
  let policy = noPolicy;
  if (license !== false) {
    const x: ExceptionInput = { f, eccn, cls, aggregate, ctx, via744: only744 };
    const list = exceptionsFor(eccn);
    exceptions = [];
    for (let i = 0; i < list.length; i++) {
      ctx.component = EXCEPTION_COMPONENTS[i]!;
      exceptions.push(evaluateFrom(list, i, x));
    }
    ctx.component = 'policy';
    policy = reviewPolicy(f, eccn, aggregate, via744, ctx, cls.datacenter);
    if (policy.policy === null && concern && policy.missing.length === 0) {
      policy = policyOf('case_by_case', [], [{ rule: 'Review policy', citation: '15 CFR part 744', result: 'case by case', detail: 'The review standard of the part 744 section concerned applies.' }], '15 CFR part 744');
    }
  }
  const licenseCitations = !r744?.citations.length && !concern ? r742.citations : [...r742.citations, ...(r744?.citations ?? []), ...(concern ? ['15 CFR part 744'] : [])];
  return { eccn, subject, license, licenseMissing, licenseSteps: steps, licenseCitations, via744, only744, exceptions, policy, redFlag: undefined };
}

const same = <T>(xs: T[]): T | undefined => (xs.every((x) => x === xs[0]) ? xs[0] : undefined);

function merge(
  f: TxFacts, ctx: Ctx, cls: ItemClass, aggregate: Decimal | undefined, branches: Branch[],
  status: { inForce: boolean; modeled: boolean; complianceRequired: boolean; enforced: boolean; sharedReadings: Core['sharedReadings'] },
): Core {
  const first = branches[0]!;
  const single = branches.length === 1;
  if (single) return mergeOne(f, ctx, cls, aggregate, first, status);
  const subject = single ? first.subject.value : same(branches.map((b) => b.subject.value));
  const license = single ? first.license : same(branches.map((b) => b.license));
  const needing = branches.filter((b) => b.license !== false);
  const exceptions = single ? first.exceptions : mergeExceptions(needing, cls);
  const policies = needing.map((b) => b.policy.policy);
  const policy = needing.length === 0 ? null : (same(policies) ?? null);
  const policyBranch = needing.find((b) => b.policy.policy === policy) ?? needing[0];
  const redFlags = mergeRedFlags(branches);

  const missing: Missing[][] = [];
  if (!single) missing.push(cls.missing);
  if (subject === undefined) missing.push(...branches.map((b) => (b.subject.value === undefined ? b.subject.missing : [])));
  if (license === undefined) missing.push(...branches.map((b) => b.licenseMissing));
  for (const e of exceptions) if (e.status === 'unknown') missing.push(...e.conditions.map((c) => c.missing));
  if (needing.length > 0 && policy === null) missing.push(...needing.map((b) => b.policy.missing));
  for (const r of redFlags) if (r.flag?.status === 'possible') missing.push(r.missing);

  const outcome = outcomeOf(subject, license, exceptions);

  return {
    f, ctx, cls, aggregate, branches,
    inForce: status.inForce,
    modeled: status.modeled,
    complianceRequired: status.complianceRequired,
    enforced: status.enforced,
    sharedReadings: status.sharedReadings,
    eccn: single ? first.eccn : null,
    subject,
    license,
    exceptions,
    policy,
    policyCitation: policyBranch?.policy.citation,
    allocation: policyBranch?.policy.allocation,
    redFlags,
    outcome,
    missing,
  };
}

/** The common case: one classification, nothing to reconcile. */
function mergeOne(
  f: TxFacts, ctx: Ctx, cls: ItemClass, aggregate: Decimal | undefined, b: Branch,
  status: { inForce: boolean; modeled: boolean; complianceRequired: boolean; enforced: boolean; sharedReadings: Core['sharedReadings'] },
): Core {
  const missing: Missing[][] = [];
  if (b.subject.value === undefined) missing.push(b.subject.missing);
  if (b.license === undefined) missing.push(b.licenseMissing);
  for (const e of b.exceptions) if (e.status === 'unknown') for (const c of e.conditions) if (c.missing.length > 0) missing.push(c.missing);
  const needs = b.license !== false;
  if (needs && b.policy.policy === null) missing.push(b.policy.missing);
  const redFlags = b.redFlag?.flag ? [b.redFlag] : [];
  for (const r of redFlags) if (r.flag!.status === 'possible') missing.push(r.missing);
  return {
    f, ctx, cls, aggregate, branches: [b],
    inForce: status.inForce,
    modeled: status.modeled,
    complianceRequired: status.complianceRequired,
    enforced: status.enforced,
    sharedReadings: status.sharedReadings,
    eccn: b.eccn,
    subject: b.subject.value,
    license: b.license,
    exceptions: b.exceptions,
    policy: needs ? b.policy.policy : null,
    policyCitation: needs ? b.policy.citation : undefined,
    allocation: needs ? b.policy.allocation : undefined,
    redFlags,
    outcome: outcomeOf(b.subject.value, b.license, b.exceptions),
    missing,
  };
}

/** The contract's outcome from jurisdiction, license requirement and exception statuses. */
export function outcomeOf(subject: Tri, license: Tri, exceptions: readonly { status: string }[]): Core['outcome'] {
  if (subject === false) return 'not_subject';
  if (license === false) return 'no_license_required';
  if (exceptions.some((e) => e.status === 'eligible')) return 'license_exception';
  if (license === undefined || subject === undefined || exceptions.some((e) => e.status === 'unknown')) return 'indeterminate';
  return 'license_required';
}

/** Combine one exception's results across classifications; disagreement is unknown. */
function mergeExceptions(needing: Branch[], cls: ItemClass): ExceptionEval[] {
  if (needing.length === 0) return [];
  // Branches may list different exceptions (HBM only for 3A090.c): one missing from a branch does
  // not cover that classification.
  const widest = needing.reduce((w, b) => (b.exceptions.length > w.exceptions.length ? b : w), needing[0]!);
  return widest.exceptions.map((_, i) => {
    const code = widest.exceptions[i]!.code;
    const all = needing.map((b) => b.exceptions.find((e) => e.code === code) ?? notCovering(code, b.eccn));
    const e0 = all[0]!;
    const status = same(all.map((e) => e.status));
    // Same status whichever ECCN it is: shown as evaluated for the first such ECCN, with its
    // obligations (e.g. furnishing that ECCN) said to hold only if that is the classification.
    if (status !== undefined) {
      if (e0.obligations.length === 0) return e0;
      const unsettled = `Classification not settled (${cls.candidates.map((c) => c ?? 'not controlled').join(', ')}); if it is ${needing[0]!.eccn ?? 'not controlled'}: `;
      return { ...e0, obligations: e0.obligations.map((o) => ({ ...o, what: unsettled + o.what })) };
    }
    const shown = all.find((e) => e.status === 'eligible') ?? all.find((e) => e.status === 'unknown') ?? e0;
    const byEccn = needing.map((b, j) => `${b.eccn ?? 'not controlled'}: ${all[j]!.status.replace('_', ' ')}`).join('; ');
    const classification = cond('classification', { value: undefined, missing: cls.missing.length ? cls.missing : (NONE as Missing[]) }, 'ECCN 3A090 / 4A090 / 4E091', () => `Eligibility depends on the classification, which is unknown (${byEccn}).`);
    return { ...shown, status: 'unknown' as const, conditions: [classification, ...shown.conditions] };
  });
}

function notCovering(code: ExceptionEval['code'], eccn: string | null): ExceptionEval {
  return { code, status: 'not_eligible', conditions: [itemCovered(code, 'hbm', eccn)], obligations: [] };
}

function mergeRedFlags(branches: Branch[]): RedFlagFinding[] {
  const found = branches.map((b) => b.redFlag).filter((r): r is RedFlagFinding => r?.flag !== undefined);
  if (found.length === 0) return [];
  const all = found.length === branches.length && found.every((r) => r.flag!.status === 'present');
  const r = found[0]!;
  return [all ? r : { flag: { ...r.flag!, status: 'possible' }, missing: r.missing }];
}

export type { Obligation };
