/**
 * A screened line's CSV record (the `screen` columns), written straight from the row: the same
 * text as `csvLine(flatRow(row, 'screen'))`, without the cells array in between. The long cells
 * that repeat from line to line (the warnings, normalizations) are escaped and encoded once per
 * distinct text; a worker writes the record into its batch's bytes (RowBytes) in parts, without
 * building the record's string.
 */
import type { Determination, RegimeId } from '../contract/determination.js';
import { isRulesetWarning, oneLine, type ScreenRow } from './format.js';

/** A cell's CSV text, escaped, and its UTF-8 bytes. */
export interface RepeatedCell {
  readonly text: string;
  readonly utf8: Uint8Array;
}

/** Where a record is written: RowBytes (a worker's batch) or a string (`screenCsvLine`). */
export interface CsvSink {
  /** Text as it is (already escaped). */
  text(s: string): void;
  /** One ASCII character. */
  char(code: number): void;
  encoded(cell: RepeatedCell): void;
}

const COMMA = 44;
const SPACE = 32;
const NEWLINE = 10;

/** Whether a field needs quoting (RFC 4180: a quote, comma or line break). A charCode scan: most cells are a few characters. */
function needsQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 34 || ch === 44 || ch === 10 || ch === 13) return true;
  }
  return false;
}

