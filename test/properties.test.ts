/**
 * Invariants of the engine, checked on generated transactions (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, type Determination } from '../src/index.js';
import { Determination as DeterminationSchema } from '../src/contract/determination.js';
import { countryOn } from '../src/data/country-groups.js';
import { interpretation } from '../src/data/interpretations.js';
import { ledgerProbe } from '../src/engine/ledger-probe.js';
import { computerItem, country, maybe, party, transaction } from './arbitraries.js';

const run = (tx: unknown): Determination => check(tx, { explain: false });
const statusOf = (d: Determination, code: string) => d.exceptions.find((e) => e.code === code)?.status;

describe('engine invariants', () => {
  it('every determination matches the output schema, and outcome is license_exception exactly when an exception is eligible', () => {
    fc.assert(
      fc.property(transaction, (tx) => {
        const d = check(tx);
        expect(DeterminationSchema.safeParse(d).success).toBe(true);
        expect(d.outcome === 'license_exception').toBe(d.exceptions.some((e) => e.status === 'eligible'));
        if (d.licenseRequired === 'no') {
          expect(d.exceptions).toEqual([]);
          expect(d.reviewPolicy).toBeNull();
          expect(['no_license_required', 'not_subject']).toContain(d.outcome);
        }
        if (d.outcome === 'license_required') expect(d.licenseRequired).toBe('yes');
        for (const e of d.exceptions) {
          const derived = e.conditions.some((c) => c.status === 'not_met') ? 'not_eligible' : e.conditions.some((c) => c.status === 'unknown') ? 'unknown' : 'eligible';
          expect(e.status, `${e.code} status follows its conditions`).toBe(derived);
          if (e.status === 'not_eligible') expect(e.obligations).toEqual([]);
        }
        // Every interpretation relied on says whether another reading changes the answer, except those
        // whose reading is applied by whoever counted the ledger figures (stage 'view': INT-9, INT-31, …).
        for (const i of d.interpretations) {
          if (interpretation(i.id).stage === 'view') expect(i.changesOutcome).toBeUndefined();
          else expect(i.changesOutcome).toBe((i.changes ?? []).length > 0);
        }
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 400) },
    );
  });

  it('a party headquartered (or with an ultimate parent) in Macau or D:5 never gets AIA, LPP or ACM', () => {
    fc.assert(
      fc.property(transaction, fc.constantFrom('CN', 'HK', 'MO', 'RU', 'IR'), fc.boolean(), (tx, tier3, viaParent) => {
        const consignee = { ...(tx.consignee as object), [viaParent ? 'ultimateParentHeadquarters' : 'headquarters']: tier3 };
        const d = run({ ...tx, consignee });
        for (const code of ['AIA', 'LPP', 'ACM']) expect(statusOf(d, code) ?? 'not listed', code).not.toBe('eligible');
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 300) },
    );
  });

  it('placing a receiving party in Macau or D:5 never opens an exception or lowers the review policy', () => {
    // NAC (and HBM) are the exceptions for those places; every other one may only close.
    const rank: Record<string, number> = { presumption_of_approval: 0, approval_within_allocation: 1, case_by_case: 2, denial_over_allocation: 3, presumption_of_denial: 4 };
    fc.assert(
      fc.property(transaction, fc.constantFrom('CN', 'MO', 'RU', 'IR'), (tx, place) => {
        const before = run(tx);
        const endUser = { ...((tx.endUser ?? tx.consignee) as object), country: place };
        const after = run({ ...tx, endUser });
        for (const code of ['AIA', 'ACM', 'LPP', 'ACA']) {
          if (statusOf(before, code) === 'not_eligible') expect(statusOf(after, code) ?? 'not listed', code).not.toBe('eligible');
        }
        if (before.reviewPolicy && after.reviewPolicy) expect(rank[after.reviewPolicy]!, `${before.reviewPolicy} → ${after.reviewPolicy}`).toBeGreaterThanOrEqual(rank[before.reviewPolicy]!);
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 300) },
    );
  });

  it('a rule aidr does not evaluate (de minimis) never yields "not subject"', () => {
    fc.assert(
      fc.property(transaction, fc.boolean(), (tx, fdpKnown) => {
        const t = structuredClone(tx) as Record<string, any>;
        if (t.item.type === 'iaas_training' || t.activity === 'export' || t.activity === 'deemed_export' || t.to === 'US') return;
        t.item.producedOutsideUS = true;
        if (t.item.type === 'ic' || t.item.type === 'computer') {
          if (t.item.type === 'ic' && t.item.model) return; // a U.S.-designed catalog chip is a direct product (734.9(h))
          if (fdpKnown) t.item.foreignDirectProduct = false;
        }
        const d = run(t);
        if (t.item.type === 'model_weights' && t.item.published === true) return; // 734.7(a) is evaluated
        expect(d.subjectToEar).not.toBe('no');
        expect(d.outcome).not.toBe('not_subject');
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 300) },
    );
  });

  it('a commodity\'s consignee located elsewhere than the destination is always refused at consignee.country', () => {
    fc.assert(
      fc.property(transaction, country, (tx, elsewhere) => {
        const t = tx as Record<string, any>;
        if (t.item.type === 'model_weights' || t.item.type === 'iaas_training' || elsewhere === t.to || String(t.activity).startsWith('deemed')) return;
        expect(() => check({ ...t, consignee: { ...t.consignee, country: elsewhere } })).toThrow(/^consignee\.country:/);
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 200) },
    );
  });

  it('a computer whose own datacenter flag is not given never gets NAC or ACA as eligible when it may meet 3A090.a', () => {
    fc.assert(
      fc.property(transaction, computerItem, (tx, item) => {
        const d = run({ ...tx, activity: 'export', from: 'US', item, to: tx.to === 'US' ? 'DE' : tx.to, consignee: { ...(tx.consignee as object), country: undefined } });
        if (d.classification.eccn === '4A090.a') for (const code of ['NAC', 'ACA']) expect(statusOf(d, code) ?? 'not listed', code).not.toBe('eligible');
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 200) },
    );
  });

  it('learning an unknown fact never changes an answer that was known', () => {
    const fill = fc.record({
      headquarters: country,
      ultimateParentHeadquarters: country,
      sector: fc.constantFrom('private' as const, 'government' as const),
      published: fc.boolean(),
      datacenter: fc.boolean(),
      dieAreaMm2: fc.integer({ min: 100, max: 2000 }),
      producedOutsideUS: fc.boolean(),
      trainedOnControlledComputing: fc.boolean(),
      storage: fc.boolean(),
      employee: fc.boolean(),
      deMinimis: fc.boolean(),
    });
    fc.assert(
      fc.property(transaction, fill, (tx, v) => {
        const before = run(tx);
        const t = structuredClone(tx) as Record<string, any>;
        t.consignee.headquarters ??= v.headquarters;
        t.consignee.ultimateParentHeadquarters ??= v.ultimateParentHeadquarters;
        t.consignee.sector ??= v.sector;
        if (t.endUser) {
          t.endUser.headquarters ??= v.headquarters;
          t.endUser.ultimateParentHeadquarters ??= v.ultimateParentHeadquarters;
          t.endUser.sector ??= v.sector;
        }
        if (t.item.type === 'model_weights') {
          t.item.published ??= v.published;
          t.item.producedOutsideUS ??= v.producedOutsideUS;
          t.item.trainedOnControlledComputing ??= v.trainedOnControlledComputing;
          t.item.usContentAboveDeMinimis ??= v.deMinimis;
        }
        if (t.item.type === 'ic' && t.item.tpp !== undefined) {
          t.item.datacenter ??= v.datacenter;
          t.item.dieAreaMm2 ??= v.dieAreaMm2;
        }
        t.facts.storageMeetsSupp10Security ??= v.storage;
        t.facts.permanentRegularEmployee ??= v.employee;
        const after = run(t);
        const pairs: [string, string | null | undefined, string | null | undefined][] = [
          ['subjectToEar', before.subjectToEar, after.subjectToEar],
          ['licenseRequired', before.licenseRequired, after.licenseRequired],
          ...['AIA', 'ACM', 'LPP', 'NAC', 'ACA'].map((c) => [`exception ${c}`, statusOf(before, c), statusOf(after, c)] as [string, string | undefined, string | undefined]),
        ];
        for (const [what, b, a] of pairs) {
          if (b !== undefined && b !== 'unknown' && (what === 'subjectToEar' || what === 'licenseRequired' || before.licenseRequired === 'yes')) {
            expect(a, `${what} was ${b}`).toBe(b);
          }
        }
        if (before.outcome === 'no_license_required' && before.subjectToEar === 'unknown') {
          // "No license either way": learning jurisdiction may only sharpen it to not_subject.
          expect(['no_license_required', 'not_subject']).toContain(after.outcome);
        } else if (before.outcome === 'license_exception' && before.licenseRequired !== 'yes') {
          // "If a license is needed, an exception covers it": learning may show none is needed.
          expect(['license_exception', 'no_license_required', 'not_subject']).toContain(after.outcome);
        } else if (before.outcome !== 'indeterminate') expect(after.outcome).toBe(before.outcome);
        if (before.classification.eccn !== null) expect(after.classification.eccn).toBe(before.classification.eccn);
      }),
      { numRuns: Number(process.env.AIDR_FC_RUNS ?? 400) },
    );
  });

  it('the lean output makes the same decision as the full output', () => {
    fc.assert(
      fc.property(transaction, (tx) => {
        const full = check(tx);
        const lean = check(tx, { explain: false });
        const decision = (d: Determination) => ({
          eccn: d.classification.eccn,
          subjectToEar: d.subjectToEar,
          licenseRequired: d.licenseRequired,
          outcome: d.outcome,
          reviewPolicy: d.reviewPolicy,
          exceptions: d.exceptions.map((e) => [e.code, e.status, e.obligations]),
          missingFacts: d.missingFacts,
          redFlags: d.redFlags,
          warnings: d.warnings,
        });
        expect(decision(lean)).toEqual(decision(full));
        lean.exceptions.forEach((e, i) => {
          // Lean lists the conditions up to the first one not met: a prefix of the full list.
          const prefix = full.exceptions[i]!.conditions.slice(0, e.conditions.length).map(({ id, status, citation }) => ({ id, status, citation }));
          expect(e.conditions).toEqual(prefix);
        });
        // Both rely on the same interpretations: what full evaluates past a condition not met is shown, not relied on.
        expect(lean.interpretations.map((x) => [x.id, x.reading])).toEqual(full.interpretations.map((x) => [x.id, x.reading]));
      }),
      { numRuns: 150 },
    );
  });

  it('an answer that never read the ledger is the answer under any ledger (the HTTP evaluate path skips the store then)', () => {
    const tpp = fc.constantFrom('0', '1', '1432', '26899999', '26900000', '790000000', '1500000000');
    const ledger = fc.record({ lppUsedTpp: maybe(tpp), aiaCumulativeTpp: maybe(tpp), countryLicensedTpp: maybe(tpp) });
    fc.assert(
      fc.property(transaction, ledger, fc.boolean(), (tx, view, explain) => {
        const probe = ledgerProbe();
        let probed: Determination;
        try {
          probed = check(tx, { explain, ledger: probe.view });
        } catch {
          return; // refused input is refused whatever the ledger
        }
        if (probe.wasRead()) return;
        expect(JSON.stringify(check(tx, { explain, ledger: view }))).toBe(JSON.stringify(probed));
      }),
      { numRuns: 300 },
    );
  });

  it('Tier 3 destinations always get a presumption of denial for .a chips', () => {
    fc.assert(
      fc.property(fc.constantFrom('CN', 'HK', 'MO', 'RU', 'IR', 'KP', 'VE'), fc.constantFrom('nvidia-h100-sxm', 'nvidia-l40s', 'amd-mi300x'), party, (to, model, consignee) => {
        expect(countryOn(to, '2025-06-02').tier).toBe(3);
        const d = run({ date: '2025-06-02', to, item: { type: 'ic', model }, consignee: { ...consignee, country: consignee.country && to } });
        expect(d.licenseRequired).toBe('yes');
        expect(d.reviewPolicy).toBe('presumption_of_denial');
      }),
      { numRuns: 100 },
    );
  });
});
