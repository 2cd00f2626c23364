/**
 * The work of one screening thread: records in (cells or JSON values), rows out, in the order
 * given. A record becomes a Transaction (`mapRow`), is evaluated in its batch (`Batch`), and is
 * written as the output format wants it (a CSV line, flat cells for XLSX, a JSON line), with a
 * small summary of it (`RowMeta`) for the run's summary.
 */
import type { EvalOptions, LedgerView } from '../engine/context.js';
import { Batch, ledgerNeeds, NO_LEDGER, type LedgerSource } from './evaluate.js';
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
  party?: boolean;
}

export interface Processed {
  line: number;
  /** The written form: a CSV line (with its newline), a JSON line (with its newline), XLSX cells, or the row. */
  out: string | (string | number)[] | ScreenRow;
  meta: RowMeta;
}

const JSON_PATHS = new Set(FIELDS.filter((f) => f.kind === 'json' || f.kind === 'list').map((f) => f.path));

export class Screener {
  private readonly batch: Batch;
  private readonly fixedColumns?: ColumnMap;
  private readonly jsonColumns = new Map<string, ColumnMap>();
  private readonly warned = new Set<string>();

  constructor(private readonly config: ScreenerConfig, private readonly source: LedgerSource, private readonly parties?: PartyLookup) {
    this.batch = new Batch(source, config.eval, config.fixedLedger);
    if (config.headers) this.fixedColumns = mapColumns(config.headers, config.map);
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
  async each(records: Iterable<InputRecord>, emit: (p: Processed) => void): Promise<void> {
    if (this.source === NO_LEDGER) {
      for (const r of records) emit(this.evaluate(this.map(r)));
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
    for (const m of mapped) emit(this.evaluate(m));
  }

  map(r: InputRecord): MappedRow {
    if ('error' in r) return { line: r.line, errors: [{ path: '(row)', message: r.error }], notes: [] };
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
    // A JSON record is the contract's own form: a field aidr does not know is an error, not a column to ignore.
    if (columns.ignored.length && !m.errors) return { ...m, errors: columns.ignored.map((p) => ({ path: p, message: 'unknown field' })) };
    return m;
  }

  evaluate(m: MappedRow): Processed {
    const row: ScreenRow = { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), ...(m.tx?.to ? { destination: m.tx.to } : {}), ...(m.tx ? { item: describeItem(m.tx.item) } : {}), notes: m.notes };
    const meta: RowMeta = { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}) };
    if (m.notes.length) {
      meta.normalized = true;
      if (m.notes.some((n) => n.includes('parties register ('))) meta.party = true;
    }
    if (m.errors || !m.tx) {
      row.errors = m.errors ?? [{ path: '(row)', message: 'not a transaction' }];
      meta.errors = row.errors;
    } else {
      try {
        const r = this.batch.evaluate(m.tx);
        const d = r.determination;
        row.determination = d;
        row.exception = r.exception;
        if (r.lppLeftTpp !== undefined) row.lppLeftTpp = r.lppLeftTpp;
        meta.outcome = d.outcome;
        if (d.regimesDiffer) meta.regimesDiffer = true;
        if (m.tx.to) meta.to = m.tx.to;
        meta.exception = r.exception;
        meta.eligible = d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code);
        if (d.missingFacts.length) meta.missing = d.missingFacts.map((x) => x.path);
        if (d.allocation && d.licenseRequired !== 'no' && d.classification.aggregateTpp !== undefined) {
          meta.allocation = { country: d.allocation.country, tpp: d.classification.aggregateTppExact ?? String(d.classification.aggregateTpp) };
        }
        for (const w of d.warnings) {
          if (isRulesetWarning(w) && !this.warned.has(w)) {
            this.warned.add(w);
            (meta.rulesetWarnings ??= []).push(w);
          }
        }
      } catch (e) {
        // The engine refuses what the schema let through (an unknown interpretation reading…): the line's error.
        const err = e as { path?: string; message: string };
        row.errors = [{ path: err.path ?? '(row)', message: err.path && err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err.message }];
        meta.errors = row.errors;
      }
    }
    return { line: m.line, out: this.write(row, m), meta };
  }

  write(row: ScreenRow, m: MappedRow): Processed['out'] {
    if (this.config.output === 'rows') return row;
    if (this.config.output === 'jsonl') return `${JSON.stringify(row)}\n`;
    void m;
    const cells = flatRow(row, this.config.committing ? 'commit' : this.config.comparing ? 'compare' : 'screen');
    return this.config.output === 'csv' ? csvLine(cells) : cells;
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV record (RFC 4180: a field with a quote, comma or line break is quoted, quotes doubled).
 * Written here rather than with csv-stringify, whose per-call setup cost more than the rest of a
 * line's output in the screening benchmark (15 µs of 20); the header uses csv-stringify.
 */
export function csvLine(cells: readonly (string | number)[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    const s = typeof c === 'string' ? c : String(c);
    if (i > 0) out += ',';
    out += NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }
  return `${out}\n`;
}