/** One CSV field: quoted when it holds a quote, comma or line break, quotes doubled. */
export function csvField(s: string): string {
  return needsQuotes(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const repeatedCell = (text: string): RepeatedCell => {
  const escaped = csvField(oneLine(text));
  return { text: escaped, utf8: Buffer.from(escaped, 'utf8') };
};

/**
 * Escaped cells by their text, and by the pair of texts they join (two warnings, two
 * normalizations). Bounded: a file's repeated cells are a few hundred texts; the ones that vary
 * per line (a customer's spelling in a normalization) turn over.
 */
const MEMO_MAX = 10_000;
let memoized = 0;
const singles = new Map<string, RepeatedCell>();
const warningPairs = new Map<string, Map<string, RepeatedCell>>();
const notePairs = new Map<string, Map<string, RepeatedCell>>();

function remember(): void {
  if (++memoized > MEMO_MAX) {
    singles.clear();
    warningPairs.clear();
    notePairs.clear();
    memoized = 1;
  }
}

/** `repeatedCell(text)`, from the memo when the text was seen before. */
function single(text: string): RepeatedCell {
  let cell = singles.get(text);
  if (cell === undefined) {
    cell = repeatedCell(text);
    remember();
    singles.set(text, cell);
  }
  return cell;
}

/** `repeatedCell(a + separator + b)`, memoized by the pair: no joined string to hash on every line. */
function pair(pairs: Map<string, Map<string, RepeatedCell>>, a: string, b: string, separator: string): RepeatedCell {
  let cell = pairs.get(a)?.get(b);
  if (cell === undefined) {
    cell = repeatedCell(`${a}${separator}${b}`);
    remember();
    let byB = pairs.get(a);
    if (byB === undefined) pairs.set(a, (byB = new Map()));
    byB.set(b, cell);
  }
  return cell;
}

/**
 * A list of one or two texts joined with `separator` as one cell (nearly every line has at most
 * two): looked up by the texts themselves, whose hashes V8 keeps in the strings (the engine's
 * warnings are the same strings on every line), rather than by a joined string hashed afresh.
 */
function shortListCell(out: CsvSink, pairs: Map<string, Map<string, RepeatedCell>>, count: number, first: string | undefined, second: string | undefined, separator: string): void {
  if (count === 1) out.encoded(single(first!));
  else if (count === 2) out.encoded(pair(pairs, first!, second!, separator));
}

function warningsCell(out: CsvSink, warnings: readonly string[]): void {
  let first: string | undefined;
  let second: string | undefined;
  let kept = 0;
  for (let i = 0; i < warnings.length; i++) {
    const w = warnings[i]!;
    // The ruleset's warnings are left out of the rows (said once in the summary).
    if (isRulesetWarning(w)) continue;
    if (kept === 0) first = w;
    else if (kept === 1) second = w;
    kept++;
  }
  if (kept > 2) out.encoded(single(warnings.filter((w) => !isRulesetWarning(w)).join(' | ')));
  else shortListCell(out, warningPairs, kept, first, second, ' | ');
}

function field(out: CsvSink, s: string): void {
  out.text(csvField(s));
}

function interpretationsCell(out: CsvSink, d: Determination): void {
  const list = d.interpretations;
  let plain = true;
  for (let i = 0; i < list.length; i++) if (needsQuotes(list[i]!.id) || needsQuotes(list[i]!.reading)) plain = false;
  if (!plain) {
    field(out, list.map((x) => `${x.id}=${x.reading}${x.changesOutcome ? ' (changes outcome)' : ''}`).join('; '));
    return;
  }
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (i > 0) out.text('; ');
    out.text(x.id);
    out.char(61); // =
    out.text(x.reading);
    if (x.changesOutcome) out.text(' (changes outcome)');
  }
}

/** One regime's license_required and outcome cells (enumerations: nothing to quote). */
function regimeCells(out: CsvSink, d: Determination, id: RegimeId): void {
  const regimes = d.regimes;
  for (let i = 0; i < regimes.length; i++) {
    const r = regimes[i]!;
    if (r.id === id) {
      out.text(r.licenseRequired);
      out.char(COMMA);
      out.text(r.outcome);
      return;
    }
  }
  out.char(COMMA);
}

/** From `eccn` to `lpp_left_tpp`, for an evaluated line. Enumerated fields (zod enums) need no quoting. */
function determinationCells(out: CsvSink, row: ScreenRow, d: Determination): void {
  const c = d.classification;
  field(out, c.eccn ?? (c.candidates ? c.candidates.map((x) => x ?? 'not controlled').join(' or ') : ''));
  out.char(COMMA);
  if (c.tppPerUnit !== undefined) out.text(String(c.tppPerUnit));
  out.char(COMMA);
  const aggregate = c.aggregateTppExact ?? c.aggregateTpp;
  if (aggregate !== undefined) field(out, String(aggregate));
  out.char(COMMA);
  out.text(d.subjectToEar);
  out.char(COMMA);
  out.text(d.licenseRequired);
  out.char(COMMA);
  out.text(d.outcome);
  out.char(COMMA);
  let any = false;
  for (const e of d.exceptions) {
    if (e.status !== 'eligible') continue;
    if (any) out.char(SPACE);
    out.text(e.code);
    any = true;
  }
  out.char(COMMA);
  if (row.exception) out.text(row.exception);
  out.char(COMMA);
  if (d.reviewPolicy) out.text(d.reviewPolicy);
  out.char(COMMA);
  out.text(d.regime);
  out.char(COMMA);
  regimeCells(out, d, 'codified');
  out.char(COMMA);
  regimeCells(out, d, 'enforced');
  out.char(COMMA);
  out.text(d.regimesDiffer ? 'yes' : 'no');
  out.char(COMMA);
  const missing = d.missingFacts;
  if (missing.length === 1) field(out, missing[0]!.path);
  else if (missing.length > 1) field(out, missing.map((m) => m.path).join('; '));
  out.char(COMMA);
  interpretationsCell(out, d);
  out.char(COMMA);
  if (row.lppLeftTpp !== undefined) field(out, row.lppLeftTpp);
  out.char(COMMA);
  warningsCell(out, d.warnings);
}

function errorsCell(out: CsvSink, row: ScreenRow): void {
  if (!row.errors) return;
  field(out, oneLine(row.errors.map((e) => `${e.path}${e.column && e.column !== e.path ? ` (column "${e.column}")` : ''}: ${e.message}`).join('; ')));
}

/** The row's CSV record in CSV_COLUMNS order, with its newline: `csvLine(flatRow(row, 'screen'))`. */
export function writeScreenCsv(out: CsvSink, row: ScreenRow): void {
  out.text(String(row.line));
  out.char(COMMA);
  if (row.id !== undefined) field(out, row.id);
  out.char(COMMA);
  if (row.destination !== undefined) field(out, row.destination);
  out.char(COMMA);
  if (row.item !== undefined) field(out, row.item);
  out.char(COMMA);
  const d = row.determination;
  if (d) determinationCells(out, row, d);
  else {
    // A line without a determination (in error): blank cells, but for these.
    out.text(`,,,,,${row.errors ? 'error' : ''},,${row.exception ?? ''},,,,,,,,,,`);
    if (row.lppLeftTpp !== undefined) field(out, row.lppLeftTpp);
    out.char(COMMA);
  }
  out.char(COMMA);
  const notes = row.notes;
  if (notes.length > 2) out.encoded(single(notes.join('; ')));
  else shortListCell(out, notePairs, notes.length, notes[0], notes[1], '; ');
  out.char(COMMA);
  errorsCell(out, row);
  out.char(NEWLINE);
}

/** A record as a string (the library's and a single thread's rows). */
class StringSink implements CsvSink {
  out = '';
  text(s: string): void {
    this.out += s;
  }
  char(code: number): void {
    this.out += String.fromCharCode(code);
  }
  encoded(cell: RepeatedCell): void {
    this.out += cell.text;
  }
}

/** `writeScreenCsv` as a string. */
export function screenCsvLine(row: ScreenRow): string {
  const sink = new StringSink();
  writeScreenCsv(sink, row);
  return sink.out;
}
