/**
 * An XLSX workbook as records (read.ts `openInput`): one worksheet, streamed (ExcelJS), the first
 * non-empty row its header; a row with no value in any cell is no line. `line` is the spreadsheet
 * row number. The workbook's worksheets are listed too, so that a sheet that is not the order book
 * (a cover note) can be refused naming the others.
 */
import type { Readable } from 'node:stream';
import { InputError } from '../engine/context.js';
import type { InputRecord, OpenedInput } from './read.js';

/** A cell's value as a person sees it: a formula's result, rich text's text, a hyperlink's text. */
function cellValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const o = v as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: string };
  if ('result' in o) return cellValue(o.result);
  if (o.richText) return o.richText.map((r) => r.text).join('');
  if ('text' in o) return cellValue(o.text);
  if (o.error) return undefined;
  return String(v);
}

export async function readXlsx(stream: Readable, sheet: string | undefined, skip: number): Promise<OpenedInput> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const sheets = reader[Symbol.asyncIterator]();
  let ws: AsyncGenerator<import('exceljs').Row> | undefined;
  let name: string | undefined;
  for (let n = 1; ; n++) {
    const s = await sheets.next().catch((e: Error) => {
      throw new InputError('(input)', `not a readable XLSX workbook: ${e.message}`);
    });
    if (s.done) throw new InputError('--sheet', sheet === undefined ? 'the workbook has no worksheet' : `no worksheet "${sheet}" in the workbook`);
    const w = s.value as unknown as { name?: string; [Symbol.asyncIterator](): AsyncGenerator<import('exceljs').Row> };
    if (sheet === undefined || sheet === String(n) || sheet === w.name) {
      ws = w[Symbol.asyncIterator]();
      name = w.name;
      break;
    }
    // Worksheets must be read in order: drain the ones passed over.
    for await (const _ of w) void _;
  }
  let headerRow: import('exceljs').Row | undefined;
  for (;;) {
    const r = await ws.next();
    if (r.done) throw new InputError('(header)', 'the worksheet is empty: expected a header row naming the columns');
    if (r.value.cellCount > 0) {
      headerRow = r.value;
      break;
    }
  }
  const values = (row: import('exceljs').Row) => (row.values as unknown[]).slice(1).map(cellValue);
  const headers = values(headerRow).map((h) => (h === undefined || h === null ? '' : String(h).trim()));
  async function* rows(): AsyncGenerator<InputRecord> {
    for (;;) {
      const r = await ws!.next();
      if (r.done) return;
      const row = r.value;
      if (row.number <= skip || row.cellCount === 0) continue;
      const cells = values(row);
      if (cells.every((c) => c === undefined || c === null || c === '')) continue;
      yield { line: row.number, cells };
    }
  }
  // The workbook's list of worksheets, read before the first is emitted (ExcelJS keeps it as `model`).
  const listed = (reader as unknown as { model?: { sheets?: { name?: unknown }[] } }).model?.sheets;
  const sheetNames = listed?.map((x) => x.name).filter((x): x is string => typeof x === 'string');
  return { format: 'xlsx', headers, records: rows(), ...(name !== undefined ? { sheet: name } : {}), ...(sheetNames?.length ? { sheets: sheetNames } : {}) };
}
