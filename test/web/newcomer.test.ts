/**
 * The newcomer's path of issue 11, in one go and without knowing anything: open the workbench
 * (loopback, no --auth), check 10,000 H100 for a Brazilian data center today (2026-12-06), see why
 * LPP is not available and the largest LPP quantity, answer a missing fact, flip an
 * interpretation, screen a CSV (the page's own sample) and download the result.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BR_EXAMPLE, expectAccessible, newPage, SHOTS, shot, type Workbench, workbenchSuite } from './harness.js';

let browser: Browser;
let wb: Workbench;

workbenchSuite(false, (b, w) => {
  browser = b;
  wb = w;
});

const TODAY = '2026-12-06';

describe('a newcomer', () => {
  it('checks, learns why LPP is not available and how much fits, answers a fact, flips a reading, screens and downloads', async () => {
    const { page, problems, context } = await newPage(browser, wb.base, undefined, TODAY);
    await page.goto(`${wb.base}/`);
    // The first screen is the Check form, on today's date.
    await page.getByRole('heading', { name: 'Check a transaction' }).waitFor();
    expect(await page.getByLabel('Date').inputValue()).toBe(TODAY);
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    expect(await page.getByLabel('Date').inputValue()).toBe(TODAY);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const headline = page.locator('.headline');
    // Both regimes: a license as written; none as BIS enforces it.
    await expect.poll(() => headline.locator('[data-regime=codified]').textContent()).toContain('License required');
    expect(await headline.locator('[data-regime=enforced]').textContent()).toContain('No license required');
    // Why LPP is not available, in readable figures, and the largest quantity that fits.
    const doable = page.locator('.what-if .doable');
    await expect.poll(() => doable.textContent()).toContain('To ship under LPP: at most 1,699 units (now 10,000).');
    expect(await doable.textContent()).toContain('LPP is not available now: annual-cap (not met)');
    expect(await doable.textContent()).toContain('Over the cap by 131,420,000');
    const lpp = page.locator('section.exception', { has: page.getByRole('heading', { name: /^LPP: not eligible/ }) });
    expect(await lpp.locator('tr.cond-not_met th').allTextContents()).toEqual(['annual-cap']);
    await shot(page, 'newcomer-1-check');
    // The what-if, applied: the engine is asked again and LPP is available for 1,699 units.
    await page.getByRole('button', { name: 'Apply this change' }).click();
    await expect.poll(() => headline.locator('[data-regime=codified]').textContent()).toContain('License exception available: LPP');
    expect(await page.getByLabel('Quantity (units)').inputValue()).toBe('1699');
    await expect.poll(() => page.locator('p[role=status]').first().textContent()).toBe('Re-evaluated: the outcome, LPP, the warnings changed.');
    // Flip an interpretation: the answer is asked again and what changed is marked.
    await page.getByLabel(/^INT-10:/).selectOption({ index: 1 });
    await expect.poll(() => page.locator('p.ruleset').textContent()).toContain('not enforced');
    expect(await page.locator('p.ruleset.changed').count()).toBe(1);
    await shot(page, 'newcomer-2-applied-and-flipped');
    // A missing fact: the datasheet example does not say whether the chip is for datacenters.
    await page.getByRole('button', { name: /from its datasheet/ }).click();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const q = page.locator('.question', { hasText: 'Is the item designed or marketed for datacenters?' });
    await q.waitFor();
    // The answer element counts the answers shown: wait for the one to this question.
    const shown = () => page.locator('article.result').getAttribute('data-answer-seq');
    const before = await shown();
    await q.getByRole('button', { name: 'No' }).click();
    await expect.poll(shown).not.toBe(before);
    expect(await page.locator('.question').count()).toBe(0);
    expect(await page.getByLabel('Designed or marketed for datacenters?').inputValue()).toBe('false');
    expect(await headline.textContent()).toMatch(/^No license required/);
    // Screen: the page's sample order book, uploaded, filtered, downloaded. (Since 2026-07-10, when the
    // UAE's country groups changed, 91 FR 43034, its order of 100 ships under LPP too.)
    await page.getByRole('link', { name: 'Screen' }).click();
    const [sample] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download a sample order book' }).click()]);
    const samplePath = join(SHOTS, 'newcomer-sample.csv');
    await sample.saveAs(samplePath);
    const sampleLines = readFileSync(samplePath, 'utf8').trimEnd().split('\r\n');
    expect(sampleLines.slice(1).every((l) => l.split(',')[1] === TODAY)).toBe(true); // its orders ship today
    await page.getByLabel('Spreadsheet (CSV or XLSX)').setInputFiles(samplePath);
    await expect.poll(() => page.locator('.progress label').textContent()).toContain(`Evaluated ${sampleLines.length - 1} of ${sampleLines.length - 1} rows`);
    await expect.poll(() => page.getByTestId('screen-summary').textContent()).toContain('License exception available: 3 · License required: 3');
    await page.getByLabel('Outcome').selectOption({ label: 'License exception available' });
    await expect.poll(() => page.locator('.vtable tbody tr.vrow').count()).toBe(3);
    await shot(page, 'newcomer-3-screen');
    await expectAccessible(page, 'Screen with results');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('newcomer-sample-results.csv');
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^row,id,to,consignee,item,quantity,eccn,outcome,eligible_exceptions,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 2).concat(l.split(',').slice(7, 9)).join(' '))).toEqual(['PO-1002 license_exception LPP', 'PO-1003 license_exception AIA', 'PO-1004 license_exception LPP']);
    expect(problems).toEqual([]);
    await context.close();
  });
});
