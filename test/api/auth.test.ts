/**
 * The auth matrix: every route × { no key, viewer, analyst, officer, admin, revoked key } gives
 * the expected 2xx / 401 / 403, and refused writes change nothing. Then the same routes with
 * authentication off (the local anonymous officer), and a presented bad key still refused.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, hasRole, type Role } from '../../src/api/keys.js';
import { bearer, GERMANY, ledgerSnapshot, lppTx, testServer, type KeyName, type TestServer } from './helpers.js';
import { draw } from '../../src/ledger/index.js';

interface RouteCase {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** The path and body for one call; may prepare state (a reservation to commit, a key to revoke). */
  make: (s: TestServer) => Promise<{ url: string; body?: unknown; contentType?: string }>;
  role: Role | 'public';
  mutating: boolean;
}

let seq = 0;
const reservation = async (s: TestServer) => {
  const r = await s.app.inject({ method: 'POST', url: '/v1/ledger/reserve', headers: bearer(s.keys.officer), payload: { account: 'lpp:2025:ultimate_parent:matrix', tpp: 1, date: '2025-06-02' } });
  expect(r.statusCode).toBe(201);
  return r.json().reservationId as string;
};

const ORDERS = 'id,to,model,quantity\nS-1,DE,nvidia-h100-sxm,1\n';
const screening = async (s: TestServer, state?: 'failed') => {
  const r = await s.app.inject({ method: 'POST', url: '/v1/screenings', headers: { ...bearer(s.keys.analyst), 'content-type': 'text/csv' }, payload: ORDERS });
  expect(r.statusCode).toBe(202);
  const id = r.json().id as string;
  if (state) await s.store.db.updateTable('screening_jobs').set({ state }).where('id', '=', id).execute();
  return id;
};

