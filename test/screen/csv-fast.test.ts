/**
 * The quick CSV reader (src/screen/csv-fast.ts) against csv-parse: for any input it takes, cut
 * into chunks anywhere, it gives exactly csv-parse's records and skipped records, with the same
 * messages; the input is drawn from the characters that matter (delimiters, quotes, line endings,
 * a byte order mark, non-ASCII and invalid UTF-8 bytes).
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvParseRecords, quickCsv, readCsvQuick, type CsvRecord } from '../../src/screen/csv-fast.js';
import { detectDelimiter } from '../../src/screen/read.js';

/** Mostly what order books hold ('⏎': the header's line ending), now and then what only csv-parse reads. */
const plain = fc.constantFrom('a', 'b', 'PO-1', '2025-06-02', 'é', 'Türkiye', ' ', ',', ',', ',', '"x"', '"a,b"', '"q""q"', '""', '⏎', '⏎');
const tricky = fc.constantFrom('"', '\n', '\r\n', '\r', '\uFEFF', ';', '\t', '"\n"');
const bytes = fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc3]));
const body = fc.array(fc.oneof({ arbitrary: plain, weight: 40 }, { arbitrary: tricky, weight: 1 }, { arbitrary: bytes, weight: 1 }), { maxLength: 80 });
const header = fc.constantFrom('id,to,model\n', 'id,to,model\r\n', '\uFEFFid;to;model\n', 'id\tto\tmodel\r\n', 'id,to\n', 'a,"b"\n', 'x\ry\n');

async function collect(records: AsyncIterable<CsvRecord>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** The input cut into chunks at the given offsets. */
function chunks(all: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].filter((c) => c > 0 && c < all.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, all.length]) {
    out.push(all.subarray(from, c));
    from = c;
  }
  return out.filter((b) => b.length > 0);
}

async function both(all: Buffer, cuts: number[]): Promise<{ quick?: CsvRecord[]; plain: CsvRecord[] }> {
  const parts = chunks(all, cuts);
  const head = parts[0] ?? Buffer.alloc(0);
  const delimiter = detectDelimiter(head);
  const plain = await collect(csvParseRecords(Readable.from(parts, { objectMode: false }), delimiter, { bom: true }));
  const q = quickCsv(head, delimiter);
  if (!q) return { plain };
  return { quick: await collect(readCsvQuick(Readable.from(parts, { objectMode: false }), q)), plain };
}

describe('quick CSV reader', () => {
  it('gives csv-parse\'s records, wherever the chunks are cut', async () => {
    let taken = 0;
    await fc.assert(fc.asyncProperty(header, body, fc.array(fc.nat(400), { maxLength: 6 }), async (h, parts, cuts) => {
      const eol = h.endsWith('\r\n') ? '\r\n' : '\n';
      const all = Buffer.concat([Buffer.from(h), ...parts.map((p) => (p === '⏎' ? Buffer.from(eol) : Buffer.isBuffer(p) ? p : Buffer.from(p)))]);
      // The head must hold the header line for the quick reader: cut after it.
      const { quick, plain } = await both(all, [Buffer.byteLength(h) + 1, ...cuts.map((c) => c + Buffer.byteLength(h))]);
      if (!quick) return;
      taken++;
      expect(quick).toEqual(plain);
    }), { numRuns: 4000 });
    expect(taken).toBeGreaterThan(800);
  });

  it('reads plain rows itself and hands a malformed row and the rest to csv-parse, line numbers and all', async () => {
    const text = 'id,to,model\nPO-1,DE,"nvidia-h100-sxm"\n\nPO-2,DE,nvi"dia\nPO-3,"D""E",x\nPO-4,JP,"open\n';
    const { quick, plain } = await both(Buffer.from(text), [13, 17, 40]);
    expect(quick).toEqual(plain);
    expect(quick).toEqual([
      { cells: ['id', 'to', 'model'] },
      { cells: ['PO-1', 'DE', 'nvidia-h100-sxm'] },
      // The fields read before the fault come with it (the row's id, to report the row by).
      { skipped: 'not a readable CSV row: Invalid Opening Quote: a quote is found on field 2 at line 4, value is "nvi"', partial: ['PO-2', 'DE'] },
      { cells: ['PO-3', 'D"E', 'x'] },
      { skipped: expect.stringContaining('Quote Not Closed'), partial: ['PO-4', 'JP'] },
    ]);
  });

  it('csv-parse\'s skipped rows come in their place, even when it read ahead of them in one chunk', async () => {
    const text = 'id,to,model\nPO-1,DE,a\nPO-2,DE,b"c\nPO-3,DE,d\n';
    const records = await collect(csvParseRecords(Readable.from([Buffer.from(text)], { objectMode: false }), ',', { bom: true }));
    expect(records.map((r) => ('cells' in r ? r.cells[0] : 'skipped'))).toEqual(['id', 'PO-1', 'skipped', 'PO-3']);
  });

  it('leaves to csv-parse what it does not take from the first chunk', () => {
    expect(quickCsv(Buffer.from('a,"b"\n'), ',')).toBeUndefined();
    expect(quickCsv(Buffer.from('a,b\rc'), ',')).toBeUndefined();
    expect(quickCsv(Buffer.from('a,b'), ',')).toBeUndefined();
    expect(quickCsv(Buffer.from('a,b\r\n'), ',')).toEqual({ delimiter: 44, crlf: true });
  });
});
