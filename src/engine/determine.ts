/**
 * The public entry point: a validated Transaction in, a Determination (the contract's output) out.
 * Adds what no single rule knows: the ruleset's identity and status on the date, the
 * interpretations the answer relied on (re-evaluated under each alternative reading), the
 * explanation, the missing facts and the warnings. Each regime's answer is built in
 * regime-answers.ts, the top-level output in render.ts.
 */
import type { Determination, RegimeId } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { Ctx, readingsFrom, type EvalOptions, type LedgerView } from './context.js';
import { evaluateCore } from './evaluate.js';
import { interpretationUses } from './sensitivity.js';
import { otherRegimeAgrees } from '../law/provision.js';
import { complianceRequired, regimeAnswer, SAME_TEXTS, sameAnswer, sameDecision, sameReadings } from './regime-answers.js';
import { render } from './render.js';

/** No ledger figures given (read-only, shared). */
const NO_LEDGER: LedgerView = Object.freeze({});

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `ledger`, when given, stands for `opts.ledger` (a caller with a view per transaction need not copy its options for it). */
export function determine(tx: Transaction, opts: EvalOptions = {}, ledger: LedgerView = opts.ledger ?? NO_LEDGER): Determination {
  const asOf = opts.asOf ?? tx.date ?? today();
  const readings = readingsFrom(opts.interpretations);
  const explain = opts.explain !== false;
  const chosen = opts.regime ?? 'codified';
  // Only the chosen regime's sensitivity is analysed: only its evaluation records where each interpretation was consulted.
  const ctx = new Ctx(asOf, readings, ledger, explain, chosen, opts.sensitivity ?? explain);
  const diverge = ctx.dates.regimesDiverge;
  const core = evaluateCore(tx, ctx);
  const otherId: RegimeId = chosen === 'codified' ? 'enforced' : 'codified';
  const interpretations = interpretationUses(tx, core, readings, opts);
  const out = render(core, interpretations, explain);
  const mine = regimeAnswer(core, out);
  // Before the regimes can first differ (2025-01-13) both apply the same texts: one evaluation
  // answers both. After it the other regime is evaluated lean (its answer needs no explanation),
  // sharing the facts and the classification, which no version choice touches.
  // Also when every provision this evaluation consulted has the same version in the other regime.
  // The other regime's context is built only when needed (agreement is cached per date and texts).
  const otherCtx = () => new Ctx(asOf, readings, ledger, false, otherId, false);
  const agreement = diverge ? otherRegimeAgrees(core.ctx, otherCtx) : SAME_TEXTS;
  const theirs = agreement
    ? sameAnswer(mine, otherId, complianceRequired(otherId, asOf), agreement === SAME_TEXTS ? mine.readings : sameReadings(core.ctx, agreement))
    : regimeAnswer(evaluateCore(tx, otherCtx(), { f: core.f, cls: core.cls, aggregate: core.aggregate, readings: core.sharedReadings }));
  const answers = chosen === 'codified' ? [mine, theirs] : [theirs, mine];
  out.regime = chosen;
  out.regimes = answers;
  out.regimesDiffer = !sameDecision(answers[0]!, answers[1]!);
  return out;
}

