/**
 * Screen: a 10,000-line CSV uploaded, evaluated in chunks with a progress bar, filtered by
 * outcome, destination and exception, a row opened, and the results downloaded as CSV and XLSX.
 * Also the headline with and without regimes (fixtures: the field lands with issue 9).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BR_EXAMPLE, expectAccessible, newPage, shot, type Workbench, workbenchSuite } from './harness.js';

let browser: Browser;
let wb: Workbench;

workbenchSuite(false, (b, w) => {
  browser = b;
  wb = w;
});

const ROWS = 10_000;
/** Every 10th row to China (license required), every 10th+1 an invalid country, the rest LPP-eligible H100s to Brazil or AIA to Germany. */
function csv(): string {
  const lines = ['id,date,to,model,quantity,consignee_name,consignee_id,consignee_country,consignee_hq,consignee_parent_hq,end_uses'];
  for (let i = 0; i < ROWS; i++) {
    const to = i % 10 === 0 ? 'CN' : i % 10 === 1 ? 'XX' : i % 2 === 0 ? 'BR' : 'DE';
    const hq = to === 'DE' ? 'US' : to;
    lines.push(`PO-${i},2025-06-02,${to},nvidia-h100-sxm,${1 + (i % 50)},"Customer ${i}, Inc.",c-${i},${to},${hq},${hq},datacenter`);
  }
  return `${lines.join('\n')}\n`;
}

describe('Screen', () => {
  it('uploads 10,000 rows, shows progress, filters, opens a row, downloads CSV and XLSX', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aidr-screen-'));
    const file = join(dir, 'orders.csv');
    writeFileSync(file, csv());
    const { page, problems, context } = await newPage(browser, wb.base);
    await page.goto(`${wb.base}/#/screen`);
    await page.getByLabel('Spreadsheet (CSV or XLSX)').setInputFiles(file);
    const progress = page.locator('progress#screen-progress');
    await progress.waitFor();
    expect(Number(await progress.getAttribute('max'))).toBe(ROWS);
    await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000 }).toBe(ROWS);
    const summary = page.getByTestId('screen-summary');
    await expect.poll(() => summary.textContent()).toContain('Invalid rows: 1,000');
    expect(await summary.textContent()).toContain('License required: 1,000');
    expect(await summary.textContent()).toContain('License exception available: 8,000');
    await shot(page, 'screen');
    await expectAccessible(page, 'Screen with results');
    // Filters.
    const shown = page.locator('p[aria-live]', { hasText: 'rows shown' });
    await page.getByLabel('Outcome').selectOption('license_required');
    await expect.poll(() => shown.textContent()).toContain('1,000 of 10,000 rows shown');
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Destination').selectOption('DE');
    await expect.poll(() => shown.textContent()).toContain('4,000 of 10,000 rows shown');
    await page.getByLabel('Eligible exception').selectOption('LPP');
    await expect.poll(() => shown.textContent()).toContain('rows shown');
    await page.getByLabel('Destination').selectOption('');
    await page.getByLabel('Eligible exception').selectOption('');
    // An invalid row says which field and why.
    await page.getByLabel('Outcome').selectOption('invalid');
    await expect.poll(() => page.locator('.vrow').first().textContent()).toContain('to: "XX" is not a country aidr knows');
    await page.getByLabel('Outcome').selectOption('');
    // Sorting by a column, then opening a row by keyboard.
    await page.getByRole('button', { name: 'Id' }).click();
    await page.getByRole('button', { name: /^Id/ }).click();
    const first = page.locator('.vrow').first();
    await expect.poll(() => first.textContent()).toContain('PO-9999');
    await first.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.row-detail').textContent()).toContain('Row 10000: PO-9999');
    await expect.poll(() => page.locator('.row-detail .headline').textContent()).toContain('License exception available');
    await page.getByRole('button', { name: 'Close' }).click();
    // Downloads.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csvPath = join(dir, 'results.csv');
    await csvDownload.saveAs(csvPath);
    const lines = readFileSync(csvPath, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe('row,id,to,consignee,item,quantity,eccn,outcome,eligible_exceptions,license_required,review_policy,missing_facts,error');
    expect(lines.find((l) => l.startsWith('1,PO-0,'))).toContain(',license_required,');
    expect(lines.find((l) => l.startsWith('3,PO-2,'))).toContain('"Customer 2, Inc."');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download XLSX' }).click()]);
    const xlsxPath = join(dir, 'results.xlsx');
    await xlsx.saveAs(xlsxPath);
    const bytes = readFileSync(xlsxPath);
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // an OOXML zip
    expect(xlsx.suggestedFilename()).toBe('orders-results.xlsx');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('adds up one ultimate consignee across the whole file: 1,000 lines of 50,000 TPP, exactly 538 within the LPP cap (red team, 2026-12-06: chunks of 500 each had a fresh cap)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aidr-screen-'));
    const file = join(dir, 'orders.csv');
    const lines = ['id,date,to,tpp,quantity,consignee_id,consignee_country,consignee_hq,consignee_parent_hq,consignee_parent_id'];
    for (let i = 0; i < 1000; i++) lines.push(`W-${i},2025-06-02,BR,5000,10,sub-${i},BR,BR,BR,WB`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { page, context } = await newPage(browser, wb.base);
    await page.goto(`${wb.base}/#/screen`);
    await page.getByLabel('Spreadsheet (CSV or XLSX)').setInputFiles(file);
    const summary = page.getByTestId('screen-summary');
    // 538 × 50,000 = 26,900,000: the cap exactly (740.29(d)); the other 462 lines need a license.
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('License exception available: 538');
    await context.close();
  }, 120_000);
});

