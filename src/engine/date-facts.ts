/**
 * What the engine asks of a determination's date on every evaluation (is 90 FR 4544 in force, is
 * compliance required, has BIS announced non-enforcement, which vintage, the ruleset's status…),
 * answered once per date and shared. A screening run meets a handful of dates; each question cost
 * a string comparison, or a loop of them, per evaluation, and each determination evaluates twice.
 */
import { DATES, statusOn } from '../data/ruleset.js';
import { COMPLIANCE_DEFERRALS, COVERAGE, REGIMES_DIVERGE_FROM, VINTAGES, vintageOn, type Vintage } from '../data/regimes.js';

export interface DateFacts {
  /** 90 FR 4544 is in effect (DATES.effective). */
  readonly inForce: boolean;
  /** Its compliance date has come (DATES.compliance). */
  readonly complianceRequired: boolean;
  /** BIS has announced that it will not enforce the rule (DATES.nonEnforcement). */
  readonly nonEnforcementAnnounced: boolean;
  /** On or after the first vintage modelled (2023-11-17). */
  readonly modeled: boolean;
  /** On or after the first date the two regimes can differ. */
  readonly regimesDiverge: boolean;
  readonly vintage: Vintage | undefined;
  /** The ruleset's status text on the date, and the same reported as not enforced (INT-10). */
  readonly status: string;
  readonly statusNotEnforced: string;
  /** Compliance is required with the codified text (no compliance deferral runs on the date). */
  readonly codifiedComplianceRequired: boolean;
  /** On or before the saving clause's last day. */
  readonly withinSavingClause: boolean;
  /** After the research's coverage. */
  readonly pastCoverage: boolean;
}

const byDate = new Map<string, DateFacts>();

export function dateFacts(asOf: string): DateFacts {
  let facts = byDate.get(asOf);
  if (facts === undefined) {
    if (byDate.size > 5_000) byDate.clear(); // dates given by callers are open-ended
    const status = statusOn(asOf);
    facts = {
      inForce: asOf >= DATES.effective,
      complianceRequired: asOf >= DATES.compliance,
      nonEnforcementAnnounced: asOf >= DATES.nonEnforcement,
      modeled: asOf >= VINTAGES[0]!.from,
      regimesDiverge: asOf >= REGIMES_DIVERGE_FROM,
      vintage: vintageOn(asOf),
      status,
      statusNotEnforced: `${status} Reported as not enforced (INT-10: enforcement_announced).`,
      codifiedComplianceRequired: !COMPLIANCE_DEFERRALS.some((d) => asOf >= d.effective && asOf < d.complianceFrom),
      withinSavingClause: asOf <= DATES.savingClauseEnd,
      pastCoverage: asOf > COVERAGE.through,
    };
    byDate.set(asOf, facts);
  }
  return facts;
}
