/**
 * POST /v1/determinations (evaluate) reads the ledger as `aidr check` does (red team 2): a batch
 * with a view given in the request is added up per consignee on top of it, and the stored country
 * allocation is read whether or not the consignee is keyed. Without a named consignee, an answer
 * that reads no ledger figure never touches the store (no x-aidr-ledger header).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFact } from '../../src/ledger/index.js';
import { bearer, testServer, type TestServer } from './helpers.js';

const h100 = (consignee: Record<string, unknown>, quantity = 1000) => ({
  date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity, endUses: ['datacenter'],
  consignee: { country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', ...consignee },
});

describe('evaluate reads the ledger as aidr check does', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite');
    // Brazil's allocation nearly used up: 789,990,000 of 790,000,000 TPP licensed.
    await recordFact(s.store, { account: 'country_allocation:BR', tpp: '789990000', date: '2025-06-01', actor: 'test' });
  });
  afterAll(async () => s?.close());
  const post = (body: unknown) => s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.analyst), payload: body as object });

  it('a batch with a view given is added up: the third 10M TPP shipment to one consignee is past LPP\'s cap (740.29(d))', async () => {
    const tx = h100({ id: 'UC-1', name: 'UC One' }, 632); // 632 × 15,832 = 10,005,824 TPP each
    const r = await post({ transactions: [tx, tx, tx], options: { ledger: { lppUsedTpp: 0 } } });
    expect(r.statusCode, r.body).toBe(200);
    const lpp = r.json().map((d: { exceptions: { code: string; status: string }[] }) => d.exceptions.find((e) => e.code === 'LPP')?.status);
    expect(lpp).toEqual(['eligible', 'eligible', 'not_eligible']);
    expect(r.headers['x-aidr-ledger']).toBeUndefined();
  });

  it('the stored allocation is read for a consignee with no id or name', async () => {
    const r = await post(h100({}, 10000));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().reviewPolicy).toBe('denial_over_allocation');
    expect(r.headers['x-aidr-ledger']).toBe('sqlite');
  });

  it('without a named consignee, an answer that reads no ledger figure does not touch the store', async () => {
    const r = await post({ ...h100({}), to: 'DE', consignee: { country: 'DE', headquarters: 'DE', ultimateParentHeadquarters: 'DE' }, date: '2024-06-01' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['x-aidr-ledger']).toBeUndefined();
  });
});
