/**
 * The work of one screening thread: records in (cells or JSON values), rows out, in the order
 * given. A record becomes a Transaction (`mapRow`), is evaluated in its batch (`Batch`), and is
 * written as the output format wants it (a CSV line, flat cells for XLSX, a JSON line), with a
 * small summary of it (`RowMeta`) for the run's summary.
 */
import type { EvalOptions, LedgerView } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { Batch, ledgerNeeds, NO_LEDGER, type LedgerSource, type LineResult } from './evaluate.js';
import { csvField, screenCsvLine, writeScreenCsv } from './csv-row.js';
import type { RowBytes } from './wire.js';
import { mapColumns, type ColumnMap, FIELDS } from './columns.js';
import { describeItem, flatRow, isRulesetWarning, type ScreenRow } from './format.js';
import type { InputRecord } from './read.js';
import { flattenRecord, mapRow, type MappedRow, type PartyLookup, type RowError } from './row.js';

/** How rows are written: a CSV line, XLSX cells, a JSON line, or the row object itself (the library). */
export type OutputFormat = 'csv' | 'xlsx' | 'jsonl' | 'rows';

export interface ScreenerConfig {
  /** Evaluation options (asOf, interpretations, sensitivity); `explain` true gives --full JSON lines. */
  eval: EvalOptions;
  output: OutputFormat;
  /** CSV and XLSX input: the header row. */
  headers?: string[];
  /** --map: a customer's header → a vocabulary name or contract path. */
  map?: Record<string, string>;
  /** --ledger FILE: one view for every line (added to what the file's earlier lines drew). */
  fixedLedger?: LedgerView;
  /** screen --commit: the flat rows carry the commit columns. */
  committing?: boolean;
  /** screen --compare: the flat rows carry what changed. */
  comparing?: boolean;
  /**
   * --resume (and a screening job resumed): the lines through this one were written by the run that
   * was cut off. They are evaluated again, in file order, only for what they add to the running
   * totals (LPP, AIA, allocation per consignee), and not written: without them a line after the cut
   * would be answered as if the earlier lines had drawn nothing (red team, 2026-12-06).
   */
  replayThroughLine?: number;
}

/** What the summary needs of a row. */
export interface RowMeta {
  line: number;
  id?: string;
  outcome?: string;
  to?: string;
  exception?: string | null;
  eligible?: string[];
  missing?: string[];
  errors?: RowError[];
  /** The codified and the enforced regime answer the line differently. */
  regimesDiffer?: boolean;
  /** A line needing a license under the allocation policy: its country and aggregate TPP. */
  allocation?: { country: string; tpp: string };
  /** Ruleset-level warnings not reported before by this thread. */
  rulesetWarnings?: string[];
  normalized?: boolean;
  /** No date on the line (and no --as-of): the day it was evaluated as of. */
  undated?: string;
  party?: boolean;
  /** screen --commit: committed by an earlier run under the same key; nothing drawn again. */
  replayed?: boolean;
}

export interface Processed {
  line: number;
  /** The written form: a CSV line (with its newline), a JSON line (with its newline), XLSX cells, or the row; '' when written into the `rows` given to `each`. */
  out: string | (string | number)[] | ScreenRow;
  meta: RowMeta;
}

/** Whether the row's notes say a value was resolved (the date note of an undated line is counted on its own, as `undated`). */
export function valuesResolved(m: MappedRow): boolean {
  return m.notes.length > (m.undated === undefined ? 0 : 1);
}

const JSON_PATHS = new Set(FIELDS.filter((f) => f.kind === 'json' || f.kind === 'list').map((f) => f.path));

export class Screener {
  private readonly batch: Batch;
  private readonly fixedColumns?: ColumnMap;
  private readonly jsonColumns = new Map<string, ColumnMap>();
  private readonly warned = new Set<string>();
  /** Which columns the flat rows carry. */
  private readonly mode: 'screen' | 'commit' | 'compare';
  /** CSV with the screen columns: written by screenCsvLine, without the library's row object. */
  private readonly csvScreen: boolean;

  constructor(private readonly config: ScreenerConfig, private readonly source: LedgerSource, private readonly parties?: PartyLookup) {
    this.batch = new Batch(source, config.eval, config.fixedLedger);
    if (config.headers) this.fixedColumns = mapColumns(config.headers, config.map);
    this.mode = config.committing ? 'commit' : config.comparing ? 'compare' : 'screen';
    this.csvScreen = config.output === 'csv' && this.mode === 'screen';
  }

