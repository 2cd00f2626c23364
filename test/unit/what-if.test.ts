/**
 * What-if (src/engine/what-if.ts): every change it proposes is checked here against the engine on
 * both sides of the line it draws.
 */
import { describe, expect, it } from 'vitest';
import { check, parseTransaction } from '../../src/index.js';
import { whatIf, applyChanges } from '../../src/engine/what-if.js';

const H100_BR = parseTransaction({
  id: 'PO-BR', date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10000,
  consignee: { id: 'br-dc', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'],
});
const lpp = (d: ReturnType<typeof check>) => d.exceptions.find((e) => e.code === 'LPP')!.status;

describe('what-if: the LPP quantity', () => {
  it('10,000 H100 to a Brazilian data center: at most 1,699 units under LPP (26,900,000 / 15,832 = 1,699.03)', () => {
    const w = whatIf(H100_BR);
    expect(w.outcome).toBe('license_required');
    const e = w.exceptions.find((x) => x.code === 'LPP')!;
    expect(e.changes).toEqual([{ path: 'quantity', from: 10000, to: 1699 }]);
    expect(e.evaluated).toEqual({ outcome: 'license_exception', status: 'eligible' });
    expect(e.summary).toBe('To ship under LPP: at most 1,699 units (now 10,000).');
    // Both sides of the line, by the engine itself.
    expect(lpp(check({ ...H100_BR, quantity: 1699 }))).toBe('eligible');
    expect(lpp(check({ ...H100_BR, quantity: 1700 }))).toBe('not_eligible');
    expect(1699 * 15832).toBeLessThanOrEqual(26_900_000);
    expect(1700 * 15832).toBeGreaterThan(26_900_000);
  });

  it('counts what the consignee already received this year (the ledger view)', () => {
    const w = whatIf(H100_BR, { ledger: { lppUsedTpp: 26_900_000 - 15_832 * 10 } });
    expect(w.exceptions.find((x) => x.code === 'LPP')!.changes).toEqual([{ path: 'quantity', from: 10000, to: 10 }]);
    const full = whatIf(H100_BR, { ledger: { lppUsedTpp: 26_900_000 - 15_831 } });
    const e = full.exceptions.find((x) => x.code === 'LPP')!;
    expect(e.changes).toBeUndefined();
    expect(e.summary).toMatch(/no room is left under the annual cap for even one unit/);
  });

  it('shipping directly instead of through a distributor, evaluated with the quantity', () => {
    const w = whatIf({ ...H100_BR, viaDistributor: true, quantity: 100 });
    const e = w.exceptions.find((x) => x.code === 'LPP')!;
    expect(e.changes).toEqual([{ path: 'viaDistributor', from: true, to: false }]);
    expect(lpp(check({ ...H100_BR, viaDistributor: true, quantity: 100 }))).toBe('not_eligible');
    expect(lpp(check(applyChanges({ ...H100_BR, viaDistributor: true, quantity: 100 }, e.changes!)))).toBe('eligible');
    const both = whatIf({ ...H100_BR, viaDistributor: true }).exceptions.find((x) => x.code === 'LPP')!;
    expect(both.changes).toEqual([{ path: 'viaDistributor', from: true, to: false }, { path: 'quantity', from: 10000, to: 1699 }]);
  });
});

describe('what-if: facts the exporter cannot change', () => {
  it('AIA to Brazil fails on where the consignee is located and headquartered: named, not changeable, no change proposed', () => {
    const e = whatIf(H100_BR).exceptions.find((x) => x.code === 'AIA')!;
    expect(e.changes).toBeUndefined();
    expect(e.blockers.map((b) => [b.condition, b.changeable])).toEqual([
      ['consignee-located-in-supp5a', false], ['consignee-headquartered-in-supp5a', false],
    ]);
    expect(e.summary).toMatch(/cannot be made available by changes the exporter controls/);
  });

  it('LPP to a D:5 destination: the country group is a blocker; the quantity is not offered', () => {
    const w = whatIf(parseTransaction({ ...H100_BR, to: 'CN', consignee: { id: 'x', country: 'CN', headquarters: 'CN', ultimateParentHeadquarters: 'CN' } }));
    const e = w.exceptions.find((x) => x.code === 'LPP')!;
    expect(e.blockers.some((b) => b.condition === 'destination-not-macau-d5' && !b.changeable)).toBe(true);
    expect(e.changes).toBeUndefined();
  });

  it('eligible exceptions are not listed; an eligible AIA shipment to Germany proposes nothing for AIA', () => {
    const w = whatIf(parseTransaction({ ...H100_BR, to: 'DE', consignee: { id: 'de', country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US' } }));
    expect(w.outcome).toBe('license_exception');
    expect(w.exceptions.map((e) => e.code)).not.toContain('AIA');
  });
});

describe('what-if: storage for model weights (a fact the exporter can arrange)', () => {
  it('AIA (a)(3) for weights to a Supp. 5(a)-headquartered recipient outside Supp. 5(a): storage is what it turns on', () => {
    const tx = parseTransaction({
      date: '2026-02-01', to: 'IN', item: { type: 'model_weights', trainingOperations: '2e26' },
      consignee: { id: 'in-lab', country: 'IN', headquarters: 'US', ultimateParentHeadquarters: 'US' }, facts: { storageMeetsSupp10Security: false },
    });
    const e = whatIf(tx).exceptions.find((x) => x.code === 'AIA')!;
    expect(e.changes).toEqual([{ path: 'facts.storageMeetsSupp10Security', from: false, to: true }]);
    expect(check(applyChanges(tx, e.changes!)).exceptions.find((x) => x.code === 'AIA')!.status).toBe('eligible');
  });
});

describe('what-if: missing facts', () => {
  it('an unknown datacenter flag: each answer evaluated', () => {
    const tx = parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'ic', tpp: 4000, dieAreaMm2: 600 }, consignee: { id: 'b', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } });
    const w = whatIf(tx);
    const m = w.missingFacts.find((x) => x.path === 'item.datacenter')!;
    expect(m.answers.map((a) => a.value)).toEqual([true, false]);
    for (const a of m.answers) expect(a.outcome).toBe(check({ ...tx, item: { ...tx.item, datacenter: a.value } }).outcome);
  });

  it('Supp. No. 8 status is not a yes/no fact: a listed entity and none are evaluated, and they differ (red team, 2026-12-06)', () => {
    const tx = parseTransaction({ date: '2026-08-01', to: 'AE', quantity: 8, item: { type: 'ic', model: 'nvidia-h100-sxm' }, consignee: { name: 'X', country: 'AE', headquarters: 'AE', ultimateParentHeadquarters: 'AE', sector: 'private' } });
    const m = whatIf(tx, { regime: 'enforced' }).missingFacts.find((x) => x.path === 'facts.supp8Entity')!;
    expect(m.answers.map((a) => [a.value, a.outcome])).toEqual([['uae-government', 'no_license_required'], ['none', 'license_required']]);
  });
});

describe('what-if: classification thresholds (exact, from data/parameters.json)', () => {
  it('an H100 (TPP 15,832, 814 mm²): more than 11,032 TPP above 4800; below it, at this die area, 3A090.b', () => {
    const w = whatIf(H100_BR);
    const tpp = w.classification.find((c) => c.measure === 'tpp' && c.direction === 'down')!;
    // 5.92 x 814 = 4818.88 is passed first, but 3A090.a.1 (TPP >= 4800) still holds between the two.
    expect(tpp).toMatchObject({ threshold: '4800', distance: '11032', current: '15832', across: ['3A090.b'] });
    const item = (t: number) => ({ type: 'ic' as const, tpp: t, dieAreaMm2: 814, datacenter: true });
    expect(check({ ...H100_BR, item: item(4800) }).classification.eccn).toBe('3A090.a');
    expect(check({ ...H100_BR, item: item(4799.99) }).classification.eccn).toBe('3A090.b');
    // At 15,832 TPP, 3A090.a.1 holds whatever the die area: no density threshold is reported.
    expect(w.classification.filter((c) => c.measure === 'performanceDensity')).toEqual([]);
    expect(w.classification.some((c) => c.direction === 'up')).toBe(false);
  });

  it('an IC just below 4800 TPP with no die area: 1 TPP from 3A090.a.1', () => {
    const tx = parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'ic', tpp: 4799, datacenter: true, dieAreaMm2: 2000 }, consignee: { id: 'b', country: 'BR' } });
    const w = whatIf(tx);
    const up = w.classification.find((c) => c.measure === 'tpp' && c.direction === 'up')!;
    expect(up).toMatchObject({ threshold: '4800', distance: '1', across: ['3A090.a'] });
    expect(check({ ...tx, item: { ...tx.item, tpp: 4800 } }).classification.eccn).toBe('3A090.a');
    expect(check(tx).classification.eccn).not.toBe('3A090.a');
  });

  it('a 2,000 TPP IC of 300 mm² (PD 6.67, 3A090.a.2): the density threshold 5.92, both sides checked', () => {
    const tx = parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'ic', tpp: 2000, dieAreaMm2: 300, datacenter: true }, consignee: { id: 'b', country: 'BR' } });
    const w = whatIf(tx);
    const pd = w.classification.find((c) => c.measure === 'performanceDensity' && c.direction === 'down')!;
    expect(pd).toMatchObject({ threshold: '5.92', across: ['3A090.b'] });
    // 2000 / 5.92 = 337.83...: at 337.83 mm² still 3A090.a, at 337.84 mm² 3A090.b.
    expect(check({ ...tx, item: { ...tx.item, dieAreaMm2: 337.83 } }).classification.eccn).toBe('3A090.a');
    expect(check({ ...tx, item: { ...tx.item, dieAreaMm2: 337.84 } }).classification.eccn).toBe('3A090.b');
    expect(pd.summary).toContain('a die area above 337.84 mm²');
  });

  it('weights: the distance to 10^26 operations, both sides', () => {
    const below = whatIf(parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'model_weights', trainingOperations: '99999999999999999999999999', published: false }, consignee: { country: 'BR' } }));
    expect(below.classification[0]).toMatchObject({ direction: 'up', distance: '1', threshold: '100000000000000000000000000' });
    const above = whatIf(parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'model_weights', trainingOperations: '2e26', published: false }, consignee: { country: 'BR' } }));
    expect(above.classification[0]).toMatchObject({ direction: 'down', distance: '100000000000000000000000000' });
    // Exactly 10^26: what the threshold itself is depends on INT-3; the wording follows the engine's answers.
    const at = parseTransaction({ date: '2025-06-02', to: 'BR', item: { type: 'model_weights', trainingOperations: '1e26', published: false }, consignee: { country: 'BR' } });
    const eccnAt = check(at).classification.eccn;
    const w = whatIf(at).classification[0]!;
    if (eccnAt === '4E091') expect(w).toMatchObject({ direction: 'down', distance: '0', across: [null] });
    else expect(w).toMatchObject({ direction: 'up', distance: '0', across: ['4E091'] });
    expect(w.summary).toMatch(eccnAt === '4E091' ? /fall by more than 0, below 1e26/ : /rise by more than 0, above/);
    // The sentences use the exact short form (the fields keep every digit): 10^26 − 1 is not 1e26.
    expect(below.classification[0]!.summary).toMatch(/^Training operations 9\.9999999999999999999999999e25 would have to rise by 1, to 1e26 /);
    expect(above.classification[0]!.summary).toMatch(/^Training operations 2e26 would have to fall by more than 1e26, below 1e26 /);
    // Published weights are outside 4E091 whatever the operations: no threshold to report.
    expect(whatIf(parseTransaction({ ...at, item: { ...at.item, published: true } })).classification).toEqual([]);
  });
});

describe('aidr check --what-if', async () => {
  const { spawnSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
  const run = (args: string[], input: string) => spawnSync(bin, args, { input, encoding: 'utf8' });

  it('JSON: the what-if object; text: "To ship under LPP: at most 1,699 units"', () => {
    const json = run(['check', '-', '--what-if'], JSON.stringify(H100_BR));
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).exceptions.find((e: { code: string }) => e.code === 'LPP').changes).toEqual([{ path: 'quantity', from: 10000, to: 1699 }]);
    const text = run(['check', '-', '--what-if', '--format', 'text'], JSON.stringify(H100_BR));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('To ship under LPP: at most 1,699 units (now 10,000).');
    expect(text.stdout).toContain('cannot change: consignee-located-in-supp5a');
  });

  it('with --commit: a usage error (exit 2)', () => {
    const r = run(['check', '-', '--what-if', '--commit'], JSON.stringify(H100_BR));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--what-if does not commit');
  });
});
