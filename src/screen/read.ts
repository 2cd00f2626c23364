/**
 * Reading an order book as a stream of records, whatever its format, in constant memory:
 * CSV (UTF-8 with or without a byte order mark; `,`, `;` or tab, detected from the header line;
 * quoted fields), XLSX (one worksheet, streamed), JSON Lines, and a JSON array read element by
 * element. A record that cannot be read (a malformed CSV row, a line that is not JSON) is
 * yielded with its error, so the run goes on; input that cannot be read at all (no header, not
 * a JSON array) is an `InputError` (exit 2).
 *
 * `line` is where a person finds the record: the spreadsheet row number for CSV and XLSX (the
 * header is row 1), the line number for JSON Lines, the element number (from 1) for a JSON array.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8, parseJsonExact } from '../contract/json.js';
import { InputError } from '../engine/context.js';
import { csvParseRecords, quickCsv, readCsvQuickChunks, type CsvRecord } from './csv-fast.js';
import { PLAIN } from './plain.js';
import { readXlsx } from './read-xlsx.js';

export type InputFormat = 'csv' | 'xlsx' | 'jsonl' | 'json';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'xlsx', 'jsonl', 'json'];

/** A record: cells by column (CSV, XLSX: one header for the file), or a JSON value. */
export type InputRecord =
  | { line: number; cells: unknown[] }
  | { line: number; value: unknown }
  /** A record that cannot be read: why, and the cells read of it (`partial`: its id, when they reach it). */
  | { line: number; error: string; partial?: unknown[] };

export interface OpenedInput {
  format: InputFormat;
  /** CSV and XLSX: the header row. */
  headers?: string[];
  records: AsyncIterable<InputRecord>;
  /**
   * CSV: the same records, as many at a time as one read of the input held (cheaper to go through
   * than one by one). A reader takes them from `records` or from here, not both.
   */
  chunks?: AsyncIterable<InputRecord[]>;
  /** XLSX: the worksheet read, and every worksheet of the workbook (to say which exist). */
  sheet?: string;
  sheets?: string[];
  /** A file: how much of it has been read, of how much (for a progress bar). */
  position?: () => { bytes: number; total: number };
}

export interface ReadOptions {
  format?: InputFormat;
  /** XLSX: the worksheet's name or number (from 1); default the first. */
  sheet?: string;
  /** Records to skip (already done: --resume); they are read but not yielded. */
  skipThroughLine?: number;
}

export function formatOfName(name: string): InputFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  return undefined;
}

/** The first chunk of a stream, and a stream that still yields everything. */
async function peek(stream: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value as string);
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

function sniff(head: Buffer): InputFormat {
  if (head[0] === 0x50 && head[1] === 0x4b) return 'xlsx'; // "PK": a zip archive
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return 'jsonl';
  return 'csv';
}

/** Open a file (or `-`, or a stream) as records. */
export async function openInput(source: string | Readable, opts: ReadOptions = {}): Promise<OpenedInput> {
  let stream: Readable;
  let format = opts.format;
  let position: OpenedInput['position'];
  if (typeof source === 'string') {
    if (source === '-') stream = process.stdin;
    else {
      const file = createReadStream(source);
      stream = file;
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (e: NodeJS.ErrnoException) => reject(new InputError('(input)', `cannot read ${source}: ${e.code ?? e.message}`)));
      });
      const total = statSync(source).size;
      position = () => ({ bytes: file.bytesRead, total });
      format ??= formatOfName(source);
    }
  } else stream = source;
  const peeked = await peek(stream);
  stream = peeked.stream;
  if (format === 'json' && /^\s*\{/.test(peeked.head.toString('utf8').replace(/^\uFEFF/, ''))) format = 'jsonl';
  format ??= sniff(peeked.head);
  const skip = opts.skipThroughLine ?? 0;
  const opened = format === 'csv' ? await readCsv(stream, peeked.head, skip)
    : format === 'xlsx' ? await readXlsx(stream, opts.sheet, skip)
    : { format, records: format === 'jsonl' ? readJsonLines(stream, skip) : readJsonArray(stream, skip) };
  return position ? { ...opened, position } : opened;
}

