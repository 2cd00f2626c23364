/**
 * The HTTP service's share of issue 13: accounts with the cap of a date (`?date=`, `capAsOf`,
 * `capNote`), and the VEU check with the new fields and readings (Fastify inject, SQLite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draw } from '../../src/ledger/index.js';
import { bearer, testServer, type TestServer } from '../api/helpers.js';

describe('HTTP: VEU accounts and checks', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite');
    await draw(s.store, { account: 'nveu:H1:AE', tpp: '1000000000', date: '2025-08-01', actor: 'test' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('GET /v1/ledger/accounts?date= gives the NVEU cap of that quarter and says which it is', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts?kind=nveu&date=2025-08-01', headers: bearer(s.keys.viewer) });
    expect(r.statusCode).toBe(200);
    expect(r.json()[0]).toMatchObject({ id: 'nveu:H1:AE', capTpp: '1266000000', leftTpp: '266000000', capAsOf: '2025-08-01', capNote: expect.stringMatching(/^2025Q3 limit/) });
    const later = await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts?kind=nveu&date=2028-01-01', headers: bearer(s.keys.viewer) });
    expect(later.json()[0]).toMatchObject({ capTpp: null, leftTpp: null });
    const bad = await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts?date=2025-13-01', headers: bearer(s.keys.viewer) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.date');
  });

  it('POST /v1/veu/checks: a D:5 parent is never eligible; readings and the parent\'s headquarters are accepted', async () => {
    const r = await s.app.inject({
      method: 'POST', url: '/v1/veu/checks', headers: bearer(s.keys.analyst),
      payload: { date: '2025-08-01', interpretations: { 'INT-22': 'location_only', 'INT-36': 'own_headquarters' }, party: { country: 'MY', headquarters: 'MY', ultimateParentHeadquarters: 'CN', dataCenters: ['MY'], govToGovArrangement: true }, uveu: { installedByCountry: { MY: 100 } } },
    });
    expect(r.statusCode).toBe(200);
    const out = r.json();
    expect(out.eligibility.uveu.status).toBe('not_eligible');
    expect(out.eligibility.nveu.status).toBe('not_eligible');
    expect(out.uveu.limits.headquartersOutsideMacauD5.status).toBe('not_met');
  });
});
