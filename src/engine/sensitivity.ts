/**
 * Interpretation sensitivity: for every interpretation a determination relied on, would another
 * reading change the answer? Each alternative reading is evaluated; where the interpretation was
 * consulted in one exception or in the review policy only, just that part is re-evaluated (the
 * rest of the answer cannot depend on it), otherwise the whole transaction is.
 */
import type { InterpretationUse } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { interpretation, readingIds, readingLabel } from '../data/interpretations.js';
import { reviewPolicy } from '../law/part742/review-policy.js';
import type { ExceptionEval } from '../law/part740/exception.js';
import { Ctx, MANY_PLACES, type EvalOptions } from './context.js';
import { evaluateCore, evaluateException, outcomeOf, type Core } from './evaluate.js';
import { yesNo } from './logic.js';

/** The parts of an answer an alternative reading is compared on. */
interface Answer {
  eccn: string | null;
  subjectToEar: string;
  licenseRequired: string;
  outcome: string;
  reviewPolicy: string | null;
  exceptions: readonly ExceptionEval[];
  /** Red flags raised, as `id:status`: for a cloud training request they are the whole answer. */
  redFlags: string;
}

function answerOf(c: Core): Answer {
  return { eccn: c.eccn, subjectToEar: yesNo(c.subject), licenseRequired: yesNo(c.license), outcome: c.outcome, reviewPolicy: c.policy, exceptions: c.exceptions, redFlags: redFlagKey(c) };
}

function redFlagKey(c: Core): string {
  return c.redFlags.length === 0 ? '' : c.redFlags.map((r) => `${r.flag?.id}:${r.flag?.status}`).join(',');
}

const NO_DIFFERENCE = { changes: [] as string[], obligations: false };

function differences(a: Answer, b: Answer): { changes: string[]; obligations: boolean } {
  if (a === b) return NO_DIFFERENCE;
  const changes: string[] = [];
  if (a.eccn !== b.eccn) changes.push('eccn');
  if (a.subjectToEar !== b.subjectToEar) changes.push('subjectToEar');
  if (a.licenseRequired !== b.licenseRequired) changes.push('licenseRequired');
  if (a.outcome !== b.outcome) changes.push('outcome');
  if (a.reviewPolicy !== b.reviewPolicy) changes.push('reviewPolicy');
  if (a.redFlags !== b.redFlags) changes.push('redFlags');
  let obligations = a.exceptions.length !== b.exceptions.length;
  for (const e of a.exceptions) {
    const other = b.exceptions.find((x) => x.code === e.code);
    if (other === e) continue;
    if (!other || other.status !== e.status) changes.push(`exceptions.${e.code}`);
    if (!other || !sameObligations(e, other)) obligations = true;
  }
  return { changes, obligations };
}

/** The same obligations, as far as the sensitivity analysis tells them apart: citation and subject, in order. */
function sameObligations(a: ExceptionEval, b: ExceptionEval): boolean {
  const x = a.obligations;
  const y = b.obligations;
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.citation !== y[i]!.citation || (x[i]!.subject ?? '') !== (y[i]!.subject ?? '')) return false;
  return true;
}

/** The default readings but one, per interpretation and reading: built once, shared by every alternative evaluated (read-only). */
const oneChanged = new Map<string, Map<string, ReadonlyMap<string, string>>>();
function withReading(readings: ReadonlyMap<string, string>, id: string, reading: string): ReadonlyMap<string, string> {
  if (readings.size > 0) return new Map(readings).set(id, reading);
  let byReading = oneChanged.get(id);
  if (!byReading) oneChanged.set(id, (byReading = new Map()));
  let altered = byReading.get(reading);
  if (!altered) byReading.set(reading, (altered = new Map([[id, reading]])));
  return altered;
}

