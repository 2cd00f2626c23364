/**
 * POST /v1/ledger/transfer: the VEU transfer of the library and `aidr ledger transfer` over HTTP —
 * both movements or neither, the 409 of a breached limit, replay under an idempotency key, and a
 * field-path 400 for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draw, getAccount } from '../../src/ledger/index.js';
import { bearer, testServer, type TestServer } from './helpers.js';

describe('POST /v1/ledger/transfer', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite');
    await draw(s.store, { account: 'nveu:HTTP:AE', tpp: '1266000000', date: '2025-08-01', actor: 'test' });
    await draw(s.store, { account: 'nveu:HTTP:SA', tpp: '1000000000', date: '2025-08-01', actor: 'test' });
  });
  afterAll(async () => s?.close());

  const post = (body: unknown, token = s.keys.officer) => s.app.inject({ method: 'POST', url: '/v1/ledger/transfer', headers: bearer(token), payload: body as object });

  it('refuses a transfer past the receiving country\'s Table 1 figure with 409, moving nothing', async () => {
    const r = await post({ from: 'nveu:HTTP:AE', to: 'nveu:HTTP:SA', tpp: '266000001', date: '2025-08-01' });
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await getAccount(s.store, 'nveu:HTTP:AE'))?.usedTpp).toBe('1266000000');
    expect((await getAccount(s.store, 'nveu:HTTP:SA'))?.usedTpp).toBe('1000000000');
  });

  it('moves exactly the room left (201), and a retry under the same key is a replay (200)', async () => {
    const body = { from: 'nveu:HTTP:AE', to: 'nveu:HTTP:SA', tpp: '266000000', date: '2025-08-01', idempotencyKey: 'http-transfer-1' };
    const first = await post(body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ from: 'nveu:HTTP:AE', to: 'nveu:HTTP:SA', amountTpp: '266000000', replayed: false, balances: { to: { usedTpp: '1266000000', leftTpp: '0' } }, notices: [] });
    const again = await post(body);
    expect(again.statusCode).toBe(200);
    expect(again.json().replayed).toBe(true);
    expect((await getAccount(s.store, 'nveu:HTTP:AE'))?.usedTpp).toBe('1000000000');
  });

  it('names the field of bad input (400) and refuses an analyst (403)', async () => {
    const bad = await post({ from: 'nveu:HTTP:AE', to: 'nveu:HTTP:SA', tpp: 'lots' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/tpp/);
    expect((await post({ from: 'nveu:HTTP:AE', to: 'nveu:HTTP:SA', tpp: '1' }, s.keys.analyst)).statusCode).toBe(403);
  });
});
