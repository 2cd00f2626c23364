/**
 * The workbench's main paths, as a newcomer would take them, on loopback without --auth (the
 * local anonymous officer): check 10,000 H100 for a Brazilian data center, see why LPP is not
 * available and the largest LPP quantity, answer a missing fact, flip an interpretation, commit
 * and see the LPP bar move, verify the chain and replay, the chip calculator, print. Every page:
 * axe (no serious or critical violation), keyboard only, 390 px wide, screenshots.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BR_EXAMPLE, expectAccessible, expectNoHorizontalOverflow, newPage, shot, type Workbench, workbenchSuite } from './harness.js';

let browser: Browser;
let wb: Workbench;

workbenchSuite(false, (b, w) => {
  browser = b;
  wb = w;
});

async function open(path = '/#/check', viewport?: { width: number; height: number }) {
  const r = await newPage(browser, wb.base, viewport);
  await r.page.goto(`${wb.base}${path}`);
  await r.page.getByRole('navigation', { name: 'Pages' }).waitFor();
  return r;
}

const checkButton = (page: Page) => page.getByRole('button', { name: 'Check', exact: true });

async function fillDatasheet(page: Page, tops: string, bits: string, area: string) {
  await page.getByLabel('Datasheet figures').check();
  await page.getByLabel('Dense TOPS (or TFLOPS) at the precision below').fill(tops);
  await page.getByLabel('Bit length of that precision').fill(bits);
  await page.getByLabel('Applicable die area (mm²)').fill(area);
}

describe('Check', () => {
  it('10,000 H100 for a Brazilian data center: license required, why LPP is not available, at most 1,699 units under LPP', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await checkButton(page).click();
    const headline = page.locator('.headline');
    await expect.poll(() => headline.textContent()).toContain('License required');
    const lpp = page.locator('section.exception', { has: page.getByRole('heading', { name: /^LPP: not eligible/ }) });
    await expect.poll(() => lpp.locator('tr.cond-not_met th').allTextContents()).toEqual(['annual-cap']);
    expect(await lpp.locator('tr.cond-not_met td').nth(1).textContent()).toContain('Over the cap by 131,420,000'); // the engine's exact digits, grouped for reading
    await expect.poll(() => page.locator('.what-if .doable').textContent()).toContain('To ship under LPP: at most 1,699 units (now 10,000).');
    expect(await page.locator('.what-if .doable').textContent()).toContain('LPP is not available now: annual-cap (not met)');
    await shot(page, 'check-brazil');
    await expectAccessible(page, 'Check with a determination');
    // Apply the change: the engine is asked again, and LPP is available.
    await page.getByRole('button', { name: 'Apply this change' }).click();
    await expect.poll(() => headline.textContent()).toMatch(/License exception available(: | under )LPP/);
    expect(await page.getByLabel('Quantity (units)').inputValue()).toBe('1699');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a missing fact is a question; answering it re-evaluates in place', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await fillDatasheet(page, '250', '16', '600'); // TPP 4,000: Note 1 turns on the datacenter flag
    await checkButton(page).click();
    const q = page.locator('.question', { hasText: 'Is the item designed or marketed for datacenters?' });
    await q.waitFor();
    await expect.poll(() => page.locator('.headline').textContent()).toContain('Indeterminate');
    await shot(page, 'check-missing-fact');
    // Wait for the answer to this question (the answer element counts the answers shown): the
    // enforced regime's line says "No license required" before it already.
    const shown = () => page.locator('article.result').getAttribute('data-answer-seq');
    const before = await shown();
    await q.getByRole('button', { name: 'No' }).click();
    await expect.poll(shown).not.toBe(before);
    expect(await page.locator('.headline').textContent()).toMatch(/^No license required/);
    expect(await page.locator('.question', { hasText: 'designed or marketed for datacenters' }).count()).toBe(0);
    // The answer is now part of the form.
    expect(await page.getByLabel('Designed or marketed for datacenters?').inputValue()).toBe('false');
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('changed');
    expect(problems).toEqual([]);
    await context.close();
  });

  // Saudi Arabia (D:4): the UAE left D:3/D:4 for A:5 on 2026-07-10 (91 FR 43034), so LPP no longer turns on INT-6 there.
  it('an interpretation toggle re-evaluates and highlights what changed (INT-6: LPP to Saudi Arabia)', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await page.getByLabel('Destination country').selectOption('SA');
    await page.getByLabel('Located in').first().selectOption('SA');
    await page.getByLabel('Headquartered in', { exact: true }).first().selectOption('SA');
    await page.getByLabel('Ultimate parent headquartered in').first().selectOption('SA');
    await page.getByLabel('Quantity (units)').fill('100');
    await checkButton(page).click();
    await expect.poll(() => page.locator('.headline').textContent()).toContain('License required');
    const toggle = page.getByLabel(/^INT-6:/);
    await toggle.selectOption({ index: 1 });
    await expect.poll(() => page.locator('.headline').textContent()).toMatch(/License exception available(: | under )LPP/);
    expect(await page.locator('.headline .badge-changed').count()).toBe(1);
    expect(await page.locator('section.exception.changed', { has: page.getByRole('heading', { name: /^LPP/ }) }).count()).toBe(1);
    await shot(page, 'check-interpretation-changed');
    await expectAccessible(page, 'Check after an interpretation toggle');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('flipping a status interpretation (INT-10) marks the legal status and the warnings as changed, not the outcome', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await checkButton(page).click();
    await page.locator('.headline').waitFor();
    await page.getByLabel(/^INT-10:/).selectOption({ index: 1 });
    await expect.poll(() => page.locator('p.ruleset').textContent()).toContain('not enforced');
    expect(await page.locator('p.ruleset.changed .badge-changed').count()).toBe(1);
    expect(await page.locator('section.changed', { has: page.getByRole('heading', { name: /^Warnings/ }) }).count()).toBe(1);
    expect(await page.locator('.headline .badge-changed').count()).toBe(0);
    expect(await page.locator('[role=status]').first().textContent()).toContain('the legal status, the warnings changed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('every citation is a link to its paragraph on the rule-text page, served here', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await checkButton(page).click();
    const link = page.locator('section.exception', { has: page.getByRole('heading', { name: /^LPP/ }) }).getByRole('link', { name: '§ 740.29(d)' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/rule#p-740.29_d');
    // Every citation on the page resolves to an anchor that exists.
    const hrefs = new Set(await page.locator('.cite a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!)));
    const rule = await context.newPage();
    await rule.goto(`${wb.base}/rule`);
    for (const h of hrefs) expect(await rule.locator(`[id="${h.split('#')[1]}"]`).count(), h).toBe(1);
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(`${wb.base}/rule#p-740.29_d`);
    expect(await popup.locator('#p-740\\.29_d').textContent()).toContain('26,900,000 cumulative TPP in a calendar year');
    await shot(popup, 'rule-text', false);
    await expectAccessible(popup, 'the rule-text page');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('prints as the record an officer files', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await checkButton(page).click();
    await page.locator('.headline').waitFor();
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('details:not([open])').count()).toBe(0);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('.tx-form').isVisible()).toBe(false);
    const record = page.locator('article.record');
    expect(await record.getByRole('heading', { name: 'Export determination record' }).isVisible()).toBe(true);
    const text = (await record.textContent())!;
    for (const s of ['PO-BR-1', 'Exemplo Datacenter Ltda', 'License required', 'annual-cap', '15 CFR 740.29(d)', 'Interpretations relied on', 'Ruleset ai-diffusion-2025, version', 'as of 2025-06-02']) expect(text).toContain(s);
    await shot(page, 'check-print');
    await page.pdf({ path: `${import.meta.dirname}/screenshots/check-print.pdf` });
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('What-if, Chips, Ledgers, Audit', () => {
  it('What-if: every change evaluated; LPP at most 1,699 units; AIA blocked by facts the exporter cannot change', async () => {
    const { page, problems, context } = await open('/#/what-if');
    await expect.poll(() => page.locator('.what-if').textContent()).toContain('To ship under LPP: at most 1,699 units (now 10,000).');
    expect(await page.locator('.what-if').textContent()).toContain('cannot change');
    expect(await page.locator('.what-if').textContent()).toContain('would have to fall by more than 11,032');
    await shot(page, 'what-if');
    await expectAccessible(page, 'What-if');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('Chips and TPP: the catalog, and the calculator shows each step', async () => {
    const { page, problems, context } = await open('/#/chips');
    await expect.poll(() => page.getByTestId('chips-table').locator('tbody tr').count()).toBeGreaterThan(5);
    await page.getByLabel('Dense TOPS (or TFLOPS) at one precision').fill('989.5');
    await page.getByLabel('Bit length of that precision').fill('16');
    await page.getByLabel('Applicable die area (mm²), optional').fill('814');
    await page.getByRole('button', { name: 'Compute' }).click();
    const result = page.getByTestId('calc-result');
    await expect.poll(() => result.textContent()).toContain('3A090.a');
    const text = (await result.textContent())!;
    expect(text).toContain('TPP 15,832');
    expect(text).toContain('Total processing performance');
    expect(text).toContain('Performance density');
    await shot(page, 'chips');
    await expectAccessible(page, 'Chips and TPP');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a commit moves the LPP bar; the audit chain verifies; a replay finds no difference', async () => {
    const { page, problems, context } = await open();
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await page.getByLabel('Quantity (units)').fill('800'); // 12,665,600 TPP: 47 % of the cap
    await checkButton(page).click();
    await expect.poll(() => page.locator('.headline').textContent()).toMatch(/License exception available(: | under )LPP/);
    await page.getByRole('button', { name: /^Commit/ }).click();
    await expect.poll(() => page.locator('.committed').textContent()).toContain('exception used: LPP');
    await page.getByRole('link', { name: 'Ledgers' }).click();
    const row = page.getByTestId('lpp-table').locator('tr', { hasText: 'exemplo-br' });
    await row.waitFor();
    const width = async () => Number(await row.locator('rect.bar-used').getAttribute('width'));
    const before = await width();
    expect(before).toBeCloseTo(200 * 12_665_600 / 26_900_000, 3);
    expect(await row.getAttribute('class')).not.toContain('near-cap');
    await shot(page, 'ledgers-one-commit');
    await page.getByRole('link', { name: 'Check' }).click();
    await page.getByLabel('Quantity (units)').fill('899'); // 1,699 units in all: the most that fits (26,898,568 TPP)
    await checkButton(page).click();
    await expect.poll(() => page.locator('.headline').textContent()).toMatch(/License exception available(: | under )LPP/);
    await page.getByRole('button', { name: /^Commit/ }).click();
    await page.locator('.committed').waitFor();
    await page.getByRole('link', { name: 'Ledgers' }).click();
    await row.waitFor();
    await expect.poll(width).toBeCloseTo(200 * 15_832 * 1699 / 26_900_000, 3);
    expect(await row.getAttribute('class')).toContain('near-cap');
    await row.getByRole('button', { name: /^Movements/ }).click();
    await expect.poll(() => page.locator('.movements tbody tr').count()).toBe(2);
    await shot(page, 'ledgers');
    await expectAccessible(page, 'Ledgers');
    // Audit: search, verify, open, replay.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Transaction id / PO contains').fill('PO-BR');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByTestId('audit-table').locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toContain('Chain intact: 2 record(s)');
    await page.getByTestId('audit-table').locator('tbody tr').first().getByRole('link').click();
    await page.getByRole('heading', { name: /^Record 2/ }).waitFor();
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /^Replay/ }).textContent()).toContain('the same determination');
    // Which vintage and regime decided it, and the same transaction today under each regime.
    expect(await page.locator('.replay-then').textContent()).toMatch(/^Then: Decided on \d{4}-\d{2}-\d{2}, in vintage V\w+ .*codified regime/);
    expect(await page.locator('.replay-today li').allTextContents()).toEqual([expect.stringMatching(/^As written: /), expect.stringMatching(/^As enforced: /)]);
    await shot(page, 'audit');
    await expectAccessible(page, 'Audit');
    expect(problems).toEqual([]);
    await context.close();
  });
});

const PAGES = ['check', 'what-if', 'screen', 'ledgers', 'audit', 'chips', 'admin'];

describe('every page', () => {
  it('is usable at 390 px wide, passes axe, and is screenshotted', async () => {
    const { page, problems, context } = await open('/#/check', { width: 390, height: 844 });
    for (const p of PAGES) {
      await page.goto(`${wb.base}/#/${p}`);
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      await page.waitForLoadState('networkidle');
      if (p === 'check') {
        await checkButton(page).click();
        await page.locator('.headline').waitFor();
      }
      await expectNoHorizontalOverflow(page, p);
      await expectAccessible(page, `${p} at 390 px`);
      await shot(page, `narrow-${p}`);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works by keyboard alone: the pages by Tab and Enter, a check by keyboard', async () => {
    const { page, problems, context } = await open('/#/check');
    const focused = () => page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      return e ? `${e.tagName.toLowerCase()}:${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 60)}` : '';
    });
    // The skip link comes first, then the navigation.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Skip to the content');
    for (const p of PAGES) {
      // Tab to the page's link in the navigation and follow it with Enter.
      await page.goto(`${wb.base}/#/check`);
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      let found = false;
      for (let i = 0; i < 15 && !found; i++) {
        await page.keyboard.press('Tab');
        found = (await page.evaluate(() => document.activeElement?.getAttribute('href'))) === `#/${p}`;
      }
      expect(found, `the ${p} link is reachable by Tab`).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/${p}`);
    }
    // A whole check by keyboard: the example, then Tab to the Check button, Enter.
    await page.goto(`${wb.base}/#/check`);
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    let onCheck = false;
    for (let i = 0; i < 120 && !onCheck; i++) {
      await page.keyboard.press('Tab');
      onCheck = (await focused()) === 'button:Check';
    }
    expect(onCheck, 'the Check button is reachable by Tab').toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.headline').textContent()).toContain('License required');
    // The answer takes the focus, so a keyboard or screen-reader user lands on it (in the frame after it renders).
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('result'))).toBe(true);
    // Focus is visible.
    const outline = await page.evaluate(() => { const b = document.querySelector('button.primary') as HTMLElement; b.focus(); return getComputedStyle(b).outlineStyle; });
    expect(outline).not.toBe('none');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is served with a strict Content-Security-Policy and loads nothing from elsewhere', async () => {
    const r = await fetch(`${wb.base}/`);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await r.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/https?:\/\//);
    const js = await (await fetch(`${wb.base}/assets/app.js`)).text();
    expect(js).not.toMatch(/\b(src|href)=["']https?:\/\//);
  });
});
