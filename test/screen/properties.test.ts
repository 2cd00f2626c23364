/**
 * Invariants of screening a batch (fast-check): whatever the order of lines and consignees, the
 * LPP that a file's lines would draw never exceeds any ultimate consignee's cap, a line is refused
 * LPP by the cap exactly when the earlier lines' draws leave too little room, and how a consignee
 * id is spelled never changes which account it draws on, and the regime the main answer follows
 * never changes what the codified answer adds up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTransaction } from '../../src/contract/parse.js';
import { accountId } from '../../src/ledger/accounts.js';
import { ledgerKeys } from '../../src/ledger/view.js';
import { normalizeKey } from '../../src/parties/key.js';
import { Batch, NO_LEDGER } from '../../src/screen/evaluate.js';

const CAP = 26_900_000;
const H100 = 15_832;

const line = (consignee: string, quantity: number) => parseTransaction({
  date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity,
  consignee: { id: consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'],
});

const spellings = (id: string) => fc.constantFrom(id, id.toUpperCase(), ` ${id} `, id.replace('-', '-'));

describe('batch invariants', () => {
  it('LPP drawn per consignee never exceeds the cap; a line is refused exactly when the room is short', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom('acme-br', 'dados', 'nuvem'), fc.integer({ min: 1, max: 1200 })), { minLength: 1, maxLength: 40 }),
      (lines) => {
        const batch = new Batch(NO_LEDGER, { explain: false });
        const used = new Map<string, number>();
        for (const [c, q] of lines) {
          const r = batch.evaluate(line(c, q));
          const before = used.get(c) ?? 0;
          const fits = before + q * H100 <= CAP;
          expect(r.exception === 'LPP', `${c} ${q} after ${before}`).toBe(fits);
          if (fits) used.set(c, before + q * H100);
          expect(Number(r.lppLeftTpp)).toBe(CAP - (used.get(c) ?? 0));
        }
        for (const u of used.values()) expect(u).toBeLessThanOrEqual(CAP);
      },
    ), { numRuns: 60 });
  });

  it('any spelling of one consignee id draws on one account', () => {
    fc.assert(fc.property(fc.array(spellings('acme-br'), { minLength: 2, maxLength: 6 }), (names) => {
      const batch = new Batch(NO_LEDGER, { explain: false });
      const lefts = names.map((n) => Number(batch.evaluate(line(n, 400)).lppLeftTpp));
      lefts.forEach((left, i) => expect(left).toBe(CAP - Math.min(i + 1, Math.floor(CAP / (400 * H100))) * 400 * H100));
      expect(new Set(names.map(normalizeKey)).size).toBe(1);
    }), { numRuns: 40 });
  });

  it('a line draws on the accounts ledgerKeys names, whatever its id, name, parent and year', () => {
    const party = fc.record({
      id: fc.constantFrom(undefined, '', ' ', 'acme-br', 'ACME-BR', ' acme-br', 'dados'),
      name: fc.constantFrom(undefined, 'Acme', 'acme-br', 'Dados SA'),
      ultimateParentId: fc.constantFrom(undefined, '', 'grp-1', 'GRP-1', 'dados'),
      date: fc.constantFrom('2025-06-02', '2025-11-20', '2026-03-01'),
    });
    fc.assert(fc.property(fc.array(party, { minLength: 1, maxLength: 30 }), (parties) => {
      const batch = new Batch(NO_LEDGER, { explain: false });
      const used = new Map<string, number>();
      for (const p of parties) {
        const tx = parseTransaction({
          date: p.date, to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 300,
          consignee: { ...(p.id === undefined ? {} : { id: p.id }), ...(p.name === undefined ? {} : { name: p.name }), ...(p.ultimateParentId === undefined ? {} : { ultimateParentId: p.ultimateParentId }), country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
          endUses: ['datacenter'],
        });
        const r = batch.evaluate(tx);
        const lpp = ledgerKeys(tx, p.date).lpp;
        if (!lpp) {
          expect(r.lppLeftTpp).toBeUndefined();
          continue;
        }
        const account = accountId(lpp.ultimate_parent);
        const before = used.get(account) ?? 0;
        if (r.exception === 'LPP') used.set(account, before + 300 * H100);
        expect(r.exception === 'LPP').toBe(before + 300 * H100 <= CAP);
        expect(Number(r.lppLeftTpp)).toBe(CAP - (used.get(account) ?? 0));
      }
    }), { numRuns: 60 });
  });

  it('INT-39 operator: lines of different consignees for one operator add up on the operator\'s account, as a commit draws them', () => {
    // Consignees headquartered in Germany (Supp. 5(a)) with another entity operating the items: the option of 740.29(a).
    const op = (consignee: string, operator: string) => parseTransaction({
      date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 300,
      consignee: { id: consignee, country: 'BR', headquarters: 'DE', ultimateParentHeadquarters: 'DE' },
      endUser: { id: operator, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'],
    });
    const lines = [op('de-one', 'op-br'), op('de-two', 'op-br'), op('de-one', 'op-other')];
    const left = (interpretations?: Record<string, string>) => {
      const batch = new Batch(NO_LEDGER, { explain: false, ...(interpretations ? { interpretations } : {}) });
      return lines.map((tx) => Number(batch.evaluate(tx).lppLeftTpp));
    };
    const one = 300 * H100;
    expect(left({ 'INT-39': 'operator' })).toEqual([CAP - one, CAP - 2 * one, CAP - one]);
    expect(left()).toEqual([CAP - one, CAP - one, CAP - 2 * one]);
    const keys = ledgerKeys(lines[1]!, '2025-06-02', { 'INT-39': 'operator' });
    expect(keys.lppParty).toBe('endUser');
  });

  it('under --regime enforced the codified answers add up as under the codified regime (red team 3, D3); no exception is used', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom('acme-br', 'dados'), fc.integer({ min: 1, max: 1200 })), { minLength: 1, maxLength: 20 }),
      (lines) => {
        const codified = new Batch(NO_LEDGER, { explain: false });
        const enforced = new Batch(NO_LEDGER, { explain: false, regime: 'enforced' });
        for (const [c, q] of lines) {
          const a = codified.evaluate(line(c, q));
          const b = enforced.evaluate(line(c, q));
          expect(b.determination.regimes.find((r) => r.id === 'codified')).toEqual(a.determination.regimes.find((r) => r.id === 'codified'));
          expect(b.exception).toBeNull();
        }
      },
    ), { numRuns: 40 });
  });

  it('normalizeKey is idempotent and ignores case and whitespace', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 10 })), (s) => {
      const k = normalizeKey(s);
      expect(normalizeKey(k)).toBe(k);
      expect(normalizeKey(` ${s.toUpperCase()}  `)).toBe(normalizeKey(s.toUpperCase()));
    }));
  });
});
