/**
 * Invariants of the Data Center VEU rules, on generated parties and installed bases (fast-check):
 * - a party headquartered, or with an ultimate parent headquartered, in Macau or Country Group D:5
 *   is never `eligible` for any VEU, under any reading of any interpretation (Supp. 10 para. 13);
 * - neither is any party before 2025-01-13, nor one whose deciding facts are missing;
 * - a U.S. territory is read as the United States by every limit (15 CFR 772.1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readingIds } from '../../src/data/interpretations.js';
import { allCountries } from '../../src/data/countries.js';
import { countryOn } from '../../src/data/country-groups.js';
import { veuCheck } from '../../src/law/part748/veu-check.js';
import { uveuCheck } from '../../src/law/part748/supp10-para6-uveu.js';

const DATE = '2025-08-01';
const ALL = allCountries();
const TIED = ALL.filter((c) => countryOn(c, DATE).macauOrD5);
const country = fc.constantFrom(...ALL);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const reading = (id: string) => fc.constantFrom(...readingIds(id));
const readings = fc.record({ 'INT-22': reading('INT-22'), 'INT-35': reading('INT-35'), 'INT-36': reading('INT-36'), 'INT-41': reading('INT-41') });
const date = fc.integer({ min: 0, max: 4 * 365 }).map((d) => new Date(Date.parse('2024-06-01T00:00:00Z') + d * 86_400_000).toISOString().slice(0, 10));
const party = fc.record({
  country: maybe(country), headquarters: maybe(country), ultimateParentHeadquarters: maybe(country),
  dataCenters: maybe(fc.array(country, { minLength: 1, maxLength: 4 })), govToGovArrangement: maybe(fc.boolean()),
});

describe('Data Center VEU invariants', () => {
  it('a Macau/D:5 headquarters or ultimate parent is never eligible for any VEU, under any reading', () => {
    fc.assert(fc.property(party, fc.constantFrom(...TIED), fc.boolean(), readings, date, (p, tied, viaParent, r, d) => {
      // Tied on the generated date (Cambodia, for one, left D:5 on 2026-02-03).
      fc.pre(countryOn(tied, d).macauOrD5);
      const x = viaParent ? { ...p, ultimateParentHeadquarters: tied } : { ...p, headquarters: tied };
      const out = veuCheck({ date: d, interpretations: r, party: x, uveu: { installedByCountry: { US: '1' } } }, DATE);
      expect(out.eligibility!.uveu.status).not.toBe('eligible');
      expect(out.eligibility!.nveu.status).not.toBe('eligible');
      if (d >= '2025-01-13') expect(out.uveu!.status).toBe('not_met');
    }), { numRuns: 400 });
  });

  it('eligible only when every condition is met and the rule was in force', () => {
    fc.assert(fc.property(party, readings, date, (p, r, d) => {
      const e = veuCheck({ date: d, interpretations: r, party: p }, DATE).eligibility!;
      for (const a of [e.uveu, e.nveu]) {
        if (a.status !== 'eligible') continue;
        expect(d >= '2025-01-13').toBe(true);
        expect(a.conditions.every((c) => c.status === 'met')).toBe(true);
        expect(a.missing).toEqual([]);
      }
    }), { numRuns: 400 });
  });

  it('a U.S. territory counts as the United States in every limit', () => {
    const territory = fc.constantFrom('PR', 'GU', 'VI', 'AS', 'MP', 'UM');
    const tpp = fc.integer({ min: 0, max: 1_000_000 }).map(String);
    fc.assert(fc.property(territory, tpp, tpp, tpp, (t, us, there, abroad) => {
      const a = uveuCheck({ headquarters: 'US', installedByCountry: { US: us, [t]: there, DE: abroad }, date: DATE });
      const b = uveuCheck({ headquarters: 'US', installedByCountry: { US: String(Number(us) + Number(there)), DE: abroad }, date: DATE });
      for (const id of ['outsideSupp5a', 'singleCountry', 'outsideUs'] as const) {
        expect(a.limits[id].status).toBe(b.limits[id].status);
        expect(a.limits[id].actualTpp).toBe(b.limits[id].actualTpp);
      }
    }), { numRuns: 200 });
  });
});
