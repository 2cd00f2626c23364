/**
 * Each regime's answer (regimes[] of the output): the decision, the texts it rests on (basis and
 * versions, built once per set of texts applied), its citations and the readings relied on.
 */
import type { Determination, ExceptionResult, RegimeAnswer, RegimeId, Step } from '../contract/determination.js';
import { RULESET } from '../data/ruleset.js';
import { overlay, provisionText, vintageOn } from '../data/regimes.js';
import { choicesFor, type Agreement } from '../law/provision.js';
import type { Ctx } from './context.js';
import type { Core } from './evaluate.js';
import { yesNo } from './logic.js';
import { dateFacts } from './date-facts.js';
import { byInterpretationNumber } from './sensitivity.js';
import { reliedOn, type ReliedOn } from './readings-relied.js';

/** One regime's answer; `rendered` reuses the chosen regime's top-level fields. */
export function regimeAnswer(c: Core, rendered?: Determination): RegimeAnswer {
  const license = yesNo(c.license);
  const asOf = c.ctx.asOf;
  const texts = textsOf(c);
  return {
    id: c.ctx.regime,
    basis: texts.basis,
    eccn: c.eccn,
    subjectToEar: rendered?.subjectToEar ?? yesNo(c.subject),
    licenseRequired: license,
    outcome: c.outcome,
    reviewPolicy: c.license === false ? null : c.policy,
    eligibleExceptions: eligibleCodes(c.exceptions),
    citations: regimeCitations(c),
    vintage: c.ctx.dates.vintage?.id ?? null,
    complianceRequired: complianceRequired(c.ctx.regime, asOf),
    versions: texts.versions,
    readings: readingsOf(c.ctx),
  };
}

/** Before the regimes can differ: one evaluation answers both. */
export const SAME_TEXTS: Agreement = { relied: [] };

/** The readings relied on, in id order (INT-5 before INT-10): sorted once per sequence relied on. */
function sortedReadings(node: ReliedOn): RegimeAnswer['readings'] {
  return (node.sorted ??= [...node.entries].sort((a, b) => byInterpretationNumber(a.id, b.id)));
}

function readingsOf(ctx: Ctx): RegimeAnswer['readings'] {
  return sortedReadings(ctx.relied);
}

/**
 * The other regime's readings when it applies the same texts: the same law modules relied on the
 * same readings, while the version choices relied on its own (INT-45, INT-56, the posture rows).
 */
export function sameReadings(ctx: Ctx, agreement: Agreement): RegimeAnswer['readings'] {
  if (ctx.choiceOnly.size === 0 && agreement.relied.length === 0) return readingsOf(ctx);
  const out = new Map<string, string>();
  for (const [id, reading] of ctx.touched) if (!ctx.choiceOnly.has(id)) out.set(id, reading);
  for (const [id, reading] of agreement.relied) if (!out.has(id)) out.set(id, reading);
  return sortedReadings(reliedOn(out));
}

function eligibleCodes(exceptions: readonly { code: ExceptionResult['code']; status: string }[]): ExceptionResult['code'][] {
  const out: ExceptionResult['code'][] = [];
  for (const e of exceptions) if (e.status === 'eligible') out.push(e.code);
  return out;
}

/** The other regime's answer when it decides alike: a plain literal (a spread would leave a slow dictionary-mode object). */
export function sameAnswer(a: RegimeAnswer, id: RegimeId, compliance: boolean, readings: RegimeAnswer['readings']): RegimeAnswer {
  return {
    id,
    basis: a.basis,
    eccn: a.eccn,
    subjectToEar: a.subjectToEar,
    licenseRequired: a.licenseRequired,
    outcome: a.outcome,
    reviewPolicy: a.reviewPolicy,
    eligibleExceptions: a.eligibleExceptions,
    citations: a.citations,
    vintage: a.vintage,
    complianceRequired: compliance,
    versions: a.versions,
    readings,
  };
}

type Texts = { basis: string[]; versions: RegimeAnswer['versions']; step?: Step };
/** Per (date, regime, readings) choice set, per provisions consulted: the basis and versions, built once. */
const textsCache = new WeakMap<object, Map<number, Texts>>();
const NO_TEXTS: Texts = { basis: [], versions: [] };

