/**
 * Property tests (fast-check): random sequences of reserve / commit / release / expire / draw,
 * with retried idempotency keys, never push used + reserved above the cap, and the append-only
 * history always sums to the balances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open.js';
import { commitReservation, draw, expireReservations, getAccount, releaseReservation, reserve, verifyLedger } from '../../src/ledger/index.js';
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
});
