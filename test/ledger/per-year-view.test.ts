/**
 * The stored-ledger view follows the readings that count a figure per calendar year (red team 2,
 * D4): INT-31=per_calendar_year counts the AIA total of the determination's year (740.27(c)),
 * INT-9=per_calendar_year the TPP licensed to the country in that year (742.6(b)(10)(iii)(B)), on
 * the commit path (`buildLedgerView`) and on the screen/check path (`storeLedger` + `Batch`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseTransaction } from '../../src/contract/parse.js';
import { buildLedgerView, commitTransaction, recordFact } from '../../src/ledger/index.js';
import { Batch, ledgerNeeds } from '../../src/screen/evaluate.js';
import { storeLedger } from '../../src/screen/sources.js';
import type { EvalOptions } from '../../src/engine/context.js';
import { BACKENDS, backend, type Backend } from '../store/backends.js';

/** A 3A090.a datacenter IC of 10,000 TPP per unit. */
const IC = { type: 'ic', tpp: 10000, dieAreaMm2: 800, datacenter: true } as const;
const aia = (id: string, quantity: number, date: string, consignee: string) =>
  parseTransaction({ id, date, to: 'DE', item: IC, quantity, consignee: { id: consignee, country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US', sector: 'private' } });
const PER_YEAR_AIA: EvalOptions = { interpretations: { 'INT-31': 'per_calendar_year' }, explain: false };
const H100 = { type: 'ic', model: 'nvidia-h100-sxm' } as const;

describe.each(BACKENDS)('per-calendar-year readings of the stored view: $name', ({ name, skip }) => {
  const made: Backend[] = [];
  afterAll(async () => {
    for (const b of made) await b.destroy();
  });
  const open = async () => {
    const b = backend(name);
    made.push(b);
    return b.open();
  };

  it.skipIf(skip)('INT-31 per_calendar_year: 252,990,000 AIA TPP in 2025 and 10,000 in 2026 give no certification notice in 2026; all years do', async () => {
    const store = await open();
    try {
      await commitTransaction(store, aia('a1', 25299, '2025-06-02', 'y-co'), PER_YEAR_AIA, { actor: 't' });
      const r = await commitTransaction(store, aia('a2', 1, '2026-02-01', 'y-co'), PER_YEAR_AIA, { actor: 't' });
      expect(r.exception).toBe('AIA');
      expect(r.notices).toEqual([]);
      expect((await buildLedgerView(store, aia('a3', 1, '2026-03-01', 'y-co'), '2026-03-01', 'ultimate_parent', undefined, PER_YEAR_AIA.interpretations)).view.aiaCumulativeTpp).toBe('10000');
      // The default reading counts every year: 253,000,000 reached.
      const all = await buildLedgerView(store, aia('a3', 1, '2026-03-01', 'y-co'), '2026-03-01', 'ultimate_parent');
      expect(all.view.aiaCumulativeTpp).toBe('253000000');
      const again = await commitTransaction(store, aia('a4', 1, '2026-03-01', 'y-co'), { explain: false }, { actor: 't' });
      expect(again.notices.join(' ')).toMatch(/740\.27\(c\)/);

      // The screen/check path: the stored year, plus the earlier lines of the batch in that year.
      const source = await storeLedger(store);
      const batch = new Batch(source, PER_YEAR_AIA);
      const lines = [aia('s1', 25298, '2026-04-01', 'y-co'), aia('s2', 1, '2026-04-01', 'y-co')];
      for (const tx of lines) {
        const need = ledgerNeeds(tx, PER_YEAR_AIA);
        await source.prefetch(need.accounts, need.country ? [need.country] : []);
      }
      const [a, b] = lines.map((tx) => batch.evaluate(tx).determination);
      // 2026 so far: 10,000 + 10,000 stored; s1 adds 252,980,000: 253,000,000, the certification goes to BIS.
      const total = (d: typeof a) => d!.exceptions.find((e) => e.code === 'AIA')!.obligations.map((o) => /cumulative AIA TPP for this consignee would be (\d+)/.exec(o.what)?.[1]).find(Boolean);
      const submit = (d: typeof a) => d!.exceptions.find((e) => e.code === 'AIA')!.obligations.some((o) => /^Submit the ultimate consignee certification/.test(o.what));
      expect([total(a), submit(a)]).toEqual(['253000000', true]);
      expect([total(b), submit(b)]).toEqual(['253010000', true]);
      const small = new Batch(source, PER_YEAR_AIA).evaluate(aia('s3', 1, '2026-04-01', 'y-co')).determination;
      expect([total(small), submit(small)]).toEqual(['30000', false]);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('INT-9 per_calendar_year: 789,990,000 TPP licensed to BR in 2025 leaves 2026 within the allocation', async () => {
    const store = await open();
    try {
      await recordFact(store, { account: 'country_allocation:BR', tpp: '789990000', date: '2025-06-01', actor: 't' });
      const tx = parseTransaction({ id: 'x', date: '2026-06-02', to: 'BR', item: H100, quantity: 10, viaDistributor: true, consignee: { id: 'cx', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', sector: 'private' } });
      const perYear: EvalOptions = { interpretations: { 'INT-9': 'per_calendar_year' }, explain: false };
      const decide = async (opts: EvalOptions) => {
        const source = await storeLedger(store);
        const need = ledgerNeeds(tx, opts);
        await source.prefetch(need.accounts, need.country ? [need.country] : []);
        return new Batch(source, opts).evaluate(tx).determination;
      };
      expect((await decide(perYear)).reviewPolicy).toBe('approval_within_allocation');
      expect((await decide({ explain: false })).reviewPolicy).toBe('denial_over_allocation');
      const built = await buildLedgerView(store, tx, '2026-06-02', 'ultimate_parent', undefined, perYear.interpretations);
      expect(built.view.countryLicensedTpp).toBe('0');
      expect((await buildLedgerView(store, { ...tx, date: '2025-07-01' }, '2025-07-01', 'ultimate_parent', undefined, perYear.interpretations)).view.countryLicensedTpp).toBe('789990000');
    } finally {
      await store.close();
    }
  });
});