  /** The rows of `records`, in order. */
  async process(records: readonly InputRecord[]): Promise<Processed[]> {
    const out: Processed[] = [];
    await this.each(records, (p) => out.push(p));
    return out;
  }

  /**
   * Screen `records` in order, handing each row to `emit` as soon as it is written (a worker
   * writes it out at once, so that nothing of a line outlives it). With a stored ledger, every
   * record is mapped first so that the ledger is read once for the batch, then evaluated in
   * order. Without one there is nothing to read ahead: each record is mapped and evaluated in
   * turn, so that what a line allocates dies young (a batch's mapped rows held across it kept
   * the garbage collector copying them).
   */
  async each(records: Iterable<InputRecord>, emit: (p: Processed) => void, rows?: RowBytes): Promise<void> {
    const replay = this.config.replayThroughLine ?? 0;
    if (this.source === NO_LEDGER) {
      for (const r of records) {
        if (r.line <= replay) this.replay(this.map(r));
        else emit(this.evaluate(this.map(r), rows));
      }
      return;
    }
    const mapped = Array.from(records, (r) => this.map(r));
    const accounts: string[] = [];
    const countries: { code: string; asOf: string; perYear?: boolean }[] = [];
    for (const m of mapped) {
      if (!m.tx) continue;
      const need = ledgerNeeds(m.tx, this.config.eval);
      accounts.push(...need.accounts);
      if (need.country) countries.push(need.country);
    }
    if (accounts.length || countries.length) await this.source.prefetch(accounts, countries);
    for (const m of mapped) {
      if (m.line <= replay) this.replay(m);
      else emit(this.evaluate(m, rows));
    }
  }

  /** A line the interrupted run wrote (`replayThroughLine`): evaluated for the running totals only. */
  private replay(m: MappedRow): void {
    if (m.errors || !m.tx) return;
    try {
      this.batch.evaluate(m.tx);
    } catch {
      // Its row, written by the interrupted run, already says why it could not be evaluated.
    }
  }

  map(r: InputRecord): MappedRow {
    const m = this.mapRecord(r);
    // A line without a date is evaluated as of today (as `determine` reads it): said on its row, never silently.
    if (m.tx !== undefined && m.tx.date === undefined && this.config.eval.asOf === undefined) {
      m.undated = today();
      m.notes.push(`date: not given; evaluated as of ${m.undated}`);
    }
    return m;
  }