/** The answer under another reading of one interpretation. */
function alternative(tx: Transaction, core: Core, base: Answer, id: string, reading: string, readings: ReadonlyMap<string, string>): Answer {
  const ctx = new Ctx(core.ctx.asOf, withReading(readings, id, reading), core.ctx.ledger, false, core.ctx.regime, false);
  const where = core.ctx.touchedIn.get(id);
  const only = where === MANY_PLACES ? undefined : where;
  const branch = core.branches.length === 1 ? core.branches[0]! : undefined;
  if (branch && only?.startsWith('exception:')) {
    const i = core.exceptions.findIndex((e) => `exception:${e.code}` === only);
    const x = { f: core.f, eccn: branch.eccn, cls: core.cls, aggregate: core.aggregate, ctx, via744: branch.only744 };
    const exceptions = core.exceptions.map((e, j) => (j === i ? evaluateException(j, x) : e));
    return { ...base, exceptions, outcome: outcomeOf(core.subject, core.license, exceptions) };
  }
  if (branch && only === 'policy') {
    return { ...base, reviewPolicy: reviewPolicy(core.f, branch.eccn, core.aggregate, branch.via744, ctx, core.cls.datacenter).policy };
  }
  // A reading of the country facts (INT-53, INT-55) re-reads the transaction; one of the
  // classification redoes the classification only; any other reuses both.
  const stage = interpretation(id).stage;
  const reuse = stage === 'facts' ? undefined : stage === 'classification' ? { f: core.f, branches: { cls: core.cls, list: core.branches } } : { f: core.f, cls: core.cls, aggregate: core.aggregate };
  return answerOf(evaluateCore(tx, ctx, reuse));
}

/** Interpretation ids in numeric order (INT-9 before INT-10), for a sort. */
export const byInterpretationNumber = (a: string, b: string): number => numberOf(a) - numberOf(b);

/** An interpretation's number (INT-9 → 9), to list INT-9 before INT-10. */
const NUMBERS = new Map<string, number>();
function numberOf(id: string): number {
  let n = NUMBERS.get(id);
  if (n === undefined) NUMBERS.set(id, (n = Number(id.slice(4))));
  return n;
}

/** The ids in numeric order, sorted in place: an insertion sort, as the lists are a few ids long (and Array.prototype.sort allocates). */
function inNumericOrder(ids: string[]): string[] {
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i]!;
    const n = numberOf(id);
    let j = i - 1;
    while (j >= 0 && numberOf(ids[j]!) > n) {
      ids[j + 1] = ids[j]!;
      j--;
    }
    ids[j + 1] = id;
  }
  return ids;
}

/**
 * A lean entry depends only on the interpretation and the reading: built once per pair and shared
 * (outputs are read-only).
 */
const plainUses = new Map<string, Map<string, InterpretationUse>>();
function plainUse(id: string, reading: string): InterpretationUse {
  let byReading = plainUses.get(id);
  if (!byReading) plainUses.set(id, (byReading = new Map()));
  let use = byReading.get(reading);
  if (!use) byReading.set(reading, (use = { id, question: interpretation(id).question, reading, label: readingLabel(id, reading) }));
  return use;
}

export function interpretationUses(tx: Transaction, core: Core, readings: ReadonlyMap<string, string>, opts: EvalOptions): InterpretationUse[] {
  const compute = opts.sensitivity ?? opts.explain !== false;
  const touched = core.ctx.touched;
  if (touched.size === 0) return [];
  if (!compute) {
    // Lean: the interpretations relied on, without re-evaluating any alternative reading; the same
    // readings relied on give the same list, built once.
    const node = core.ctx.relied;
    return (node.uses ??= inNumericOrder([...touched.keys()]).map((id) => plainUse(id, touched.get(id)!))) as InterpretationUse[];
  }
  const ids = inNumericOrder([...touched.keys()]);
  const base = answerOf(core);
  return ids.map((id) => {
    const def = interpretation(id);
    const reading = core.ctx.touched.get(id)!;
    const alternatives: NonNullable<InterpretationUse['alternatives']> = [];
    const changed = new Set<string>();
    let obligationsChanged = false;
    for (const alt of readingIds(id)) {
      if (alt === reading || !compute || def.stage === 'view') continue;
      // A 'status' interpretation only changes the reported legal status, never a decision.
      const answer = def.stage === 'status' ? base : alternative(tx, core, base, id, alt, readings);
      const d = differences(base, answer);
      d.changes.forEach((k) => changed.add(k));
      obligationsChanged ||= d.obligations;
      alternatives.push({ reading: alt, outcome: answer.outcome as Core['outcome'], changes: d.changes });
    }
    // A 'view' interpretation is applied by whoever counted the ledger figures: not re-evaluable here.
    if (!compute || def.stage === 'view') return plainUse(id, reading);
    return {
      id,
      question: def.question,
      reading,
      label: readingLabel(id, reading),
      changesOutcome: changed.size > 0,
      changes: [...changed],
      changesObligations: obligationsChanged,
      alternatives,
    };
  });
}
