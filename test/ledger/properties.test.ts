/**
 * Property tests (fast-check): random sequences of reserve / commit / release / expire / draw,
 * with retried idempotency keys, never push used + reserved above the cap, and the append-only
 * history always sums to the balances. Random UVEU installations and transfers never leave the
 * group over the Supp. 10 para. 6 shares or in Macau/D:5, and a transfer never changes its total.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open.js';
import { commitReservation, draw, expireReservations, getAccount, listAccounts, releaseReservation, reserve, transfer, verifyLedger } from '../../src/ledger/index.js';
import { uveuCheck } from '../../src/law/part748/supp10-para6-uveu.js';
import { toMilli } from '../../src/ledger/amount.js';
import { BACKENDS, storeForSuite } from '../store/backends.js';

const CAP = 26_900_000_000n; // the LPP cap in milli-TPP: the account kind used below

const amount = fc.integer({ min: 1, max: 12_000_000_000 });
const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('reserve' as const), milli: amount, key: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }), ttl: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constant('draw' as const), milli: amount }),
  fc.record({ op: fc.constant('commit' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('expire' as const), advance: fc.integer({ min: 0, max: 60 }) }),
), { minLength: 1, maxLength: 25 });

const asTpp = (milli: number) => (BigInt(milli) / 1000n).toString() + '.' + String(milli % 1000).padStart(3, '0');

describe.each(BACKENDS)('ledger properties: $name', ({ name, skip }) => {
  let store: Store;
  let run = 0;
  storeForSuite(name, skip, (_backend, y) => {
    store = y;
  });

  it.skipIf(skip)('never exceed the cap; history sums to balances; a replay changes nothing', async () => {
    await fc.assert(fc.asyncProperty(ops, async (seq) => {
      run++;
      const account = `lpp:2025:ultimate_parent:prop-${run}`;
      const t0 = Date.parse('2025-06-01T00:00:00Z');
      let clock = 0;
      const now = () => new Date(t0 + clock * 1000);
      const ids: string[] = [];
      const keys = new Map<number, number>();
      for (const o of seq) {
        const before = await getAccount(store, account);
        try {
          if (o.op === 'reserve') {
            const key = o.key === null ? undefined : `${name}-${run}-${o.key}`;
            const r = await reserve(store, { account, tpp: asTpp(o.milli), actor: 'p', ttlSeconds: o.ttl, now: now(), ...(key ? { idempotencyKey: key } : {}) });
            if (r.replayed) {
              expect(keys.get(o.key!)).toBe(o.milli);
              expect(await getAccount(store, account)).toEqual(before);
            } else {
              ids.push(r.reservationId);
              if (o.key !== null) keys.set(o.key, o.milli);
            }
          } else if (o.op === 'draw') {
            await draw(store, { account, tpp: asTpp(o.milli), actor: 'p', now: now() });
          } else if (o.op === 'commit' && ids.length) {
            await commitReservation(store, ids[o.pick % ids.length]!, { actor: 'p', now: now() });
          } else if (o.op === 'release' && ids.length) {
            await releaseReservation(store, ids[o.pick % ids.length]!, { actor: 'p', now: now() });
          } else if (o.op === 'expire') {
            clock += o.advance;
            await expireReservations(store, { now: now(), accountId: account });
          }
        } catch (e) {
          // Refusals are allowed (cap, conflicts, states); they must leave the account as it was.
          expect((e as Error).name).toMatch(/LedgerError|InputError/);
          expect(await getAccount(store, account)).toEqual(before);
        }
        const a = await getAccount(store, account);
        if (a) {
          const used = toMilli(a.usedTpp, 'u');
          const reserved = toMilli(a.reservedTpp, 'r');
          expect(used + reserved <= CAP).toBe(true);
          // Open reservations are exactly what `reserved` holds.
          const open = await store.db.selectFrom('ledger_reservations').select('amount').where('account_id', '=', account).where('state', '=', 'reserved').execute();
          expect(open.reduce((s, r) => s + BigInt(r.amount), 0n)).toBe(reserved);
        }
      }
      const v = await verifyLedger(store);
      expect(v.mismatches).toEqual([]);
    }), { numRuns: name === 'sqlite' ? 40 : 20 });
  }, 120_000);

  const COUNTRIES = ['US', 'DE', 'JP', 'MY', 'IN', 'BR', 'CN'] as const;
  const uveuOps = fc.array(fc.oneof(
    fc.record({ op: fc.constant('draw' as const), to: fc.constantFrom(...COUNTRIES), tpp: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ op: fc.constant('transfer' as const), from: fc.constantFrom(...COUNTRIES), to: fc.constantFrom(...COUNTRIES), tpp: fc.integer({ min: 1, max: 200 }) }),
  ), { minLength: 1, maxLength: 12 });

  it.skipIf(skip)('UVEU: after every accepted installation or transfer the group keeps para. 6; a transfer keeps the total; refusals change nothing', async () => {
    await fc.assert(fc.asyncProperty(uveuOps, async (seq) => {
      run++;
      const veu = `pu-${run}`;
      const date = '2025-09-15';
      // Accounts are created (empty) before a refusal is known: only installed TPP is compared.
      const base = async () => Object.fromEntries((await listAccounts(store, { kind: 'uveu' })).filter((a) => a.id.startsWith(`uveu:${veu}:`) && a.usedTpp !== '0').map((a) => [a.id.split(':')[2]!, a.usedTpp]));
      const total = (b: Record<string, string>) => Object.values(b).reduce((s, v) => s + Number(v), 0);
      await draw(store, { account: `uveu:${veu}:US`, tpp: '1000', date, actor: 'p', headquarters: 'US', ultimateParentHeadquarters: 'US' });
      for (const o of seq) {
        const before = await base();
        try {
          if (o.op === 'draw') await draw(store, { account: `uveu:${veu}:${o.to}`, tpp: String(o.tpp), date, actor: 'p' });
          else {
            await transfer(store, { from: `uveu:${veu}:${o.from}`, to: `uveu:${veu}:${o.to}`, tpp: String(o.tpp), date, actor: 'p' });
            expect(total(await base())).toBe(total(before));
          }
        } catch (e) {
          expect((e as Error).name).toMatch(/LedgerError|InputError/);
          expect(await base()).toEqual(before);
        }
        const now = await base();
        const check = uveuCheck({ headquarters: 'US', ultimateParentHeadquarters: 'US', installedByCountry: now, date });
        for (const id of ['outsideSupp5a', 'singleCountry', 'excludedLocations'] as const) expect(check.limits[id].status, id).toBe('met');
      }
      expect((await verifyLedger(store)).mismatches).toEqual([]);
    }), { numRuns: name === 'sqlite' ? 25 : 12 });
  }, 120_000);
});
