/**
 * A quick CSV reader for the common order book: fields separated by one delimiter, plainly
 * quoted or not quoted at all, one line ending throughout. It gives exactly the records
 * csv-parse gives (with the options of read.ts) and hands the rest of the input to csv-parse at
 * the first record it is not sure of (a quote inside a field, a line break inside quotes, a
 * stray carriage return…), from that record's first byte, so that csv-parse reads and reports
 * it, and everything after it, as it would have. csv-parse cost more per line than the rest of
 * reading; this reader's share is one pass over the bytes.
 *
 * Fields are decoded from UTF-8 one by one, as csv-parse decodes them (an invalid byte becomes
 * U+FFFD).
 */
import { Readable, type Transform } from 'node:stream';
import { parse as parseCsv, type CsvError } from 'csv-parse';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** A record, or a record csv-parse skipped (its message, and the fields read before the fault). */
export type CsvRecord = { cells: string[] } | { skipped: string; partial?: string[] };

/** What the quick reader needs: the delimiter and the line ending, both from the header line. */
export interface QuickCsv {
  delimiter: number;
  /** The record delimiter csv-parse would discover on the header line. */
  crlf: boolean;
}

/**
 * Whether the quick reader can take this input, from its first chunk: the header line is whole
 * in it, has no quote, and ends with \n or \r\n (csv-parse takes the first line ending it meets
 * as the record delimiter for the whole file; a lone \r is left to it).
 */
export function quickCsv(head: Buffer, delimiter: string): QuickCsv | undefined {
  if (delimiter.length !== 1) return undefined;
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === QUOTE) return undefined;
    if (c === LF) return { delimiter: delimiter.charCodeAt(0), crlf: false };
    if (c === CR) return head[i + 1] === LF ? { delimiter: delimiter.charCodeAt(0), crlf: true } : undefined;
  }
  return undefined;
}

/**
 * Records as csv-parse reads them (`recordDelimiter` absent: discovered on the first line; `bom`:
 * a byte order mark at the start dropped). A record it cannot read is skipped, in its place: the
 * skip is put into the parser's output as it happens, between the records before and after it
 * (csv-parse reads a whole chunk ahead of its reader, so a skip reported beside the stream came
 * before records that precede it in the file).
 */
export async function* csvParseRecords(source: Readable, delimiter: string, opts: { recordDelimiter?: string; bom: boolean }): AsyncGenerator<CsvRecord> {
  const parser: Transform = parseCsv({
    bom: opts.bom,
    delimiter,
    ...(opts.recordDelimiter ? { record_delimiter: opts.recordDelimiter } : {}),
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      // The fields before the fault (its `state`, kept public by csv-parse): the row's id is often among them.
      const before = (parser as Transform & { state?: { record?: unknown } }).state?.record;
      const partial = Array.isArray(before) && before.every((c) => typeof c === 'string') ? [...(before as string[])] : undefined;
      parser.push({ skipped: `not a readable CSV row: ${err?.message ?? 'malformed'}`, ...(partial?.length ? { partial } : {}) } satisfies CsvRecord);
      return undefined;
    },
  });
  for await (const r of source.pipe(parser) as AsyncIterable<string[] | { skipped: string; partial?: string[] }>) {
    yield Array.isArray(r) ? { cells: r } : r;
  }
}

/**
 * The records of a CSV stream (header included) whose head `quickCsv` accepted. A byte order
 * mark at the start is dropped, as csv-parse's `bom` option does.
 */
export async function* readCsvQuick(stream: Readable, q: QuickCsv): AsyncGenerator<CsvRecord> {
  for await (const chunk of readCsvQuickChunks(stream, q)) yield* chunk;
}

/**
 * `readCsvQuick`'s records, every record complete in what has been read so far at once (hundreds
 * of records a read): a reader taking them one by one through an async generator paid a promise
 * and a turn of the microtask queue per record, more than the record's scan.
 */