  private mapRecord(r: InputRecord): MappedRow {
    if ('error' in r) {
      const id = this.idOf(r.partial);
      return { line: r.line, ...(id !== undefined ? { id } : {}), errors: [{ path: '(row)', message: r.error }], notes: [] };
    }
    if ('cells' in r) return mapRow(r.line, r.cells, this.fixedColumns!, this.parties);
    const flat = flattenRecord(r.value, JSON_PATHS);
    if (!flat) return { line: r.line, errors: [{ path: '(root)', message: 'expected a JSON object (a transaction, or a flat record with column names)' }], notes: [] };
    const key = flat.headers.join('\u0000');
    let columns = this.jsonColumns.get(key);
    if (!columns) {
      try {
        columns = mapColumns(flat.headers, this.config.map);
      } catch (e) {
        return { line: r.line, errors: [{ path: '(record)', message: (e as Error).message }], notes: [] };
      }
      if (this.jsonColumns.size < 1000) this.jsonColumns.set(key, columns);
    }
    const m = mapRow(r.line, flat.cells, columns, this.parties);
    // A JSON record is the contract's own form: a field aidr does not know is an error, not a column to ignore (beside the record's other errors).
    if (columns.ignored.length) {
      const errors = [...columns.ignored.map((p) => ({ path: p, message: 'unknown field' })), ...(m.errors ?? [])];
      return { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), errors, notes: m.notes };
    }
    return m;
  }

  /** The id in the cells read of a row that cannot be read as a whole, when they reach its column. */
  private idOf(partial: readonly unknown[] | undefined): string | undefined {
    if (!partial || !this.fixedColumns) return undefined;
    const at = this.fixedColumns.fields.findIndex((f) => f?.path === 'id');
    const v = at >= 0 ? partial[at] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  }

  /**
   * One line screened. With `rows` (CSV and JSON Lines), its text is written there and `out` is
   * empty: a CSV record is written in parts, without building its string.
   */
  evaluate(m: MappedRow, rows?: RowBytes): Processed {
    let result: LineResult | undefined;
    let errors: RowError[] | undefined;
    if (m.errors || !m.tx) errors = m.errors ?? [{ path: '(row)', message: 'not a transaction' }];
    else {
      try {
        result = this.batch.evaluate(m.tx);
      } catch (e) {
        // The engine refuses what the schema let through (an unknown interpretation reading…): the line's error.
        const err = e as { path?: string; message: string };
        errors = [{ path: err.path ?? '(row)', message: err.path && err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err.message }];
      }
    }
    const meta = this.meta(m, result, errors);
    if (this.csvScreen) {
      // Only read by the CSV writer: every field in one literal (absent ones undefined), no spreads.
      const tx = m.tx;
      const row: ScreenRow = {
        line: m.line, id: m.id, destination: tx?.to ? tx.to : undefined, item: tx ? describeItem(tx.item) : undefined, notes: m.notes,
        determination: result?.determination, exception: result?.exception, lppLeftTpp: result?.lppLeftTpp, errors,
      };
      if (!rows) return { line: m.line, out: screenCsvLine(row), meta };
      writeScreenCsv(rows, row);
      rows.endRow(m.line);
      return { line: m.line, out: '', meta };
    }
    const out = this.write(this.row(m, result, errors), m);
    if (!rows) return { line: m.line, out, meta };
    rows.add(m.line, out as string);
    return { line: m.line, out: '', meta };
  }

  /** The row as the library and JSON Lines give it (its keys in this order, absent ones left out). */
  private row(m: MappedRow, result: LineResult | undefined, errors: RowError[] | undefined): ScreenRow {
    const row: ScreenRow = { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), ...(m.tx?.to ? { destination: m.tx.to } : {}), ...(m.tx ? { item: describeItem(m.tx.item) } : {}), notes: m.notes };
    if (errors) row.errors = errors;
    else if (result) {
      row.determination = result.determination;
      row.exception = result.exception;
      if (result.lppLeftTpp !== undefined) row.lppLeftTpp = result.lppLeftTpp;
    }
    return row;
  }

  /** What the summary counts of the line: one literal, every field present (undefined when not). */
  meta(m: MappedRow, result: LineResult | undefined, errors: RowError[] | undefined): RowMeta {
    const notes = m.notes;
    const d = errors ? undefined : result?.determination;
    let party: true | undefined;
    for (let i = 0; i < notes.length; i++) if (notes[i]!.includes('parties register (')) party = true;
    let eligible: string[] | undefined;
    let rulesetWarnings: string[] | undefined;
    let allocation: RowMeta['allocation'];
    if (d) {
      for (const e of d.exceptions) if (e.status === 'eligible') (eligible ??= []).push(e.code);
      // Only a license draws the allocation (742.6(b)(10)(iii)(B)(1); INT-9): a line shipped under
      // LPP, ACM or another exception a commit would use takes nothing from it.
      if (d.allocation && d.licenseRequired !== 'no' && result!.exception === null && d.classification.aggregateTpp !== undefined) {
        allocation = { country: d.allocation.country, tpp: d.classification.aggregateTppExact ?? String(d.classification.aggregateTpp) };
      }
      for (const w of d.warnings) {
        // The set first: a ruleset warning is on most lines, and once warned it is in the set.
        if (!this.warned.has(w) && isRulesetWarning(w)) {
          this.warned.add(w);
          (rulesetWarnings ??= []).push(w);
        }
      }
    }
    return {
      line: m.line,
      id: m.id,
      outcome: d?.outcome,
      to: d && m.tx!.to ? m.tx!.to : undefined,
      exception: d ? result!.exception : undefined,
      eligible,
      missing: d && d.missingFacts.length ? d.missingFacts.map((x) => x.path) : undefined,
      errors,
      regimesDiffer: d?.regimesDiffer ? true : undefined,
      allocation,
      rulesetWarnings,
      normalized: valuesResolved(m) ? true : undefined,
      undated: m.undated,
      party,
    };
  }

  write(row: ScreenRow, m: MappedRow): Processed['out'] {
    if (this.config.output === 'rows') return row;
    if (this.config.output === 'jsonl') return `${JSON.stringify(row)}\n`;
    void m;
    if (this.config.output === 'csv' && this.mode === 'screen') return screenCsvLine(row);
    const cells = flatRow(row, this.mode);
    return this.config.output === 'csv' ? csvLine(cells) : cells;
  }
}

/**
 * One CSV record (RFC 4180: a field with a quote, comma or line break is quoted, quotes doubled).
 * Written here rather than with csv-stringify, whose per-call setup cost more than the rest of a
 * line's output in the screening benchmark (15 µs of 20); the header uses csv-stringify.
 */
export function csvLine(cells: readonly (string | number)[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (i > 0) out += ',';
    out += csvField(typeof c === 'string' ? c : String(c));
  }
  return `${out}\n`;
}
