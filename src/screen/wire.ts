/**
 * What crosses between the reading thread and a screening worker, in compact form.
 *
 * Records go out as one string of every cell's text with each cell's end and each record's cell
 * count, rather than as an array of records: structured-cloning 1,000 records of fifteen cells
 * made ~17,000 small objects in the worker, all alive until their line's turn, which every young
 * collection had to copy (and which then filled the old generation). A record whose cells are not
 * all strings (XLSX numbers and dates), a JSON value and a read error still go as themselves.
 *
 * Rows come back as one UTF-8 buffer with each row's end (`RowBytes`), each row written into it
 * as soon as it is screened, so that the row's text dies young instead of waiting for the batch.
 */
import type { InputRecord } from './read.js';

/** A batch's records for one worker. */
export interface WireRecords {
  lines: Int32Array;
  /** Cells per record; -1: the record is the next of `others`. */
  counts: Int32Array;
  /** Every string cell, one after another. */
  text: string;
  /** Where each cell ends in `text`. */
  ends: Uint32Array;
  others: InputRecord[];
}

function allStrings(cells: readonly unknown[]): cells is string[] {
  for (let i = 0; i < cells.length; i++) if (typeof cells[i] !== 'string') return false;
  return true;
}

export function encodeRecords(records: readonly InputRecord[]): WireRecords {
  const lines = new Int32Array(records.length);
  const counts = new Int32Array(records.length);
  const others: InputRecord[] = [];
  let cellCount = 0;
  for (const r of records) if ('cells' in r) cellCount += r.cells.length;
  const ends = new Uint32Array(cellCount);
  // A record's cells concatenated, then the records joined: one join of a batch's 15,000 cells
  // cost ~2,500 instructions a line, this ~1,300.
  const parts: string[] = [];
  let at = 0;
  let cell = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    lines[i] = r.line;
    if (!('cells' in r) || !allStrings(r.cells)) {
      counts[i] = -1;
      others.push(r);
      continue;
    }
    const cells = r.cells;
    counts[i] = cells.length;
    let text = '';
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k]!;
      text += c;
      ends[cell++] = at += c.length;
    }
    parts.push(text);
  }
  return { lines, counts, text: parts.join(''), ends: cell === cellCount ? ends : ends.subarray(0, cell), others };
}

/** The records of a `WireRecords`, one at a time, in order. */
export function* decodeRecords(w: WireRecords): Generator<InputRecord> {
  let cell = 0;
  let start = 0;
  let other = 0;
  for (let i = 0; i < w.lines.length; i++) {
    const n = w.counts[i]!;
    if (n < 0) {
      yield w.others[other++]!;
      continue;
    }
    const cells = new Array<string>(n);
    for (let k = 0; k < n; k++) {
      const end = w.ends[cell++]!;
      cells[k] = w.text.slice(start, end);
      start = end;
    }
    yield { line: w.lines[i]!, cells };
  }
}

/** Rows' text gathered as UTF-8, with each row's line and end, to hand to the other thread. */
export class RowBytes {
  private bytes: Buffer;
  private used = 0;
  private count = 0;
  readonly lines: Int32Array;
  readonly ends: Uint32Array;

  constructor(rows: number, expectedBytes: number) {
    this.lines = new Int32Array(rows);
    this.ends = new Uint32Array(rows);
    // Not from Buffer's shared pool: this memory is handed to the other thread.
    this.bytes = Buffer.allocUnsafeSlow(Math.max(1024, expectedBytes));
  }

  add(line: number, text: string): void {
    // A UTF-8 character is at most 3 bytes per UTF-16 unit.
    this.room(text.length * 3);
    this.used += this.bytes.write(text, this.used);
    this.endRow(line);
  }

  /**
   * A row written in parts (`text`, `char`, `encoded`), then `endRow`: the CSV writer's way, which
   * spares building the row's string, flattening it and encoding it all in one call into C++.
   */
  text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const b = this.bytes;
    const start = this.used;
    // ASCII by hand (a short cell costs less so than a call into C++); anything else by Buffer.
    for (let i = 0; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch > 0x7f) {
        this.used = start + b.write(s, start);
        return;
      }
      b[start + i] = ch;
    }
    this.used = start + n;
  }

  /** One ASCII character of a row. */
  char(code: number): void {
    this.room(1);
    this.bytes[this.used++] = code;
  }

  /** A part of a row encoded before (a cell that repeats from row to row). */
  encoded(part: { readonly utf8: Uint8Array }): void {
    const u = part.utf8;
    this.room(u.length);
    this.bytes.set(u, this.used);
    this.used += u.length;
  }

  /** The row written in parts ends here. */
  endRow(line: number): void {
    this.lines[this.count] = line;
    this.ends[this.count++] = this.used;
  }

  private room(n: number): void {
    if (this.used + n > this.bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.used + n));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
  }

  get size(): number {
    return this.used;
  }

  /** The message to post (and the buffer to transfer). */
  message(): { lines: Int32Array; ends: Uint32Array; bytes: Buffer } {
    return { lines: this.lines.subarray(0, this.count), ends: this.ends.subarray(0, this.count), bytes: this.bytes.subarray(0, this.used) };
  }
}