const ROUTES: RouteCase[] = [
  { name: 'screening submit', method: 'POST', make: async () => ({ url: '/v1/screenings', body: ORDERS, contentType: 'text/csv' }), role: 'analyst', mutating: false },
  { name: 'screening job', method: 'GET', make: async (s) => ({ url: `/v1/screenings/${await screening(s)}` }), role: 'viewer', mutating: false },
  { name: 'screening results', method: 'GET', make: async (s) => ({ url: `/v1/screenings/${await screening(s)}/results` }), role: 'viewer', mutating: false },
  { name: 'screening resume', method: 'POST', make: async (s) => ({ url: `/v1/screenings/${await screening(s, 'failed')}/resume` }), role: 'analyst', mutating: false },
  { name: 'screening delete', method: 'DELETE', make: async (s) => ({ url: `/v1/screenings/${await screening(s, 'failed')}` }), role: 'analyst', mutating: false },
  { name: 'healthz', method: 'GET', make: async () => ({ url: '/healthz' }), role: 'public', mutating: false },
  { name: 'readyz', method: 'GET', make: async () => ({ url: '/readyz' }), role: 'public', mutating: false },
  { name: 'openapi', method: 'GET', make: async () => ({ url: '/openapi.json' }), role: 'public', mutating: false },
  { name: 'metrics', method: 'GET', make: async () => ({ url: '/metrics' }), role: 'viewer', mutating: false },
  { name: 'chips', method: 'GET', make: async () => ({ url: '/v1/chips' }), role: 'viewer', mutating: false },
  { name: 'ruleset', method: 'GET', make: async () => ({ url: '/v1/ruleset' }), role: 'viewer', mutating: false },
  { name: 'legal-status', method: 'GET', make: async () => ({ url: '/v1/legal-status?asOf=2026-12-06' }), role: 'viewer', mutating: false },
  { name: 'audit list', method: 'GET', make: async () => ({ url: '/v1/determinations?limit=2' }), role: 'viewer', mutating: false },
  { name: 'audit record', method: 'GET', make: async () => ({ url: '/v1/determinations/1' }), role: 'viewer', mutating: false },
  { name: 'accounts', method: 'GET', make: async () => ({ url: '/v1/ledger/accounts' }), role: 'viewer', mutating: false },
  { name: 'account', method: 'GET', make: async () => ({ url: `/v1/ledger/accounts/${encodeURIComponent('lpp:2025:ultimate_parent:matrix')}` }), role: 'viewer', mutating: false },
  { name: 'movements', method: 'GET', make: async () => ({ url: `/v1/ledger/accounts/${encodeURIComponent('lpp:2025:ultimate_parent:matrix')}/movements` }), role: 'viewer', mutating: false },
  { name: 'evaluate', method: 'POST', make: async () => ({ url: '/v1/determinations', body: GERMANY }), role: 'analyst', mutating: false },
  { name: 'classify', method: 'POST', make: async () => ({ url: '/v1/classifications', body: { item: { type: 'ic', model: 'nvidia-h100-sxm' } } }), role: 'analyst', mutating: false },
  { name: 'veu check', method: 'POST', make: async () => ({ url: '/v1/veu/checks', body: { nveu: { country: 'IN', installedTpp: 0 } } }), role: 'analyst', mutating: false },
  { name: 'audit verify', method: 'POST', make: async () => ({ url: '/v1/audit/verify' }), role: 'officer', mutating: false },
  { name: 'commit', method: 'POST', make: async () => ({ url: '/v1/determinations', body: { transaction: lppTx(seq++, 'matrix-commit'), commit: true } }), role: 'officer', mutating: true },
  { name: 'reserve', method: 'POST', make: async () => ({ url: '/v1/ledger/reserve', body: { account: 'lpp:2025:ultimate_parent:matrix', tpp: 1, date: '2025-06-02' } }), role: 'officer', mutating: true },
  { name: 'ledger commit', method: 'POST', make: async (s) => ({ url: '/v1/ledger/commit', body: { reservationId: await reservation(s) } }), role: 'officer', mutating: true },
  { name: 'ledger transfer', method: 'POST', make: async (s) => {
    await draw(s.store, { account: 'nveu:MATRIX:AE', tpp: '1', date: '2025-08-01', actor: 'matrix' });
    return { url: '/v1/ledger/transfer', body: { from: 'nveu:MATRIX:AE', to: 'nveu:MATRIX:SA', tpp: 1, date: '2025-08-01' } };
  }, role: 'officer', mutating: true },
  { name: 'ledger release', method: 'POST', make: async (s) => ({ url: '/v1/ledger/release', body: { reservationId: await reservation(s) } }), role: 'officer', mutating: true },
  // The workbench (src/api/web.ts and its route files).
  { name: 'workbench page', method: 'GET', make: async () => ({ url: '/' }), role: 'public', mutating: false },
  { name: 'workbench script', method: 'GET', make: async () => ({ url: '/assets/app.js' }), role: 'public', mutating: false },
  { name: 'workbench styles', method: 'GET', make: async () => ({ url: '/assets/app.css' }), role: 'public', mutating: false },
  { name: 'workbench chunk', method: 'GET', make: async () => ({ url: `/assets/chunks/${readdirSync(join(import.meta.dirname, '../../dist/web/chunks'))[0]}` }), role: 'public', mutating: false },
  { name: 'rule text', method: 'GET', make: async () => ({ url: '/rule' }), role: 'public', mutating: false },
  { name: 'rule anchors', method: 'GET', make: async () => ({ url: '/rule/anchors.json' }), role: 'public', mutating: false },
  { name: 'session state', method: 'GET', make: async () => ({ url: '/v1/session' }), role: 'public', mutating: false },
  { name: 'sign in', method: 'POST', make: async (s) => ({ url: '/v1/session', body: { token: s.keys.viewer } }), role: 'public', mutating: false },
  { name: 'sign out', method: 'DELETE', make: async () => ({ url: '/v1/session' }), role: 'public', mutating: false },
  { name: 'reference', method: 'GET', make: async () => ({ url: '/v1/reference' }), role: 'viewer', mutating: false },
  { name: 'audit search', method: 'GET', make: async () => ({ url: '/v1/audit/records?outcome=license_exception' }), role: 'viewer', mutating: false },
  { name: 'ledger view', method: 'POST', make: async () => ({ url: '/v1/ledger/view', body: lppTx(0, 'matrix') }), role: 'viewer', mutating: false },
  { name: 'what-if', method: 'POST', make: async () => ({ url: '/v1/what-if', body: GERMANY }), role: 'analyst', mutating: false },
  { name: 'replay', method: 'POST', make: async () => ({ url: '/v1/determinations/1/replay' }), role: 'analyst', mutating: false },
  { name: 'sessions list', method: 'GET', make: async () => ({ url: '/v1/sessions' }), role: 'admin', mutating: false },
  {
    name: 'session revoke', method: 'DELETE', role: 'admin', mutating: true,
    make: async (s) => {
      const r = await s.app.inject({ method: 'POST', url: '/v1/session', payload: { token: s.keys.viewer } });
      return { url: `/v1/sessions/${r.json().sessionId}` };
    },
  },
  { name: 'keys list', method: 'GET', make: async () => ({ url: '/v1/keys' }), role: 'admin', mutating: false },
  { name: 'key create', method: 'POST', make: async () => ({ url: '/v1/keys', body: { role: 'viewer' } }), role: 'admin', mutating: true },
  {
    name: 'key revoke', method: 'DELETE', role: 'admin', mutating: true,
    make: async (s) => {
      const r = await s.app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(s.keys.admin), payload: { role: 'viewer' } });
      return { url: `/v1/keys/${r.json().id}` };
    },
  },
];

