/**
 * Group commit on both back ends: commits that arrive together share one transaction (groupStats
 * shows groups larger than one), each is still atomic (a refused one takes none of its neighbours
 * with it), idempotent (two with one key in one group: one recorded, one replayed) and audited in
 * order (the chain verifies, every balance equals its movements).
 */
import { describe, expect, it } from 'vitest';
import { parseTransaction } from '../../src/contract/parse.js';
import { commitTransaction, getAccount, reserve, verifyLedger } from '../../src/ledger/index.js';
import { appendAudit, getAudit, requireSigner, verifyAudit } from '../../src/store/audit.js';
import { groupCommit, groupStats } from '../../src/store/group.js';
import type { Store } from '../../src/store/open.js';
import { BACKENDS, storeForSuite } from './backends.js';

const actor = 'group-test';
const lpp = (i: number, parent: string, quantity = 100) => parseTransaction({
  id: `G-${i}`, date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity,
  consignee: { id: `gc-${i}`, ultimateParentId: parent, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
});

describe.each(BACKENDS)('group commit: $name', ({ name, skip }) => {
  let store: Store;
  storeForSuite(name, skip, (_b, s) => {
    store = s;
  });

  it.skipIf(skip)('40 concurrent commits for room for exactly 16: grouped, 16 drawn, 24 refused alone, the chain in order', async () => {
    const before = groupStats(store).groups;
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => commitTransaction(store, lpp(i, 'grp'), {}, { actor, exception: 'LPP', idempotencyKey: `${name}-g-${i}` })));
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(16);
    for (const r of refused) expect(String(r.reason?.message)).toMatch(/cap exceeded|no longer eligible/);
    expect(groupStats(store).largest).toBeGreaterThan(1);
    expect(groupStats(store).groups - before).toBeLessThan(40);
    expect((await getAccount(store, 'lpp:2025:ultimate_parent:grp'))?.usedTpp).toBe(String(16 * 1_583_200));
    // Audited in the order they were written, every one signed, every balance its movements.
    const seqs = ok.map((o) => (o as PromiseFulfilledResult<{ seq: number }>).value.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(16);
    expect((await verifyAudit(store, { allSignatures: true })).ok).toBe(true);
    expect((await verifyLedger(store)).ok).toBe(true);
  });

  it.skipIf(skip)('two commits with one key in one group: one recorded, the other its replay; a reservation key is refused to a commit', async () => {
    const tx = lpp(100, 'grp-key', 1);
    const [a, b] = await Promise.all([0, 1].map(() => commitTransaction(store, tx, {}, { actor, idempotencyKey: `${name}-same` })));
    expect(a!.auditId).toBe(b!.auditId);
    expect([a!.replayed, b!.replayed].sort()).toEqual([false, true]);
    const [r, c] = await Promise.allSettled([
      reserve(store, { account: 'lpp:2025:ultimate_parent:grp-res', tpp: 1, actor, idempotencyKey: `${name}-shared` }),
      commitTransaction(store, lpp(101, 'grp-key', 1), {}, { actor, idempotencyKey: `${name}-shared` }),
    ]);
    // Whichever came first owns the key; the other is refused, saying the key belongs to another kind.
    const statuses = [r.status, c.status].sort();
    expect(statuses).toEqual(['fulfilled', 'rejected']);
    const refusal = (r.status === 'rejected' ? r.reason : (c as PromiseRejectedResult).reason) as Error;
    expect(refusal.message).toMatch(/it was used for a (reservation|commit), and this is a (commit|reservation)/);
    expect((await verifyLedger(store)).ok).toBe(true);
  });
  it.skipIf(skip)('a piece of work that fails after appending its record gives its sequence number back: the head the group writes is the last record kept', async () => {
    const signer = requireSigner(store);
    const entry = (i: number) => ({ actor, kind: 'group-test', input: { i }, options: {}, output: { i }, rulesetVersion: 'test', effects: {} });
    const outcomes = await Promise.allSettled([0, 1, 2, 3].map((i) => groupCommit(store, async (trx) => {
      const rec = await appendAudit(trx, entry(i), signer);
      if (i % 2 === 1) throw new Error(`refused after appending ${rec.seq}`);
      return rec;
    })));
    const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(kept).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(2);
    // Consecutive: the failed ones' numbers went to the next ones; each links to the one before.
    expect(kept[1]!.seq).toBe(kept[0]!.seq + 1);
    expect(kept[1]!.prevHash).toBe(kept[0]!.hash);
    expect((await getAudit(store, String(kept[1]!.seq + 1)))).toBeUndefined();
    const report = await verifyAudit(store, { allSignatures: true });
    expect(report.ok).toBe(true);
    expect(report.head).toMatchObject({ seq: kept[1]!.seq, hash: kept[1]!.hash });
  });
});
