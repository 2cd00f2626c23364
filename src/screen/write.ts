/**
 * Where screened rows go: a CSV file (UTF-8 with a byte order mark, so spreadsheet programs read
 * it as UTF-8), an XLSX workbook (streamed: rows are written out as they come), or JSON Lines;
 * `-` for standard output (CSV or JSON Lines). Writes wait for the sink to drain, so a slow disk
 * slows the run instead of filling memory.
 *
 * `--resume` continues an output: `resumePoint` finds its last complete row (a torn last row, from
 * a killed run, is cut off) and the line number that row came from.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readSync, statSync, truncateSync, type WriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../engine/context.js';
import { COMMIT_COLUMNS, COMPARE_COLUMNS, CSV_COLUMNS } from './format.js';
import type { OutputFormat } from './screener.js';

export interface Sink {
  write(out: string | Buffer | (string | number)[]): Promise<void>;
  close(): Promise<void>;
}

export function formatOfOutput(name: string): OutputFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  return undefined;
}

export type RowMode = 'screen' | 'commit' | 'compare';

export function headerCells(mode: RowMode): string[] {
  return mode === 'commit' ? [...CSV_COLUMNS, ...COMMIT_COLUMNS] : mode === 'compare' ? [...CSV_COLUMNS, ...COMPARE_COLUMNS] : [...CSV_COLUMNS];
}

function streamSink(stream: Writable, close: () => Promise<void>): Sink {
  let failed: Error | undefined;
  stream.on('error', (e) => {
    failed = e;
  });
  return {
    async write(out) {
      if (failed) throw failed;
      if (!stream.write(out as string)) {
        await new Promise<void>((resolve, reject) => {
          const done = (e?: Error) => {
            stream.off('drain', done);
            stream.off('error', done);
            if (e) reject(e);
            else resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
        });
      }
    },
    close,
  };
}

const endFile = (s: WriteStream) => new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));

/** Open the output; `append` continues a file (--resume) without writing the header again. */
export async function openSink(target: string, format: OutputFormat, mode: RowMode, append = false): Promise<Sink> {
  if (format === 'xlsx') {
    if (target === '-') throw new InputError('--output', 'XLSX is written to a file: give -o FILE.xlsx');
    if (append) throw new InputError('--resume', 'an XLSX workbook cannot be continued: write CSV or JSON Lines to resume a run');
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: target, useStyles: false, useSharedStrings: false });
    const ws = wb.addWorksheet('screening');
    ws.addRow(headerCells(mode)).commit();
    return {
      async write(out) {
        ws.addRow(out as (string | number)[]).commit();
      },
      async close() {
        ws.commit();
        await wb.commit();
      },
    };
  }
  if (target === '-') {
    if (format === 'csv' && !append) process.stdout.write(stringify([headerCells(mode)]));
    return streamSink(process.stdout, async () => undefined);
  }
  const file = createWriteStream(target, { flags: append ? 'a' : 'w' });
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (e: NodeJS.ErrnoException) => reject(new InputError('--output', `cannot write ${target}: ${e.code ?? e.message}`)));
  });
  if (format === 'csv' && !append) file.write(`\uFEFF${stringify([headerCells(mode)])}`);
  return streamSink(file, () => endFile(file));
}

/**
 * The last input line an output holds a complete row for, with the torn tail (if any) cut off.
 * 0 when the output is missing or has no row yet.
 */
export async function resumePoint(target: string, format: OutputFormat): Promise<number> {
  if (target === '-' ) throw new InputError('--resume', 'resume continues an output file: give -o FILE');
  if (format === 'xlsx') throw new InputError('--resume', 'an XLSX workbook cannot be continued: write CSV or JSON Lines to resume a run');
  if (!existsSync(target) || statSync(target).size === 0) return 0;
  let last = 0;
  let end = 0;
  if (format === 'jsonl') {
    let offset = 0;
    let rest = Buffer.alloc(0);
    for await (const chunk of createReadStream(target) as AsyncIterable<Buffer>) {
      let buf = Buffer.concat([rest, chunk]);
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        const text = buf.subarray(0, nl).toString('utf8');
        offset += nl + 1;
        buf = buf.subarray(nl + 1);
        try {
          const v = JSON.parse(text) as { line?: unknown };
          if (typeof v.line === 'number') {
            last = v.line;
            end = offset;
          }
        } catch {
          break;
        }
      }
      rest = buf;
    }
  } else {
    const parser = createReadStream(target).pipe(parseCsv({ bom: true, info: true, relax_column_count: true, skip_records_with_error: true }));
    let header = true;
    let width = 0;
    const fd = openSync(target, 'r');
    // csv-parse reports the bytes read when it emits a record, with or without its newline: a
    // row is complete when a newline follows it.
    const lineEnd = (bytes: number): number | undefined => {
      const b = Buffer.alloc(2);
      const n = readSync(fd, b, 0, 2, Math.max(0, bytes - 1));
      if (n >= 1 && b[0] === 10) return bytes;
      if (n === 2 && b[1] === 10) return bytes + 1;
      return undefined;
    };
    try {
      for await (const rec of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
        const complete = lineEnd(rec.info.bytes);
        if (header) {
          header = false;
          width = rec.record.length;
          if (complete === undefined) break;
          end = complete;
          continue;
        }
        const line = Number(rec.record[0]);
        // A torn last row: fewer fields, or no newline after it.
        if (rec.record.length !== width || !Number.isInteger(line) || complete === undefined) break;
        last = line;
        end = complete;
      }
    } finally {
      closeSync(fd);
    }
    if (end === 0) throw new InputError('--resume', `${target} has no complete header row: start without --resume`);
  }
  if (end < statSync(target).size) truncateSync(target, end);
  return last;
}
