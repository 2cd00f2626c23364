/**
 * Screening as a library (`aidr/screen`): an order book (a file, a stream, or records you build)
 * in, screened rows out, as an async iterable, in input order and constant memory.
 *
 *   import { screen } from 'aidr/screen';
 *   for await (const row of screen('orders.csv')) {
 *     if (row.errors) console.log(row.line, row.errors);
 *     else console.log(row.line, row.determination!.outcome, row.exception);
 *   }
 *
 * Options: `format`/`sheet` of the input, `map` (your headers → aidr's columns), `asOf`,
 * `interpretations`, `sensitivity`, `full` (with the explanation), `ledger` (a `LedgerSource`, e.g.
 * `await storeLedger(store)`; default none), `parties` (a lookup, e.g. `await storeParties(store)`).
 * Lines are added up per ultimate consignee in order (LPP, AIA), as `aidr screen` does.
 */
import type { Readable } from 'node:stream';
import { NO_LEDGER, type LedgerSource } from './evaluate.js';
import type { ScreenRow } from './format.js';
import { openInput, type InputFormat } from './read.js';
import type { PartyLookup } from './row.js';
import { screenInput } from './run.js';

export interface ScreenOptions {
  format?: InputFormat;
  sheet?: string;
  map?: Record<string, string>;
  asOf?: string;
  interpretations?: Record<string, string>;
  sensitivity?: boolean;
  /** The full determination, with its explanation (default lean). */
  full?: boolean;
  ledger?: LedgerSource;
  parties?: PartyLookup;
}

/** Screen an order book (a path, `-`, or a readable stream of CSV, XLSX, JSON Lines or a JSON array). */
export async function* screen(input: string | Readable, options: ScreenOptions = {}): AsyncGenerator<ScreenRow> {
  const opened = await openInput(input, { ...(options.format ? { format: options.format } : {}), ...(options.sheet ? { sheet: options.sheet } : {}) });
  const evalOpts = {
    explain: options.full === true,
    ...(options.asOf ? { asOf: options.asOf } : {}),
    ...(options.interpretations ? { interpretations: options.interpretations } : {}),
    ...(options.sensitivity ? { sensitivity: true } : {}),
  };
  for await (const w of screenInput(opened, {
    config: { eval: evalOpts, output: 'rows', ...(options.map ? { map: options.map } : {}) },
    jobs: 1, ledger: false, parties: false, source: options.ledger ?? NO_LEDGER, ...(options.parties ? { partyLookup: options.parties } : {}),
  })) yield w.out as unknown as ScreenRow;
}

export { Batch, NO_LEDGER, type LedgerSource, type LineResult } from './evaluate.js';
export type { ScreenRow, LineCommit } from './format.js';
export { openInput, type InputFormat, type InputRecord, type OpenedInput } from './read.js';
export { mapRow, type MappedRow, type PartyLookup, type PartyRecord, type RowError } from './row.js';
export { mapColumns, vocabulary, FIELDS, type Field } from './columns.js';
export { resolveChip, resolveCountry, type Resolution } from './aliases.js';
export { storeLedger, storeParties, existingStore } from './sources.js';
export { SummaryBuilder, type Summary } from './summary.js';
export { screenInput, type RunOptions } from './run.js';
