import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dateFacts } from '../../src/engine/date-facts.js';
import { DATES, RULESET, statusOn } from '../../src/data/ruleset.js';
import { COMPLIANCE_DEFERRALS, COVERAGE, REGIMES_DIVERGE_FROM, VINTAGES, vintageOn } from '../../src/data/regimes.js';

/** Every date the data names, the day before and after each, and random days from 2020 to 2030. */
const named = [
  ...Object.values(DATES), ...VINTAGES.map((v) => v.from), ...RULESET.status.map((s) => s.from), REGIMES_DIVERGE_FROM, COVERAGE.through,
  ...COMPLIANCE_DEFERRALS.flatMap((d) => [d.effective, d.complianceFrom]),
];
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const day = fc.integer({ min: 0, max: 3_650 }).map((n) => shift('2020-01-01', n));

describe('dateFacts answers what the direct comparisons answer', () => {
  const check = (asOf: string) => {
    const d = dateFacts(asOf);
    expect(d).toEqual({
      inForce: asOf >= DATES.effective,
      complianceRequired: asOf >= DATES.compliance,
      nonEnforcementAnnounced: asOf >= DATES.nonEnforcement,
      modeled: asOf >= VINTAGES[0]!.from,
      regimesDiverge: asOf >= REGIMES_DIVERGE_FROM,
      vintage: vintageOn(asOf),
      status: statusOn(asOf),
      statusNotEnforced: `${statusOn(asOf)} Reported as not enforced (INT-10: enforcement_announced).`,
      codifiedComplianceRequired: !COMPLIANCE_DEFERRALS.some((x) => asOf >= x.effective && asOf < x.complianceFrom),
      withinSavingClause: asOf <= DATES.savingClauseEnd,
      pastCoverage: asOf > COVERAGE.through,
    });
    // Cached per date: the same object for the same date, whatever string object carries it.
    expect(dateFacts(`${asOf}`)).toBe(d);
  };
  it('on every date the data names and the days around it', () => {
    for (const date of named) for (const days of [-1, 0, 1]) check(shift(date, days));
  });
  it('on any day', () => {
    fc.assert(fc.property(day, (asOf) => check(asOf)), { numRuns: 300 });
  });
});
