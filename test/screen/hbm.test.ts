/**
 * High bandwidth memory (3A090.c) screens like every other item (red team 2: a JSON Lines record
 * of item type hbm was refused): as a contract record and as CSV columns, with License Exception
 * HBM's facts.
 */
import { describe, expect, it } from 'vitest';
import { aidr, csv, rows, tempDir } from './helpers.js';

const record = {
  date: '2025-06-02', to: 'CN', item: { type: 'hbm', memoryBandwidthDensity: 2.5 }, quantity: 1000,
  consignee: { name: 'Korea Packaging China Co', country: 'CN', headquarters: 'KR', ultimateParentHeadquarters: 'KR' },
  exporter: { headquarters: 'US', ultimateParentHeadquarters: 'US' },
  facts: { hbmBoughtByCoPackageDesigner: true, hbmShippedDirectToPackagingSite: true, hbmPackagedAtAdvancedNodeFacility: false },
};

describe('HBM in screening', () => {
  it('a JSON Lines record and the same line as CSV columns: 3A090.c, License Exception HBM', () => {
    const dir = tempDir();
    const fromJsonl = aidr(['screen', '-', '--format', 'csv'], { cwd: dir, input: `${JSON.stringify(record)}\n` });
    expect(fromJsonl.status, fromJsonl.stderr).toBe(0);
    const header = ['date', 'to', 'item type', 'memory bandwidth density', 'quantity', 'consignee name', 'consignee country', 'consignee hq', 'consignee parent hq', 'exporter hq', 'exporter parent hq', 'hbm bought by co package designer', 'hbm shipped direct to packaging site', 'hbm packaged at advanced node facility'];
    const line = ['2025-06-02', 'CN', 'hbm', '2.5', '1000', 'Korea Packaging China Co', 'CN', 'KR', 'KR', 'US', 'US', 'yes', 'yes', 'no'];
    const fromCsv = aidr(['screen', '-', '--format', 'csv'], { cwd: dir, input: csv([header, line]) });
    expect(fromCsv.status, fromCsv.stderr).toBe(0);
    for (const out of [fromJsonl, fromCsv]) {
      const [r] = rows(out.stdout);
      expect(r).toMatchObject({ eccn: '3A090.c', outcome: 'license_exception', eligible_exceptions: 'HBM', review_policy: 'presumption_of_approval' });
    }
  });
});
