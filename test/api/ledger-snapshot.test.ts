/**
 * HTTP evaluate keeps the stored ledger's figures between requests (src/api/ledger-snapshot.ts):
 * they must never outlive a change. A commit in this process, a write by another connection (as
 * another process's), a write outside a transaction, and a reservation running out each make the
 * next evaluation read afresh; the HTTP answer follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerSnapshot } from '../../src/api/ledger-snapshot.js';
import { recordFact, recordPublished, reserve, DEFAULT_TTL_SECONDS } from '../../src/ledger/index.js';
import type { Store } from '../../src/store/open.js';
import { bearer, testServer, type TestServer } from './helpers.js';

const AIA = 'aia:snapshot-consignee';

async function figures(snapshot: LedgerSnapshot) {
  const source = await snapshot.current();
  await source.prefetch([AIA], [{ code: 'BR', asOf: '2025-06-02' }]);
  return { source, used: source.used(AIA), licensed: source.licensed('BR', '2025-06-02') };
}

describe('the ledger snapshot of HTTP evaluate', () => {
  let s: TestServer;
  let other: Store;
  beforeAll(async () => {
    s = await testServer('sqlite');
    other = await s.backend.open();
  });
  afterAll(async () => {
    await other?.close();
    await s?.close();
  });

  it('is kept while nothing changes, and read afresh after a commit here or by another connection', async () => {
    const snapshot = new LedgerSnapshot(s.store);
    const first = await figures(snapshot);
    expect(first.used).toBe(0n);
    expect((await figures(snapshot)).source).toBe(first.source);

    await recordFact(s.store, { account: AIA, tpp: '5', date: '2025-06-01', actor: 'test' });
    const afterOwn = await figures(snapshot);
    expect(afterOwn.source).not.toBe(first.source);
    expect(afterOwn.used).toBe(5000n);

    await recordFact(other, { account: AIA, tpp: '2', date: '2025-06-01', actor: 'test' });
    expect((await figures(snapshot)).used).toBe(7000n);
  });

  it('sees a write made outside a transaction (it runs on the read connection itself)', async () => {
    const snapshot = new LedgerSnapshot(s.store);
    expect((await figures(snapshot)).licensed).toBeUndefined();
    await recordPublished(s.store, { country: 'BR', tpp: '1000', asOf: '2025-05-01', source: 'https://www.bis.gov/ (test)', actor: 'test' });
    expect((await figures(snapshot)).licensed).toBe(1_000_000n);
  });

  it('lets a reservation stop counting when it expires', async () => {
    const snapshot = new LedgerSnapshot(s.store);
    const before = (await figures(snapshot)).used;
    // Made so that it expires 400 ms from now.
    const now = new Date(Date.now() - DEFAULT_TTL_SECONDS * 1000 + 400);
    await reserve(s.store, { account: AIA, tpp: '3', date: '2025-06-01', actor: 'test', now });
    const held = await figures(snapshot);
    expect(held.used).toBe(before + 3000n);
    expect((await figures(snapshot)).source).toBe(held.source);
    await new Promise((r) => setTimeout(r, 500));
    expect((await figures(snapshot)).used).toBe(before);
  });

  it('reads the version once for the evaluations asking in one turn of the event loop, and starts one snapshot for them after a write', async () => {
    let reads = 0;
    const counted: Store = { ...s.store, dataVersion: () => (reads++, s.store.dataVersion!()) };
    const snapshot = new LedgerSnapshot(counted);
    const before = (await figures(snapshot)).used;
    expect(reads).toBe(1);
    await recordFact(s.store, { account: AIA, tpp: '1', date: '2025-06-01', actor: 'test' });
    // Asked together after a write: one version read, and one new snapshot shared by all three.
    const sources = await Promise.all([snapshot.current(), snapshot.current(), snapshot.current()]);
    expect(reads).toBe(2);
    expect(sources[1]).toBe(sources[0]);
    expect(sources[2]).toBe(sources[0]);
    await sources[0]!.prefetch([AIA], []);
    expect(sources[0]!.used(AIA)).toBe(before + 1000n);
    // A later turn reads the version again.
    expect(await snapshot.current()).toBe(sources[0]);
    expect(reads).toBe(3);
  });

  it('is replaced, never emptied, once it has been asked for many accounts', async () => {
    const snapshot = new LedgerSnapshot(s.store);
    const { source, used } = await figures(snapshot);
    expect(used).toBeGreaterThan(0n);
    await source.prefetch(Array.from({ length: 20_001 }, (_, i) => `aia:other-${i}`), []);
    expect((await snapshot.current())).not.toBe(source);
    // A request still holding the old one reads what it read.
    expect(source.used(AIA)).toBe(used);
  });

  it('an evaluation after a commit reads the committed figure', async () => {
    const tx = {
      date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1000, endUses: ['datacenter'],
      consignee: { id: 'UC-snap', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
    };
    const post = () => s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.analyst), payload: tx });
    const lpp = (r: { json(): { exceptions: { code: string; status: string }[] } }) => r.json().exceptions.find((e) => e.code === 'LPP')?.status;
    expect(lpp(await post())).toBe('eligible');
    // LPP's annual cap (26,900,000 TPP) used up by another process.
    await recordFact(other, { account: 'lpp:2025:ultimate_parent:UC-snap', tpp: '26900000', date: '2025-06-01', actor: 'test' });
    expect(lpp(await post())).toBe('not_eligible');
  });
});
