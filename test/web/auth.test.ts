/**
 * The workbench with authentication on (`aidr serve --auth`): sign-in exchanges an API key for a
 * session cookie (HttpOnly, SameSite=Strict), sign-out revokes it; the cookie carries the key's
 * role (a viewer sees no commit button and is refused if it forces one); a state-changing request
 * without the CSRF token, or from another site, changes nothing; admins create keys (the token is
 * shown once), revoke keys and sessions.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ledgerSnapshot } from '../api/helpers.js';
import { BR_EXAMPLE, expectAccessible, expectNoHorizontalOverflow, newPage, shot, tabTo, type Workbench, workbenchSuite } from './harness.js';

let browser: Browser;
let wb: Workbench;

workbenchSuite(true, (b, w) => {
  browser = b;
  wb = w;
});

async function signIn(page: Page, token: string) {
  await page.goto(`${wb.base}/#/check`);
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

const COMMIT_BODY = {
  transaction: { id: 'PO-FORCED', date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10, consignee: { id: 'forced', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } },
  commit: true,
};

describe('sign-in and sign-out', () => {
  it('asks for a key, refuses a wrong one, signs in with a cookie the page cannot read, signs out for good', async () => {
    const { page, context, problems } = await newPage(browser, wb.base);
    await page.goto(`${wb.base}/`);
    await page.getByRole('heading', { name: 'Sign in to the aidr workbench' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await shot(page, 'sign-in');
    await page.getByLabel('API key').fill('aidr_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown, revoked or malformed API key');
    await page.getByLabel('API key').fill(wb.keys.officer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.who').textContent()).toContain('(officer)');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'aidr_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.secure).toBe(false); // plain HTTP on loopback; Secure is set over TLS
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // The cookie authenticates the API with the key's role.
    const accounts = await page.evaluate(async () => (await fetch('/v1/ledger/accounts')).status);
    expect(accounts).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the aidr workbench' }).waitFor();
    // The old cookie is dead on the server, not only forgotten by the browser.
    const r = await fetch(`${wb.base}/v1/ledger/accounts`, { headers: { cookie: `aidr_session=${cookie!.value}` } });
    expect(r.status).toBe(401);
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
    await context.close();
  });
});

describe('roles through the session', () => {
  it('a viewer sees no commit button and gets 403 if it forces one; nothing is written', async () => {
    const { page, context } = await newPage(browser, wb.base);
    await signIn(page, wb.keys.viewer);
    expect(await page.locator('.who').textContent()).toContain('(viewer)');
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('needs role analyst');
    expect(await page.getByRole('button', { name: /^Commit/ }).count()).toBe(0);
    const before = await ledgerSnapshot(wb.store);
    const forced = await page.evaluate(async (body) => {
      const s = await (await fetch('/v1/session')).json();
      const r = await fetch('/v1/determinations', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    }, COMMIT_BODY);
    expect(forced.status).toBe(403);
    expect(forced.body.detail).toContain('has role viewer');
    expect(await ledgerSnapshot(wb.store)).toBe(before);
    await shot(page, 'viewer-check');
    await context.close();
  });

  it('an analyst evaluates but has no commit button; an officer has one', async () => {
    const a = await newPage(browser, wb.base);
    await signIn(a.page, wb.keys.analyst);
    await a.page.getByRole('button', { name: BR_EXAMPLE }).click();
    await a.page.getByRole('button', { name: 'Check', exact: true }).click();
    await a.page.locator('.headline').waitFor();
    expect(await a.page.getByRole('button', { name: /^Commit/ }).count()).toBe(0);
    await a.context.close();
    const o = await newPage(browser, wb.base);
    await signIn(o.page, wb.keys.officer);
    await o.page.getByRole('button', { name: BR_EXAMPLE }).click();
    await o.page.getByRole('button', { name: 'Check', exact: true }).click();
    await o.page.locator('.headline').waitFor();
    expect(await o.page.getByRole('button', { name: /^Commit/ }).count()).toBe(1);
    await o.context.close();
  });
});

describe('CSRF', () => {
  it('a state-changing request with the cookie but without the token is refused; a cross-site one carries no cookie; nothing is written', async () => {
    const { page, context } = await newPage(browser, wb.base);
    await signIn(page, wb.keys.officer);
    const before = await ledgerSnapshot(wb.store);
    const noToken = await page.evaluate(async (body) => {
      const r = await fetch('/v1/determinations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    }, COMMIT_BODY);
    expect(noToken.status).toBe(403);
    expect(noToken.body.detail).toContain('x-csrf-token');
    const wrongToken = await page.evaluate(async (body) => (await fetch('/v1/determinations', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'forged' }, body: JSON.stringify(body) })).status, COMMIT_BODY);
    expect(wrongToken).toBe(403);
    const signOutWithoutToken = await page.evaluate(async () => (await fetch('/v1/session', { method: 'DELETE' })).status);
    expect(signOutWithoutToken).toBe(403);
    // Another site (localhost is not the same site as 127.0.0.1) posting to the service: the
    // SameSite=Strict cookie is not sent, a simple (no-cors) request carries no JSON type, and the
    // response cannot be read; nothing changes.
    const other = await context.newPage();
    await other.goto(`${wb.base.replace('127.0.0.1', 'localhost')}/rule`);
    await other.evaluate(async ({ url, body }) => {
      await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) }).catch(() => undefined);
      const f = document.createElement('form');
      f.method = 'POST';
      f.action = url;
      document.body.append(f);
    }, { url: `${wb.base}/v1/determinations`, body: COMMIT_BODY });
    expect(await ledgerSnapshot(wb.store)).toBe(before);
    // The page itself, with its token, still works.
    const ok = await page.evaluate(async () => {
      const s = await (await fetch('/v1/session')).json();
      return (await fetch('/v1/audit/verify', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken }, body: '{}' })).status;
    });
    expect(ok).toBe(200);
    await context.close();
  });
});

describe('Admin', () => {
  it('creates a key (the token is shown once), revokes it, lists and revokes sessions', async () => {
    const { page, context, problems } = await newPage(browser, wb.base);
    await signIn(page, wb.keys.admin);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill('order desk');
    await page.getByLabel('Role').selectOption('analyst');
    await page.getByRole('button', { name: 'Create key' }).click();
    const token = await page.getByTestId('new-token').textContent();
    expect(token).toMatch(/^aidr_[0-9a-f]{16}_/);
    await shot(page, 'admin');
    await expectAccessible(page, 'Admin');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(token!);
    // The new key signs in elsewhere; the admin sees that session and revokes it.
    const first = await newPage(browser, wb.base);
    await signIn(first.page, token!);
    const id = token!.split('_')[1]!;
    await page.reload();
    const sessionRow = page.locator('tr', { hasText: id }).filter({ hasText: 'order desk' }).filter({ has: page.getByRole('button', { name: /^Revoke session/ }) });
    await expect.poll(() => sessionRow.count()).toBe(1);
    await sessionRow.getByRole('button', { name: /^Revoke session/ }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'order desk' }).filter({ hasText: 'revoked' }).count()).toBe(1);
    expect(await first.page.evaluate(async () => (await fetch('/v1/ledger/accounts')).status)).toBe(401);
    await first.context.close();
    // Signed in again; revoking the key ends its sessions too.
    const second = await newPage(browser, wb.base);
    await signIn(second.page, token!);
    await page.reload();
    await page.getByRole('button', { name: `Revoke key ${id} (order desk)` }).click();
    await expect.poll(() => page.locator('tr', { hasText: id }).first().textContent()).toContain('revoked');
    expect(await second.page.evaluate(async () => (await fetch('/v1/ledger/accounts')).status)).toBe(401);
    await second.context.close();
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('sign-in, Admin and sign-out by keyboard alone, 390 px wide', () => {
  it('signs in, creates a key, signs out: each screen fits, passes axe, and is screenshotted', async () => {
    const { page, context, problems } = await newPage(browser, wb.base, { width: 390, height: 844 });
    await page.goto(`${wb.base}/`);
    await page.getByRole('heading', { name: 'Sign in to the aidr workbench' }).waitFor();
    await expectNoHorizontalOverflow(page, 'sign-in');
    await shot(page, 'narrow-sign-in');
    await tabTo(page, page.getByLabel('API key'));
    await page.keyboard.type(wb.keys.admin);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.who').textContent()).toContain('(admin)');
    await page.goto(`${wb.base}/#/admin`);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await tabTo(page, page.getByLabel('Name'));
    await page.keyboard.type('phone desk');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, page.getByRole('button', { name: 'Create key' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('new-token').textContent()).toMatch(/^aidr_[0-9a-f]{16}_/);
    await expectNoHorizontalOverflow(page, 'admin');
    await expectAccessible(page, 'Admin at 390 px');
    await shot(page, 'narrow-admin-keys');
    await tabTo(page, page.getByRole('button', { name: 'Sign out' }), { back: true, max: 120 });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sign in to the aidr workbench' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
