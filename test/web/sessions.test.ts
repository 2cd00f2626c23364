/**
 * Workbench sessions without a browser, on both back ends (migration 009): the cookie's
 * attributes, expiry, revocation (sign-out, an admin, the key), the CSRF rule, and a dead or
 * forged cookie answered with 401 and a cleared cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, verifySession } from '../../src/api/sessions.js';
import { bearer, testServer, type TestServer } from '../api/helpers.js';
import { DATABASE_URL } from '../store/backends.js';

const BACKENDS = ['sqlite', ...(DATABASE_URL ? ['postgres' as const] : [])] as const;

for (const name of BACKENDS) {
  describe(`sessions (${name})`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await testServer(name, { auth: { required: true } });
    });
    afterAll(async () => s?.close());

    const signIn = async (token: string) => {
      const r = await s.app.inject({ method: 'POST', url: '/v1/session', payload: { token }, headers: { 'user-agent': 'vitest' } });
      const cookie = String(r.headers['set-cookie']);
      return { r, cookie, value: /aidr_session=([^;]+)/.exec(cookie)?.[1] ?? '', csrf: r.json().csrfToken as string };
    };

    it('sign-in sets an HttpOnly, SameSite=Strict cookie with the key\'s role; the cookie authenticates the API', async () => {
      const { r, cookie, value } = await signIn(s.keys.analyst);
      expect(r.statusCode).toBe(201);
      expect(cookie).toMatch(/^aidr_session=aidrs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      expect(r.json().principal).toMatchObject({ role: 'analyst', keyId: s.ids.analyst });
      const me = await s.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `aidr_session=${value}` } });
      expect(me.json()).toMatchObject({ authenticated: true, principal: { role: 'analyst' } });
      expect((await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie: `aidr_session=${value}` } })).statusCode).toBe(200);
      // The key's role, no more: an analyst's cookie cannot commit or list keys.
      expect((await s.app.inject({ method: 'GET', url: '/v1/keys', headers: { cookie: `aidr_session=${value}` } })).statusCode).toBe(403);
    });

    it('a wrong or revoked key does not sign in', async () => {
      expect((await signIn(s.keys.revoked)).r.statusCode).toBe(401);
      expect((await signIn('aidr_0123456789abcdef_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')).r.statusCode).toBe(401);
      expect((await s.app.inject({ method: 'POST', url: '/v1/session', payload: {} })).statusCode).toBe(400);
    });

    it('state-changing requests need the CSRF token; safe ones do not', async () => {
      const { value, csrf } = await signIn(s.keys.officer);
      const cookie = `aidr_session=${value}`;
      const verify = (headers: Record<string, string>) => s.app.inject({ method: 'POST', url: '/v1/audit/verify', headers: { cookie, ...headers }, payload: {} });
      expect((await verify({})).statusCode).toBe(403);
      expect((await verify({ 'x-csrf-token': 'nope' })).statusCode).toBe(403);
      expect((await verify({ 'x-csrf-token': csrf })).statusCode).toBe(200);
      // An API key in the Authorization header needs no CSRF token (no cookie is involved).
      expect((await s.app.inject({ method: 'POST', url: '/v1/audit/verify', headers: bearer(s.keys.officer), payload: {} })).statusCode).toBe(200);
    });

    it('sign-out revokes the session (with the CSRF token); the cookie then answers 401 and is cleared', async () => {
      const { value, csrf } = await signIn(s.keys.viewer);
      const cookie = `aidr_session=${value}`;
      expect((await s.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } })).statusCode).toBe(403);
      const out = await s.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie, 'x-csrf-token': csrf } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
      const after = await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie } });
      expect(after.statusCode).toBe(401);
      expect(String(after.headers['set-cookie'])).toContain('Max-Age=0');
    });

    it('an admin lists and revokes sessions; revoking the key ends them too', async () => {
      const a = await signIn(s.keys.analyst);
      const list = await s.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(s.keys.admin) });
      const mine = list.json().find((x: { id: string }) => x.id === a.r.json().sessionId);
      expect(mine).toMatchObject({ active: true, role: 'analyst', userAgent: 'vitest' });
      expect(JSON.stringify(list.json())).not.toContain(a.value);
      const del = await s.app.inject({ method: 'DELETE', url: `/v1/sessions/${mine.id}`, headers: bearer(s.keys.admin) });
      expect(del.json()).toMatchObject({ active: false, revokedBy: s.ids.admin });
      expect((await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie: `aidr_session=${a.value}` } })).statusCode).toBe(401);
      expect((await s.app.inject({ method: 'DELETE', url: '/v1/sessions/nosuch', headers: bearer(s.keys.admin) })).statusCode).toBe(404);
      // A key revoked: its sessions end at once.
      const k = await s.app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(s.keys.admin), payload: { role: 'viewer', name: 'short-lived' } });
      const b = await signIn(k.json().token);
      expect((await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie: `aidr_session=${b.value}` } })).statusCode).toBe(200);
      await s.app.inject({ method: 'DELETE', url: `/v1/keys/${k.json().id}`, headers: bearer(s.keys.admin) });
      expect((await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie: `aidr_session=${b.value}` } })).statusCode).toBe(401);
    });

    it('a session expires', async () => {
      const principal = { keyId: s.ids.viewer, role: 'viewer' as const, name: 'x', anonymous: false };
      const { token } = await createSession(s.store, principal, 'vitest', 50);
      expect(await verifySession(s.store, token)).toBeDefined();
      await new Promise((r) => setTimeout(r, 2_100)); // past the expiry and the 2 s lookup cache
      expect(await verifySession(s.store, token)).toBeUndefined();
    });

    it('a forged or malformed cookie is refused, never a 5xx', async () => {
      for (const v of ['garbage', 'aidrs_0123456789abcdef_' + 'a'.repeat(43), '%E0%A4%A', '']) {
        const r = await s.app.inject({ method: 'GET', url: '/v1/ledger/accounts', headers: { cookie: `aidr_session=${v}` } });
        expect(r.statusCode, v).toBe(401);
      }
    });
  });
}