/**
 * JSON that is one value or an array of them (`aidr check`): an array is read element by element,
 * anything else is read whole (one transaction is small).
 */
export async function openJson(source: string): Promise<{ array: AsyncIterable<InputRecord> } | { text: string }> {
  let stream: Readable;
  if (source === '-') stream = process.stdin;
  else {
    stream = createReadStream(source);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e: NodeJS.ErrnoException) => reject(new InputError('(input)', `cannot read ${source}: ${e.code ?? e.message}`)));
    });
  }
  const peeked = await peek(stream);
  if (/^\s*\[/.test(peeked.head.toString('utf8').replace(/^\uFEFF/, ''))) return { array: readJsonArray(peeked.stream) };
  const chunks: Buffer[] = [];
  for await (const c of peeked.stream) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  // Never a silent U+FFFD in what is decided or recorded.
  if (!isUtf8(bytes)) throw new InputError('(root)', `${source === '-' ? 'standard input' : source} is not valid UTF-8: an invalid byte sequence at byte offset ${firstInvalidUtf8(bytes)}`);
  return { text: bytes.toString('utf8') };
}

// ---- CSV -------------------------------------------------------------------------------------------

/** The delimiter of the header line: the most frequent of , ; and tab outside quotes. */
export function detectDelimiter(head: Buffer): string {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  return Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![1] > 0 ? Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0] : ',';
}

async function readCsv(stream: Readable, head: Buffer, skip: number): Promise<OpenedInput> {
  const delimiter = detectDelimiter(head);
  const quick = PLAIN ? undefined : quickCsv(head, delimiter);
  const it = (quick ? readCsvQuickChunks(stream, quick) : oneByOne(csvParseRecords(stream, delimiter, { bom: true })))[Symbol.asyncIterator]();
  let pending: CsvRecord[] = [];
  while (!pending.length) {
    const n = await it.next();
    if (n.done) throw new InputError('(header)', 'the input is empty: expected a header row naming the columns');
    pending = n.value;
  }
  const first = pending[0]!;
  if ('skipped' in first) throw new InputError('(header)', `the header row cannot be read: ${first.skipped}`);
  const headers = first.cells.map((h) => h.trim());
  pending = pending.slice(1);
  let records = 1;
  async function* chunks(): AsyncGenerator<InputRecord[]> {
    for (;;) {
      const out: InputRecord[] = [];
      for (const r of pending) {
        const line = ++records;
        if (line <= skip) continue;
        if ('skipped' in r) {
          out.push(r.partial ? { line, error: r.skipped, partial: r.partial } : { line, error: r.skipped });
          continue;
        }
        const cells = r.cells;
        // A row of delimiters only (";;;", a blank spreadsheet row saved as CSV) is no line, as an empty XLSX row is not.
        if (cells[0] === '' && allBlank(cells)) continue;
        if (holdsReplacement(cells)) {
          out.push({ line, error: NOT_UTF8, partial: [cells[0]] });
          continue;
        }
        if (cells.length !== headers.length) {
          // Only the first field is sure to be in its column (a stray delimiter shifts those after it).
          out.push({ line, error: `${cells.length} fields where the header has ${headers.length}`, partial: [cells[0]] });
          continue;
        }
        out.push({ line, cells });
      }
      if (out.length) yield out;
      const n = await it.next();
      if (n.done) return;
      pending = n.value;
    }
  }
  const chunked = chunks();
  async function* rows(): AsyncGenerator<InputRecord> {
    for await (const c of chunked) yield* c;
  }
  return { format: 'csv', headers, records: rows(), chunks: chunked };
}

/**
 * A CSV line is read as UTF-8; bytes that are not (a Latin-1 or Windows-1252 export: "M\xfcller")
 * decode to U+FFFD, and "Müller" and "Møller" would become one consignee, one LPP account, stored
 * so (red team, 2026-12-06). Such a line is refused on its own row; the others go on.
 */
const NOT_UTF8 = 'the line is not valid UTF-8 (or holds U+FFFD, the mark of a lossy conversion): save the file as UTF-8 (e.g. "CSV UTF-8" in Excel); a Latin-1 or Windows-1252 export would merge names such as "Müller" and "Møller"';

