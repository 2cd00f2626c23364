/**
 * POST /v1/determinations fills a party named by id from the parties register, as `aidr screen`
 * and `aidr check` do (red team 2, D3): evaluate answers on the register's facts (saying so in the
 * warnings), and a commit keys the LPP cap on the ultimate parent the register names, so two
 * subsidiaries of one parent share one cap (15 CFR 740.29(d), (h)(1)). A register changed while the
 * service runs is read again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertParties } from '../../src/parties/store.js';
import { registerLookup, REGISTER_RECHECK_MS } from '../../src/parties/fill.js';
import { BACKENDS } from '../store/backends.js';
import { bearer, testServer, type TestServer } from './helpers.js';

const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
const sub = (givenId: string) => ({ givenId, name: `Sub ${givenId}`, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', ultimateParentId: 'PB', sector: 'private' as const, aliases: [], actor: 'test' });

describe.each(BACKENDS)('HTTP and the parties register: $name', ({ name, skip }) => {
  let s: TestServer;
  beforeAll(async () => {
    if (skip) return;
    s = await testServer(name);
    await upsertParties(s.store, [sub('SUBA'), sub('SUBB')], 'test');
  });
  afterAll(async () => {
    if (!skip) await s?.close();
  });
  const post = (body: unknown, key: 'analyst' | 'officer' = 'analyst') => s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys[key]), payload: body as object });

  it.skipIf(skip)('evaluate: a consignee given by id only gets the register\'s facts, said in the warnings', async () => {
    const r = await post({ id: 'q', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { id: 'suba' } });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.outcome).not.toBe('indeterminate');
    expect(d.missingFacts.map((m: { path: string }) => m.path)).not.toContain('consignee.headquarters');
    expect(d.warnings).toContain('consignee: name, country, headquarters, ultimateParentHeadquarters, ultimateParentId, sector from the parties register (SUBA)');
    // A fact the transaction gives is kept.
    const own = (await post({ id: 'q2', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { id: 'SUBA', headquarters: 'DE' } })).json();
    expect(own.warnings.find((w: string) => w.includes('parties register'))).not.toMatch(/ headquarters,/);
  });

  it.skipIf(skip)('evaluate: a consignee given only by a registered name is that party; a name not registered is answered on the facts given', async () => {
    const r = await post({ id: 'qn', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { name: 'sub  SUBA' } });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.warnings).toContain('consignee.name: "sub  SUBA" → SUBA: the party of that name in the parties register, whose id keys its ledger accounts');
    expect(d.missingFacts.map((m: { path: string }) => m.path)).not.toContain('consignee.headquarters');
    const none = (await post({ id: 'qx', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { name: 'Nobody Ltd' } })).json();
    expect(none.warnings.filter((w: string) => w.includes('parties register'))).toEqual([]);
    expect(none.missingFacts.map((m: { path: string }) => m.path)).toContain('consignee.headquarters');
  });

  it.skipIf(skip)('commit: two subsidiaries of one registered parent draw on one LPP cap; the second is past it', async () => {
    const tx = (id: string, consignee: string, quantity: number) => ({ id, date: '2025-06-02', to: 'BR', item: H100, quantity, consignee: { id: consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', sector: 'private' } });
    const a = await post({ transaction: tx('G1', 'SUBA', 1000), commit: true, idempotencyKey: 'reg-G1' }, 'officer');
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().commit.exception).toBe('LPP');
    expect(a.json().commit.movements.map((m: { account: string }) => m.account)).toContain('lpp:2025:ultimate_parent:pb');
    expect(a.json().commit.warnings).toContain('consignee: name, ultimateParentId from the parties register (SUBA)');
    // Any spelling of the consignee finds the account, as `aidr ledger show` does (red team, 2026-12-06).
    const shown = await s.app.inject({ method: 'GET', url: `/v1/ledger/accounts/${encodeURIComponent('lpp:2025:ultimate_parent:PB ')}`, headers: bearer(s.keys.viewer) });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ id: 'lpp:2025:ultimate_parent:pb', usedTpp: '15832000' });
    // 15,832,000 + 12,665,600 = 28,497,600 > 26,900,000 for PB.
    const b = await post({ transaction: tx('G2', 'SUBB', 800), commit: true, idempotencyKey: 'reg-G2' }, 'officer');
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json().determination.outcome).toBe('license_required');
    expect(b.json().commit.exception).toBeNull();
  });

  it.skipIf(skip)('a party registered while the service runs is found', async () => {
    const before = (await post({ id: 'n', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { id: 'SUBC' } })).json();
    expect(before.warnings).toContain('consignee.id "SUBC" is not in the parties register');
    await upsertParties(s.store, [sub('SUBC')], 'test');
    const after = (await post({ id: 'n', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { id: 'SUBC' } })).json();
    expect(after.outcome).not.toBe('indeterminate');
    expect(after.warnings.some((w: string) => w.includes('from the parties register (SUBC)'))).toBe(true);
  });

  it.skipIf(skip)('a party another process registers is seen once REGISTER_RECHECK_MS has passed', async () => {
    const t0 = Date.now() + 10 * REGISTER_RECHECK_MS;
    expect((await registerLookup(s.store, t0))?.('subd')).toBeUndefined();
    // As `aidr parties import` in another process would write it (not through this process's upsertParties).
    await s.store.db.insertInto('parties').values({ id: 'subd', given_id: 'SUBD', name: null, country: 'BR', headquarters: 'BR', ultimate_parent_headquarters: 'BR', ultimate_parent_id: 'PB', sector: 'private', aliases: '[]', updated_at: new Date(t0).toISOString(), actor: 'other' }).execute();
    expect((await registerLookup(s.store, t0 + REGISTER_RECHECK_MS - 1))?.('subd')).toBeUndefined();
    expect((await registerLookup(s.store, t0 + REGISTER_RECHECK_MS))?.('subd')?.ultimateParentId).toBe('PB');
  });
});
