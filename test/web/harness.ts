/**
 * The workbench end to end: a real `aidr serve` server (in process, listening on loopback) on a
 * fresh SQLite store, and Debian's chromium driven by playwright-core. `npx playwright install`
 * cannot run here: the browser is the system's (`apt-get install -y chromium`; .ci/run installs
 * it). Without it the suite fails, with that instruction, rather than skip.
 *
 * Screenshots go to test/web/screenshots/ (git-ignored): look at them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { testServer, type TestServer } from '../api/helpers.js';

// A browser on a shared 2-core machine answers in its own time: wait up to 15 s for a page to
// show what is expected (expect.poll), and give each test a minute.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } }, testTimeout: 60_000 });

export const SHOTS = join(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not this one
    }
  }
  throw new Error('the workbench suite needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH); .ci/run installs it');
}

export function assertBuilt(): void {
  const dist = join(import.meta.dirname, '..', '..', 'dist', 'web', 'app.js');
  if (!existsSync(dist)) throw new Error('dist/web/app.js is missing: run npm run build (npm test does) before the workbench suite');
}

export async function launch(): Promise<Browser> {
  assertBuilt();
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Playwright gives every launch a fresh temporary profile (--user-data-dir) of its own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface Workbench extends TestServer {
  base: string;
}

export async function startWorkbench(authRequired: boolean): Promise<Workbench> {
  const s = await testServer('sqlite', { auth: { required: authRequired } });
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...s, base: address };
}

/**
 * A fresh browser context that records what must never happen: a request to anything but the
 * server, a CSP violation, a script error.
 */
/**
 * The day the suite's expectations were written for. The workbench starts a check on the
 * browser's today, so the browser's clock is pinned to it (only Date: timers run as usual), and
 * an answer does not change under the suite when the calendar moves on or a ruleset vintage starts.
 */
export const SUITE_TODAY = '2025-06-02';

export async function newPage(browser: Browser, base: string, viewport = { width: 1280, height: 900 }, today = SUITE_TODAY): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  await context.clock.setFixedTime(new Date(`${today}T12:00:00`));
  const page = await context.newPage();
  const problems: string[] = [];
  const origin = new URL(base).origin;
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`request outside the machine: ${u}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of (400|401|403|404|409|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it stands: no serious or critical violation (WCAG 2.1 A/AA and best practices). */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply to it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  expect(violations, `axe on ${what}`).toEqual([]);
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** The page fits its width: nothing but scrollable tables runs past the right edge. */
export async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scroll, `${what}: page width ${scroll} at a ${client} px viewport`).toBeLessThanOrEqual(client + 1);
}

/** Presses Tab (or Shift+Tab) until the element is focused (at most `max` times): is it reachable by keyboard? */
export async function tabTo(page: Page, target: Locator, { max = 80, back = false } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  expect.fail(`${target} not reached by ${max} presses of Tab`);
}

/** The Brazilian data center example: 10,000 H100 (the Check page's first example). */
export const BR_EXAMPLE = '10,000 H100 for a Brazilian data center';

/**
 * A browser and a workbench for one test file: started before its tests, closed after them;
 * `use` receives them for the file's own variables.
 */
export function workbenchSuite(authRequired: boolean, use: (browser: Browser, wb: Workbench) => void): void {
  let browser: Browser | undefined;
  let wb: Workbench | undefined;
  beforeAll(async () => {
    [browser, wb] = await Promise.all([launch(), startWorkbench(authRequired)]);
    use(browser, wb);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await wb?.close();
  });
}