function holdsReplacement(cells: readonly string[]): boolean {
  for (let i = 0; i < cells.length; i++) if (cells[i]!.includes('\uFFFD')) return true;
  return false;
}

function allBlank(cells: readonly string[]): boolean {
  for (let i = 0; i < cells.length; i++) if (cells[i]!.trim() !== '') return false;
  return true;
}

/** Each item of `items` as a list of one (a reader of chunks takes any input so). */
export async function* oneByOne<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const x of items) yield [x];
}

// ---- JSON Lines and JSON arrays ----------------------------------------------------------------------

async function* readJsonLines(stream: Readable, skip: number): AsyncGenerator<InputRecord> {
  let line = 0;
  for await (const text of lines(stream)) {
    line++;
    if (line <= skip || text.trim() === '') continue;
    try {
      yield { line, value: parseJsonExact(text) };
    } catch (e) {
      yield { line, error: `not valid JSON: ${(e as Error).message}` };
    }
  }
}

/** Lines of a UTF-8 stream (a byte order mark dropped; \r\n or \n). */
async function* lines(stream: Readable): AsyncGenerator<string> {
  let rest = '';
  let first = true;
  for await (const chunk of decodeUtf8(stream)) {
    let text = rest + chunk;
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest;
}

/** The stream's text, refusing invalid UTF-8 with its byte offset (never a silent U+FFFD). */
async function* decodeUtf8(stream: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let offset = 0;
  for await (const bytes of stream as AsyncIterable<Buffer>) {
    try {
      yield decoder.decode(bytes, { stream: true });
    } catch {
      throw new InputError('(root)', `the input is not valid UTF-8: an invalid byte sequence near byte offset ${offset + firstInvalidUtf8(bytes)}`);
    }
    offset += bytes.length;
  }
  try {
    const tail = decoder.decode();
    if (tail !== '') yield tail;
  } catch {
    throw new InputError('(root)', `the input is not valid UTF-8: it ends inside a multi-byte sequence (byte offset ${offset})`);
  }
}

/**
 * The elements of a top-level JSON array, each parsed as it completes (strings and nesting
 * tracked, so commas and brackets inside them do not split). Only one element is held at a time.
 */
export async function* readJsonArray(stream: Readable, skip = 0): AsyncGenerator<InputRecord> {
  let state: 'before' | 'between' | 'in' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element: string[] = [];
  let from = 0;
  let index = 0;
  let first = true;
  for await (let chunk of decodeUtf8(stream)) {
    if (first) {
      chunk = chunk.replace(/^\uFEFF/, '');
      first = false;
    }
    from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (state === 'in') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (depth === 0) {
            // The array closes right after an element.
            element.push(chunk.slice(from, i));
            yield* emit(element.join(''), ++index, skip);
            element = [];
            state = 'after';
            continue;
          }
          depth--;
        } else if (c === 0x2c && depth === 0) {
          element.push(chunk.slice(from, i));
          yield* emit(element.join(''), ++index, skip);
          element = [];
          state = 'between';
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (state === 'before') {
        if (c !== 0x5b) throw new InputError('(root)', 'expected a JSON array of transactions ("[" first)');
        state = 'between';
      } else if (state === 'between') {
        if (c === 0x5d && index === 0) {
          state = 'after';
          continue;
        }
        state = 'in';
        depth = 0;
        from = i;
        i--; // read this character as the element's first
      } else {
        throw new InputError('(root)', 'unexpected text after the end of the JSON array');
      }
    }
    if (state === 'in') element.push(chunk.slice(from));
  }
  if ((state as string) !== 'after') throw new InputError('(root)', (state as string) === 'before' ? 'the input is empty: expected a JSON array' : 'the JSON array is not closed ("]" missing): the input ends inside it');
  if (index === 0) throw new InputError('(root)', 'an empty array: give at least one transaction');
}

function* emit(text: string, index: number, skip: number): Generator<InputRecord> {
  if (index <= skip) return;
  try {
    yield { line: index, value: parseJsonExact(text) };
  } catch (e) {
    yield { line: index, error: `not valid JSON: ${(e as Error).message}` };
  }
}