export async function* readCsvQuickChunks(stream: Readable, q: QuickCsv): AsyncGenerator<CsvRecord[]> {
  const d = q.delimiter;
  const crlf = q.crlf;
  let buf: Buffer = Buffer.alloc(0);
  let start = 0;
  let first = true;
  /** Line breaks (\r and \n bytes) before `start`: csv-parse's line count in its messages. */
  let breaks = 0;
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let ended = false;
  // The fields' bounds of the record being read (three numbers a field), one array for every
  // record: a new one grew three times a record.
  const bounds: number[] = [];
  /** `buf` as Latin-1, when an ASCII record has needed it since `buf` last changed. */
  let latin1: string | undefined;
  for (;;) {
    // Every complete record in buf from `start`.
    const out: CsvRecord[] = [];
    for (;;) {
      const n = buf.length;
      let i = start;
      if (i >= n) break;
      // An empty line: skipped, as skip_empty_lines does.
      if (buf[i] === LF && !crlf) {
        start = i + 1;
        breaks++;
        continue;
      }
      if (crlf && buf[i] === CR) {
        if (i + 1 >= n && !ended) break; // is it \r\n? The next byte is not read yet
        if (buf[i + 1] === LF) {
          start = i + 2;
          breaks += 2;
          continue;
        }
        // A lone \r: the record's first field sees it (and hands over).
      }
      let recordBreaks = 0;
      let bail = false;
      let complete = false;
      // Field by field: [from, to) of its bytes, quoted (with "" inside) or not.
      let nb = 0;
      // Every byte of the record OR-ed: below 0x80, the record is ASCII.
      let high = 0;
      for (;;) {
        if (i < n && buf[i] === QUOTE) {
          const from = i + 1;
          let j = from;
          let doubled = false;
          for (;;) {
            if (j >= n) break;
            const c = buf[j]!;
            high |= c;
            if (c === QUOTE) {
              if (buf[j + 1] === QUOTE) {
                doubled = true;
                j += 2;
                continue;
              }
              if (j + 1 >= n && !ended) {
                j = n; // the byte after the closing quote is not read yet
              }
              break;
            }
            if (c === CR || c === LF) {
              bail = true;
              break;
            }
            j++;
          }
          if (bail) break;
          if (j >= n) {
            if (ended) bail = true; // a quote not closed
            break;
          }
          bounds[nb++] = from;
          bounds[nb++] = j;
          bounds[nb++] = doubled ? 2 : 1;
          i = j + 1;
          const next = buf[i];
          if (i >= n) {
            complete = true; // the input ends after the closing quote
            break;
          }
          if (next === d) {
            i++;
            continue;
          }
          if (next === LF && !crlf) {
            recordBreaks = 1;
            complete = true;
            break;
          }
          if (next === CR && crlf) {
            if (i + 1 >= n && !ended) break;
            if (buf[i + 1] === LF) {
              recordBreaks = 2;
              complete = true;
              break;
            }
          }
          bail = true; // something other than a delimiter after the closing quote
          break;
        }
        let j = i;
        let end = -1;
        for (; j < n; j++) {
          const c = buf[j]!;
          high |= c;
          if (c === d) break;
          if (c === LF) {
            if (crlf) {
              bail = true;
              break;
            }
            end = 1;
            break;
          }
          if (c === CR) {
            if (crlf && j + 1 >= n && !ended) {
              j = n; // is it \r\n? The next byte is not read yet
              break;
            }
            if (!crlf || buf[j + 1] !== LF) {
              bail = true; // a lone \r: a character of the field to csv-parse
              break;
            }
            end = 2;
            break;
          }
          if (c === QUOTE) {
            bail = true; // a quote inside a field not quoted
            break;
          }
        }
        if (bail) break;
        if (j >= n) {
          if (!ended) break; // the rest of the record is not read yet
          bounds[nb++] = i;
          bounds[nb++] = n;
          bounds[nb++] = 0;
          i = n;
          complete = true;
          break;
        }
        bounds[nb++] = i;
        bounds[nb++] = j;
        bounds[nb++] = 0;
        if (end > 0) {
          recordBreaks = end;
          i = j;
          complete = true;
          break;
        }
        i = j + 1; // after the delimiter
        if (i >= n && ended) {
          // A record ending in a delimiter: an empty last field.
          bounds[nb++] = i;
          bounds[nb++] = i;
          bounds[nb++] = 0;
          complete = true;
          break;
        }
      }
      if (bail) {
        if (out.length) yield out;
        for await (const r of handOver(buf.subarray(start), it, q, breaks)) yield [r];
        return;
      }
      if (!complete) break;
      // Sized once: pushing fifteen fields grew the array's storage a record.
      const cells = new Array<string>(nb / 3);
      if (high < 0x80) {
        // An ASCII record (the common one): its fields cut from the read's bytes decoded once as
        // Latin-1 (a byte is a character, the same in Latin-1 and UTF-8). A decoding per record
        // cost ~1,000 instructions a line in the call alone; per read, ~400. (A long field cut
        // from it keeps the read's text alive while it lives, as a worker's cells keep its batch's.)
        const text = (latin1 ??= buf.toString('latin1'));
        for (let k = 0; k < nb; k += 3) {
          let cell = text.slice(bounds[k]!, bounds[k + 1]!);
          if (bounds[k + 2] === 2) cell = cell.replaceAll('""', '"');
          cells[k / 3] = cell;
        }
      } else {
        // Each field decoded on its own, as csv-parse decodes it (an invalid byte becomes U+FFFD).
        for (let k = 0; k < nb; k += 3) {
          let cell = buf.toString('utf8', bounds[k]!, bounds[k + 1]!);
          if (bounds[k + 2] === 2) cell = cell.replaceAll('""', '"');
          cells[k / 3] = cell;
        }
      }
      out.push({ cells });
      start = i + recordBreaks;
      breaks += recordBreaks;
      if (start >= n && ended) break;
    }
    if (out.length) yield out;
    if (ended) return;
    const r = await it.next();
    if (r.done) {
      ended = true;
      buf = buf.subarray(start);
      latin1 = undefined;
      start = 0;
      if (buf.length === 0) return;
      continue;
    }
    let chunk = r.value;
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    buf = start < buf.length ? Buffer.concat([buf.subarray(start), chunk]) : chunk;
    latin1 = undefined;
    start = 0;
  }
}

/**
 * The rest of the input, from the first byte of a record the quick reader is not sure of, read by
 * csv-parse. Its messages say "at line N" by its own count of line breaks: it is given as many
 * empty lines first (which it skips), so that its count goes on from the file's.
 */
async function* handOver(rest: Buffer, it: AsyncIterator<Buffer>, q: QuickCsv, breaks: number): AsyncGenerator<CsvRecord> {
  const lead = Buffer.from((q.crlf ? '\r\n' : '\n').repeat(q.crlf ? breaks / 2 : breaks));
  async function* source() {
    yield Buffer.concat([lead, rest]);
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  yield* csvParseRecords(Readable.from(source()), String.fromCharCode(q.delimiter), { recordDelimiter: q.crlf ? '\r\n' : '\n', bom: false });
}