describe('Screen (XLSX)', () => {
  it('reads an XLSX order book the same way (dates and numbers as Excel stores them)', async () => {
    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const dir = mkdtempSync(join(tmpdir(), 'aidr-screen-'));
    const file = join(dir, 'orders.xlsx');
    const header = ['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq'].map((value) => ({ value }));
    const rows = Array.from({ length: 300 }, (_, i) => [
      { value: `X-${i}` }, { value: new Date(Date.UTC(2025, 5, 2)), type: Date, format: 'yyyy-mm-dd' }, { value: i % 3 === 0 ? 'CN' : 'BR' }, { value: 'nvidia-h100-sxm' },
      { value: 10 + i, type: Number }, { value: `x-${i}` }, { value: i % 3 === 0 ? 'CN' : 'BR' }, { value: i % 3 === 0 ? 'CN' : 'BR' }, { value: i % 3 === 0 ? 'CN' : 'BR' },
    ]);
    await writeXlsxFile([header, ...rows] as never).toFile(file);
    const { page, problems, context } = await newPage(browser, wb.base);
    await page.goto(`${wb.base}/#/screen`);
    await page.getByLabel('Spreadsheet (CSV or XLSX)').setInputFiles(file);
    const summary = page.getByTestId('screen-summary');
    await expect.poll(() => summary.textContent(), { timeout: 20_000 }).toContain('License exception available: 200');
    expect(await summary.textContent()).toContain('License required: 100');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the headline and regimes', () => {
  it('one line per regime when the determination carries regimes; the single answer otherwise', async () => {
    const { page, context } = await newPage(browser, wb.base);
    let withRegimes = true;
    await page.route('**/v1/determinations', async (route) => {
      const res = await route.fetch();
      const d = await res.json();
      if (withRegimes) {
        d.regime = 'codified';
        d.regimes = [
          { id: 'codified', basis: ['90 FR 4544'], eccn: '3A090.a', subjectToEar: 'yes', licenseRequired: 'yes', outcome: 'license_required', reviewPolicy: 'approval_within_allocation', eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)(A)'] },
          { id: 'enforced', basis: ['88 FR 73458', 'BIS guidance 2026-05-31'], eccn: '3A090.a', subjectToEar: 'yes', licenseRequired: 'no', outcome: 'no_license_required', reviewPolicy: null, eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)(A)'] },
        ];
        d.regimesDiffer = true;
      } else {
        // A determination without regimes (an older server): the single answer.
        delete d.regime;
        delete d.regimes;
        delete d.regimesDiffer;
      }
      await route.fulfill({ response: res, json: d });
    });
    await page.goto(`${wb.base}/#/check`);
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const regimes = page.locator('.headline .regimes li');
    await expect.poll(() => regimes.count()).toBe(2);
    expect(await page.locator('.headline h2').textContent()).toContain('the regimes differ');
    expect(await regimes.nth(0).textContent()).toContain('As written (codified) (top-level answer): License required');
    expect(await regimes.nth(1).textContent()).toContain('As enforced: No license required');
    expect(await regimes.nth(1).getByRole('link', { name: '§ 742.6(a)(6)(iii)(A)' }).count()).toBe(1);
    await shot(page, 'check-regimes', false);
    await expectAccessible(page, 'Check with regimes');
    withRegimes = false;
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.locator('.headline .regimes').count()).toBe(0);
    expect(await page.locator('.headline h2').textContent()).toContain('License required');
    await context.close();
  });

  it('the regime switch asks for the other regime and the details follow it; agreeing regimes give one headline', async () => {
    const { page, problems, context } = await newPage(browser, wb.base);
    const asked: (string | undefined)[] = [];
    await page.route('**/v1/determinations', async (route) => {
      asked.push((route.request().postDataJSON() as { options?: { regime?: string } }).options?.regime);
      const res = await route.fetch();
      const d = await res.json();
      d.regimes = [
        { id: 'codified', basis: ['90 FR 4544'], eccn: '3A090.a', subjectToEar: 'yes', licenseRequired: 'yes', outcome: 'license_required', reviewPolicy: 'approval_within_allocation', eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)(A)'] },
        { id: 'enforced', basis: ['88 FR 73458'], eccn: '3A090.a', subjectToEar: 'yes', licenseRequired: 'no', outcome: 'no_license_required', reviewPolicy: null, eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)'] },
      ];
      d.regimesDiffer = true;
      await route.fulfill({ response: res, json: d });
    });
    await page.goto(`${wb.base}/#/check`);
    await page.getByRole('button', { name: BR_EXAMPLE }).click();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.locator('.headline').textContent()).toContain('The details below follow the codified text.');
    await page.getByLabel('As BIS enforces it').check();
    await expect.poll(() => page.locator('.headline').textContent()).toContain('The details below follow the enforced regime.');
    expect(asked).toEqual([undefined, 'enforced']);
    expect(await page.locator('.headline .regimes li').nth(1).textContent()).toContain('As enforced (top-level answer): No license required');
    await expectAccessible(page, 'Check with the regime switch');
    // The real service on a 2024 date, where both regimes read the same text: one headline says so.
    await page.unrouteAll();
    await page.getByLabel('Date', { exact: true }).fill('2024-06-01');
    await page.getByLabel('The rule as written (codified)').check();
    await expect.poll(() => page.locator('.headline .regimes-agree').count()).toBe(1);
    expect(await page.locator('.headline .regimes').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