const CALLERS: (KeyName | 'none')[] = ['none', 'viewer', 'analyst', 'officer', 'admin', 'revoked'];

function expected(route: RouteCase, caller: KeyName | 'none', authRequired: boolean): number | '2xx' {
  if (route.role === 'public') return '2xx';
  if (caller === 'revoked') return 401;
  if (caller === 'none') {
    if (authRequired) return 401;
    return hasRole('officer', route.role) ? '2xx' : 403;
  }
  return hasRole(caller, route.role) ? '2xx' : 403;
}

async function hit(s: TestServer, route: RouteCase, caller: KeyName | 'none', prepared: { url: string; body?: unknown; contentType?: string }) {
  const { url, body } = prepared;
  const headers = { ...(caller === 'none' ? {} : bearer(s.keys[caller])), ...(prepared.contentType ? { 'content-type': prepared.contentType } : {}) };
  return s.app.inject({ method: route.method, url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
}

describe.each([{ authRequired: true }, { authRequired: false }])('auth matrix (authentication required: $authRequired)', ({ authRequired }) => {
  let s: TestServer;
  beforeAll(async () => {
    // The matrix sends hundreds of refused requests from one address: the failed-authentication
    // limiter (tested in hardening.test.ts) would turn the later ones into 429s.
    s = await testServer('sqlite', { auth: { required: authRequired }, limits: { authFailureLimit: null } });
    // Something in the audit log and the ledger, so the read routes have a record and an account.
    const r = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.officer), payload: { transaction: lppTx(9999, 'matrix-seed'), commit: true } });
    expect(r.statusCode).toBe(201);
    await reservation(s);
  });
  afterAll(async () => s?.close());

  it('covers every route the server has', () => {
    const printed = s.app.printRoutes({ commonPrefix: false });
    const methods = (printed.match(/\((GET|POST|DELETE)[^)]*\)/g) ?? []).join(' ');
    const count = (m: string) => (methods.match(new RegExp(m, 'g')) ?? []).length;
    // determinations is one route with two role levels (evaluate, commit): one case too many.
    expect(ROUTES.length - 1).toBe(count('GET') + count('POST') + count('DELETE'));
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.name} (${route.role})`, async () => {
      for (const caller of CALLERS) {
        const want = expected(route, caller, authRequired);
        const prepared = await route.make(s);
        const before = route.mutating ? await ledgerSnapshot(s.store) : '';
        const keysBefore = route.mutating ? (await s.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(s.keys.admin) })).body : '';
        const r = await hit(s, route, caller, prepared);
        const label = `${route.method} ${route.name} as ${caller}: ${r.body.slice(0, 300)}`;
        if (want === '2xx') {
          expect(r.statusCode, label).toBeGreaterThanOrEqual(200);
          expect(r.statusCode, label).toBeLessThan(300);
          continue;
        }
        expect(r.statusCode, label).toBe(want);
        expect(r.headers['content-type'], label).toMatch(/^application\/problem\+json/);
        expect(r.json().type).toBe(want === 401 ? 'urn:aidr:problem:unauthorized' : 'urn:aidr:problem:forbidden');
        if (want === 401) expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
        if (route.mutating) {
          // Refused: the ledger, the audit log and the keys are as they were.
          expect(await ledgerSnapshot(s.store), label).toBe(before);
          expect((await s.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(s.keys.admin) })).body, label).toBe(keysBefore);
        }
      }
    });
  }

  it('refuses malformed Authorization headers and wrong secrets with 401, whatever the mode', async () => {
    const good = s.keys.admin;
    const wrongSecret = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const header of [`Bearer ${wrongSecret}`, 'Bearer aidr_0123456789abcdef_' + 'x'.repeat(43), 'Bearer nonsense', `Basic ${good}`, 'Bearer', good]) {
      const r = await s.app.inject({ method: 'GET', url: '/v1/chips', headers: { authorization: header } });
      expect(r.statusCode, header).toBe(401);
      expect(r.body).not.toContain(good);
    }
  });

  it('an analyst asking to commit is refused with 403 before anything is read or written', async () => {
    const before = await ledgerSnapshot(s.store);
    const r = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.analyst), payload: { transaction: { to: 'nowhere' }, commit: true } });
    expect(r.statusCode).toBe(403);
    expect(await ledgerSnapshot(s.store)).toBe(before);
  });
});

describe('roles', () => {
  it('each role includes the ones before it', () => {
    expect(ROLES).toEqual(['viewer', 'analyst', 'officer', 'admin']);
    for (const [i, a] of ROLES.entries()) for (const [j, b] of ROLES.entries()) expect(hasRole(a, b)).toBe(i >= j);
  });
});
