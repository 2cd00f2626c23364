/**
 * Conditions shared between determinations are cached per process (src/law/part740/exception.ts).
 * An answer must never depend on which transactions were checked before it in the same process
 * (red team: NAC's activity condition of 2023-11-17, which covered transfers, was served to a
 * 2026 transfer, and the reverse).
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/index.js';

const rtx = { type: 'ic', tpp: 5286, dieAreaMm2: 608.5, datacenter: false, producedOutsideUS: false };
const party = (c: string, hq: string, parent: string) => ({ name: 'Co', country: c, headquarters: hq, ultimateParentHeadquarters: parent, sector: 'private' });
const v1Transfer = { date: '2024-02-10', activity: 'transfer', from: 'CN', to: 'CN', item: rtx, quantity: 10, consignee: party('CN', 'CN', 'CN') };
const laterTransfer = { date: '2026-12-06', activity: 'transfer', from: 'VN', to: 'VN', item: rtx, quantity: 10, consignee: party('VN', 'VN', 'CN') };
const answer = (tx: unknown) => check(tx, { explain: false }).regimes.map((r) => [r.id, r.outcome, r.eligibleExceptions]);

describe('shared conditions do not leak between determinations', () => {
  it('a 2024 transfer and a 2026 transfer answer the same whichever is checked first', () => {
    const first = [answer(v1Transfer), answer(laterTransfer)];
    const reverse = [answer(laterTransfer), answer(v1Transfer)].reverse();
    expect(reverse).toEqual(first);
    // 740.8(a) of 2023-11-17: NAC covered transfers within Macau or D:5.
    expect(first[0]).toEqual([['codified', 'license_exception', ['NAC']], ['enforced', 'license_exception', ['NAC']]]);
    // From 2024-04-04 NAC covers only exports and reexports; ACA excludes this HQ-D5 consignee.
    expect(first[1]!.every(([, outcome]) => outcome === 'license_required')).toBe(true);
  });
});

describe('740.8 datacenter condition, shared per ECCN and flag', () => {
  // A 3A090.a IC to a D:1 destination outside D:5 (where NAC/ACA turn on the datacenter exclusion).
  const ic = (datacenter: boolean | undefined) => ({ date: '2024-06-03', to: 'SA', item: { type: 'ic', tpp: 5286, dieAreaMm2: 608.5, ...(datacenter === undefined ? {} : { datacenter }) }, quantity: 10, consignee: party('SA', 'SA', 'SA') });
  const datacenterCondition = (tx: unknown) => {
    const d = check(tx);
    const aca = d.exceptions.find((e) => e.code === 'ACA')!;
    return { condition: aca.conditions.find((c) => c.id === 'not-datacenter-3a090a'), int13: d.interpretations.some((u) => u.id === 'INT-13') };
  };

  it('gives each flag its own status and detail, whichever came first, and relies on INT-13 every time the flag is unknown', () => {
    const order = [true, false, undefined, undefined, false, true];
    const seen = order.map((dc) => datacenterCondition(ic(dc)));
    const again = [...order].reverse().map((dc) => datacenterCondition(ic(dc))).reverse();
    expect(again).toEqual(seen);
    expect(seen[0]!.condition).toMatchObject({ status: 'not_met', detail: 'A datacenter item meeting 3A090.a: excluded from NAC and ACA.' });
    expect(seen[1]!.condition).toMatchObject({ status: 'met', detail: 'Not designed or marketed for datacenters.' });
    expect(seen[2]!.condition).toMatchObject({ status: 'unknown' });
    expect(seen.map((s) => s.int13)).toEqual([false, false, true, true, false, false]);
  });
});