/** The explanation's 'Texts applied' step: the version of each provision and the overlays (built once per set). */
export function textsStep(c: Core): Step {
  const t = textsOf(c);
  if (t.step) return t.step;
  const ctx = c.ctx;
  const texts = (t === NO_TEXTS ? versionsOf(ctx) : t.versions).map((v) => `${provisionText(v.provision).citation}: ${v.codified ? `text of ${v.from}` : `as BIS enforces it from ${v.from}`} (${v.source})`);
  for (const id of [...ctx.overlays].sort()) texts.push(`${overlay(id).source} (from ${overlay(id).from})`);
  const step: Step = {
    rule: 'Texts applied',
    citation: t.basis.length ? t.basis.join('; ') : RULESET.citation,
    result: `${ctx.regime} regime, vintage ${vintageOn(ctx.asOf)?.id ?? 'none'}`,
    detail: texts.length ? `${texts.join('; ')}.` : 'No versioned provision was consulted.',
  };
  if (t !== NO_TEXTS) t.step = step;
  return step;
}

function textsOf(c: Core): Texts {
  if (!c.modeled) return NO_TEXTS;
  // An evaluation that consulted no provision (a training service) has no choices yet: it is keyed
  // by those of its date, regime and readings all the same.
  const choices = c.ctx.choices ?? choicesFor(c.ctx);
  const key = c.ctx.textsMask;
  let byKey = textsCache.get(choices);
  if (!byKey) textsCache.set(choices, (byKey = new Map()));
  let t = byKey.get(key);
  if (!t) {
    t = { basis: regimeBasis(c), versions: versionsOf(c.ctx) };
    byKey.set(key, t);
  }
  return t;
}

/**
 * The versions applied, in provision order rather than the order this evaluation consulted them:
 * the list is cached for every later evaluation with the same texts, and an answer must not
 * depend on which transaction came first.
 */
function versionsOf(ctx: Ctx): RegimeAnswer['versions'] {
  return [...ctx.versions]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([provision, v]) => ({ provision, from: v.from, source: v.source, codified: v.codified !== false }));
}

/** Codified text from 2025-01-13 to 2025-05-14: in effect, compliance not required (90 FR 4544, DATES). */
export function complianceRequired(regime: string, asOf: string): boolean {
  return regime !== 'codified' || dateFacts(asOf).codifiedComplianceRequired;
}

/** The Federal Register texts and guidance the answer rests on: the versions applied and the overlays, oldest first. */
function regimeBasis(c: Core): string[] {
  if (!c.modeled) return [];
  const dated: [string, string][] = [...c.ctx.versions.values()].map((v) => [v.from, v.source]);
  for (const id of c.ctx.overlays) dated.push([overlay(id).from, overlay(id).source]);
  dated.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: string[] = [];
  for (const [, source] of dated) if (!out.includes(source)) out.push(source);
  return out;
}

/** Citations from the findings themselves (not the explanation), so a lean answer has them too. */
function regimeCitations(c: Core): string[] {
  const out: string[] = [];
  for (const b of c.branches) {
    addOnce(out, b.subject.step.citation);
    for (const x of b.licenseCitations) addOnce(out, x);
  }
  addOnce(out, c.policyCitation);
  return out;
}

/** Add a citation unless it is empty or already listed (a function, not a closure per answer). */
function addOnce(out: string[], x: string | undefined): void {
  if (x && !out.includes(x)) out.push(x);
}

/** Whether two regimes decide alike: the same ECCN, jurisdiction, license answer, outcome, review policy and exceptions. */
export function sameDecision(a: RegimeAnswer, b: RegimeAnswer): boolean {
  if (a.eccn !== b.eccn || a.subjectToEar !== b.subjectToEar || a.licenseRequired !== b.licenseRequired || a.outcome !== b.outcome || a.reviewPolicy !== b.reviewPolicy) return false;
  const x = a.eligibleExceptions;
  const y = b.eligibleExceptions;
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
