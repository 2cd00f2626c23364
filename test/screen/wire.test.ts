import { describe, expect, it } from 'vitest';
import type { InputRecord } from '../../src/screen/read.js';
import { decodeRecords, encodeRecords, RowBytes } from '../../src/screen/wire.js';

describe('records and rows between threads (wire.ts)', () => {
  it('records come back as they went, in order: string cells compactly, the rest as themselves', () => {
    const records: InputRecord[] = [
      { line: 2, cells: ['PO-1', '2025-06-02', 'Deutschland', '', 'nvidia-h100-sxm', '10'] },
      { line: 3, error: '16 fields where the header has 15' },
      { line: 4, cells: ['PO-3', new Date('2025-06-02T00:00:00Z'), 7, true] },
      { line: 5, cells: ['Türkiye 🇹🇷', 'a,"b"', 'x\ny', ''] },
      { line: 6, value: { id: 'T-1', item: { type: 'ic' } } },
      { line: 7, cells: [] },
      { line: 9, cells: [''] },
    ];
    const wire = encodeRecords(records);
    expect(wire.others.map((r) => r.line)).toEqual([3, 4, 6]);
    expect([...decodeRecords(structuredClone(wire))]).toEqual(records);
  });

  it('an empty batch', () => {
    expect([...decodeRecords(encodeRecords([]))]).toEqual([]);
  });

  it('rows are gathered as UTF-8 with each row\'s line and end, the buffer growing past its first guess', () => {
    const rows = new RowBytes(3, 4);
    const texts = ['a,b\n', `${'é'.repeat(2000)}\n`, 'Türkiye → TR 🇹🇷\n'];
    texts.forEach((t, i) => rows.add(10 + i, t));
    const m = rows.message();
    expect([...m.lines]).toEqual([10, 11, 12]);
    const ends = [...m.ends];
    expect(ends.at(-1)).toBe(m.bytes.length);
    const back = ends.map((e, i) => Buffer.from(m.bytes.subarray(i === 0 ? 0 : ends[i - 1], e)).toString('utf8'));
    expect(back).toEqual(texts);
    expect(rows.size).toBe(Buffer.byteLength(texts.join('')));
  });
});

describe('lines per batch sent to a worker (run.ts)', () => {
  it('keeps the bytes of a batch about the same whatever the output: fewer lines for JSON Lines, fewer still with --full', async () => {
    const { batchLines, BATCH } = await import('../../src/screen/run.js');
    const csv = batchLines({ eval: { explain: false }, output: 'csv' });
    const lean = batchLines({ eval: { explain: false }, output: 'jsonl' });
    const full = batchLines({ eval: { explain: true }, output: 'jsonl' });
    expect(csv).toBe(BATCH);
    expect(batchLines({ eval: { explain: false }, output: 'xlsx' })).toBe(BATCH);
    // ~0.6 KB a CSV row, ~6 KB a lean JSON line, ~20 KB a full one: each batch stays within ~2 MB.
    expect(lean * 6).toBeLessThanOrEqual(2_000);
    expect(full * 20).toBeLessThanOrEqual(2_000);
    expect(full).toBeGreaterThan(0);
  });
});
