/**
 * An expired reservation holds nothing (docs/ledger.md), even before anything has expired it
 * (red team 2): the ledger view does not count it, and a commit expires it before it draws.
 */
import { describe, expect, it } from 'vitest';
import { parseTransaction } from '../../src/contract/parse.js';
import type { Store } from '../../src/store/open.js';
import { buildLedgerView, commitTransaction, getAccount, reserve } from '../../src/ledger/index.js';
import { BACKENDS, storeForSuite } from '../store/backends.js';

const actor = 'expiry-test';
const shipment = (id: string) => parseTransaction({
  date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1000, endUses: ['datacenter'],
  consignee: { id, name: id, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
});

describe.each(BACKENDS)('expired reservations: $name', ({ name, skip }) => {
  let store: Store;
  storeForSuite(name, skip, (_b, s) => {
    store = s;
  });

  it.skipIf(skip)('a reservation past its expiry is not counted, and a commit under LPP draws past it', async () => {
    const account = 'lpp:2025:ultimate_parent:rx-expired';
    await reserve(store, { account, tpp: '26000000', date: '2025-06-02', ttlSeconds: 0.001, actor });
    await new Promise((r) => setTimeout(r, 20));
    const tx = shipment('rx-expired');
    const built = await buildLedgerView(store, tx, '2025-06-02', 'ultimate_parent');
    expect(built.view.lppUsedTpp).toBe('0');
    expect(built.stale).toEqual([account]);
    const r = await commitTransaction(store, tx, {}, { actor });
    expect(r.exception).toBe('LPP');
    expect((await getAccount(store, account))?.usedTpp).toBe('15832000');
    expect((await getAccount(store, account))?.reservedTpp).toBe('0');
  });

  it.skipIf(skip)('a live reservation still holds its room', async () => {
    const account = 'lpp:2025:ultimate_parent:rx-live';
    await reserve(store, { account, tpp: '26000000', date: '2025-06-02', ttlSeconds: 3600, actor });
    const built = await buildLedgerView(store, shipment('rx-live'), '2025-06-02', 'ultimate_parent');
    expect(built.view.lppUsedTpp).toBe('26000000');
    expect(built.stale).toEqual([]);
  });
});
