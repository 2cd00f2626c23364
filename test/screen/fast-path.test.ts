/**
 * Screening's quick paths (the CSV reader for plain rows, the quick Transaction check, one line
 * mapped and evaluated at a time) change nothing: a mixed order book with bad rows, screened to
 * CSV and to JSON Lines with one and two jobs, is byte for byte what AIDR_SCREEN_PLAIN=1 writes
 * (csv-parse and the zod schema doing all of it), and the summary is the same.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER, orderLines } from '../../bench/orders.mjs';
import { aidr, tempDir } from './helpers.js';

const LINES = 3000;

/** The benchmark's order book, with rows only csv-parse reads and rows the schema refuses between them. */
function orderBook(): string {
  const lines = [...orderLines(LINES, 5)];
  const odd = [
    'PO-Q1,2025-06-02,"Germany","","H100 SXM5 80GB",,,"1,200",cust-1,"Customer, One",DE,US,US,,datacenter\n',
    'PO-Q2,2025-06-02,DE,,nvi"dia-h100-sxm,,,5,cust-2,Customer 2,DE,US,US,,datacenter\n',
    'PO-Q3,2025-06-02,DE,,"nvidia-h100-sxm",,,5,cust-3,"Customer ""Three""",DE,US,US,,datacenter\n',
    'PO-Q4,2025-06-02,DE,,nvidia-h100-sxm,,,5,cust-4,Customer 4,DE,US,US,,datacenter,extra\n',
    '\n',
    'PO-Q5,2025-02-30,DE,,nvidia-h100-sxm,,,5,cust-5,Customer 5,DE,US,US,,datacenter\n',
    'PO-Q6,2025-06-02,US,,nvidia-h100-sxm,,,5,cust-6,Customer 6,US,US,US,,datacenter\n',
    'PO-Q7,2025-06-02,DE,,nvidia-h100-sxm,,,0,cust-7,Customer 7,DE,US,US,,gaming\n',
    'PO-Q8,2025-06-02,DE,,"nvidia-h100-sxm"x,,,5,cust-8,Customer 8,DE,US,US,,datacenter\n',
  ];
  // Spread through the file: the quick reader hands over at the first row it is not sure of.
  lines.splice(1500, 0, ...odd.slice(0, 1));
  lines.splice(2500, 0, ...odd.slice(1));
  return `${HEADER}\n${lines.join('')}`;
}

describe('quick paths against the plain path', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'orders.csv'), orderBook());
  // The same rows in CRLF and without the odd ones, so that the quick reader reads a whole file.
  writeFileSync(join(dir, 'crlf.csv'), `${HEADER}\r\n${[...orderLines(LINES, 6)].join('').replace(/\n/g, '\r\n')}`);

  for (const [input, out, jobs] of [['orders.csv', 'out.csv', '1'], ['orders.csv', 'out.csv', '2'], ['orders.csv', 'out.jsonl', '2'], ['crlf.csv', 'out.csv', '2']] as const) {
    it(`${input} → ${out}, --jobs ${jobs}: the same bytes and summary`, () => {
      const run = (plain: boolean) => {
        const prefix = plain ? 'plain-' : 'quick-';
        const r = aidr(['screen', input, '-o', prefix + out, '--jobs', jobs, '--no-ledger', '--summary', `${prefix}summary.json`], { cwd: dir, env: plain ? { AIDR_SCREEN_PLAIN: '1' } : {} });
        expect(r.status, r.stderr.slice(0, 2000)).toBe(3);
        const summary = JSON.parse(readFileSync(join(dir, `${prefix}summary.json`), 'utf8')) as Record<string, unknown>;
        // What the clock says, and the file's own name, differ.
        for (const k of Object.keys(summary)) if (/seconds|perSecond|^output$/i.test(k)) delete summary[k];
        return { bytes: readFileSync(join(dir, prefix + out)), summary };
      };
      const quick = run(false);
      const plain = run(true);
      expect(quick.bytes.equals(plain.bytes)).toBe(true);
      expect(quick.summary).toEqual(plain.summary);
      expect(quick.summary.invalid).toBeGreaterThan(0);
    }, 120_000);
  }
});
