import { describe, expect, it } from 'vitest';
import type { Determination } from '../../src/contract/determination.js';
import { screenCsvLine, writeScreenCsv } from '../../src/screen/csv-row.js';
import { flatRow, type ScreenRow } from '../../src/screen/format.js';
import { NO_LEDGER } from '../../src/screen/evaluate.js';
import { csvLine, Screener } from '../../src/screen/screener.js';
import { RowBytes } from '../../src/screen/wire.js';

const HEADERS = ['order_id', 'ship_date', 'destination', 'item_type', 'model', 'ic_count', 'training_operations', 'quantity', 'customer_id', 'consignee_name', 'consignee_country', 'consignee_hq', 'end_use'];
const RECORDS = [
  ['PO-1', '2025-11-20', 'GB', '', 'H100 PCIe', '', '', '99', 'cust-1', 'Customer 1', 'GB', 'CN', 'datacenter'],
  ['PO-2', '2025-11-20', 'Germany', 'model_weights', '', '', '4.8e26', '904', 'cust-2', 'Customer 2', '', 'BR', 'datacenter'],
  ['PO,"3"', '2025-03-01', 'China', '', 'nvidia-h20', '', '', '5000', 'c,3', 'A "quoted", name', 'CN', 'CN', 'datacenter'],
  ['PO-4', '2025-06-02', 'Atlantis', '', 'H100 PCIe', '', '', 'many', '', '', '', '', ''],
  ['PO-5', '2024-01-10', 'IN', 'computer', 'nvidia-h100-sxm', '8', '', '3', 'cust-5', 'Customer 5', 'IN', 'US', 'datacenter'],
  ['PO-6', '2026-02-01', 'AE', '', 'nvidia-b200', '', '', '20000', 'cust-6', 'Customer 6', 'AE', 'AE', 'datacenter'],
];

/** A row's written form as it was written before screenCsvLine: the flat cells, then csvLine. */
const reference = (row: ScreenRow) => csvLine(flatRow(row, 'screen'));

/** The same row written in parts into a batch's bytes (as a worker writes it), starting small so that the buffer grows. */
function asBytes(row: ScreenRow): string {
  const rows = new RowBytes(2, 8);
  rows.add(1, 'x,é\n');
  writeScreenCsv(rows, row);
  rows.endRow(row.line);
  const m = rows.message();
  expect([...m.lines]).toEqual([1, row.line]);
  expect(m.ends[1]).toBe(m.bytes.length);
  return Buffer.from(m.bytes.subarray(m.ends[0])).toString('utf8');
}

describe('a screened line\'s CSV record (csv-row.ts)', () => {
  it('is the flat row\'s CSV line, for evaluated lines and lines in error', async () => {
    const screener = new Screener({ eval: { explain: false }, output: 'rows', headers: HEADERS }, NO_LEDGER);
    const rows = (await screener.process(RECORDS.map((cells, i) => ({ line: i + 2, cells })))).map((p) => p.out as ScreenRow);
    rows.push({ line: 99, notes: [], errors: [{ path: '(row)', message: '16 fields where the header has 15' }] });
    for (const row of rows) {
      expect(screenCsvLine(row)).toBe(reference(row));
      // Again: from the memo of repeated cells.
      expect(screenCsvLine(row)).toBe(reference(row));
      expect(asBytes(row)).toBe(reference(row));
    }
  });

  it('quotes, commas and line breaks in every kind of cell', async () => {
    const screener = new Screener({ eval: { explain: false }, output: 'rows', headers: HEADERS }, NO_LEDGER);
    const [base] = (await screener.process([{ line: 2, cells: RECORDS[0]! }])).map((p) => p.out as ScreenRow);
    const d = base!.determination!;
    const odd: Determination = {
      ...d,
      classification: { ...d.classification, eccn: null, candidates: ['4E091', null], aggregateTpp: 12, aggregateTppExact: undefined },
      missingFacts: [{ path: 'a,b', why: '' }, { path: 'c', why: '' }],
      interpretations: [{ ...d.interpretations[0]!, reading: 'x"y', changesOutcome: true }],
      warnings: ['Legal status: said once', 'one,\r\ntwo', 'three "3"\n\nfour', 'Saving clause: also once'],
      regimes: [],
    };
    const rows: ScreenRow[] = [
      { ...base!, id: 'a\nb', destination: 'D,E', item: 'say "x"', notes: ['to: "Germany" → DE', 'line\r\nbreak'], determination: odd, lppLeftTpp: '1.5' },
      { ...base!, notes: ['only one\nnote'], determination: { ...odd, warnings: ['single\r\nwarning, "quoted"'], classification: { ...odd.classification, candidates: undefined } } },
      { line: 3, notes: [], exception: null, lppLeftTpp: '7', errors: [{ path: 'to', column: 'destination', message: 'unknown,\n"country"' }, { path: 'x', column: 'x', message: 'y' }] },
      { line: 4, notes: ['n'] },
      // Three of each; two in the other list's order (a pair memoized for one list is not the other's).
      { ...base!, id: 'Türkiye 🇹🇷', notes: ['a', 'b', 'c,d'], determination: { ...odd, warnings: ['a', 'b', 'e\nf', 'g'] } },
      { ...base!, notes: ['b', 'a'], determination: { ...odd, warnings: ['a', 'b'] } },
      { ...base!, notes: ['a', 'b'], determination: { ...odd, warnings: ['b', 'a'] } },
    ];
    for (const row of rows) {
      expect(screenCsvLine(row)).toBe(reference(row));
      expect(asBytes(row)).toBe(reference(row));
    }
  });
});
