/**
 * The summary of a screening run (stderr, and `--summary FILE` as JSON): counts by outcome,
 * destination and exception, the missing facts most often needed, the rows in error, the
 * warnings every row shares, and, per Tier 2 destination, the TPP the file's license-requiring
 * lines would take from the country allocation (the rows read the allocation as recorded; the
 * file's own lines are added up here, since a license, not a shipment, draws it).
 * Memory is bounded: counts are per value, and at most MAX_ERRORS rows in error are listed.
 */
import { Decimal } from '../compute/exact.js';
import type { RowError } from './row.js';
import type { RowMeta } from './screener.js';

const MAX_ERRORS = 1000;
const TOP_MISSING = 10;

export interface Summary {
  input: string;
  format: string;
  output?: string;
  /** Where the stored ledger was read from ("none" when no store exists or --no-ledger). */
  ledger: string;
  rows: number;
  evaluated: number;
  invalid: number;
  byOutcome: Record<string, number>;
  /** Lines the codified and the enforced regime answer differently (docs/regimes-usage.md). */
  regimesDiffer: number;
  byDestination: Record<string, number>;
  /** The exception a commit would use (or used, with --commit), per line. */
  byException: Record<string, number>;
  /** How many lines each exception is eligible for. */
  eligible: Record<string, number>;
  missingFacts: { path: string; rows: number }[];
  errors: { line: number; id?: string; errors: RowError[] }[];
  errorsNotListed: number;
  normalizedRows: number;
  /** Lines without a date (and no --as-of), evaluated as of `undatedAsOf` (the day of the run). */
  undatedRows: number;
  undatedAsOf?: string;
  partyRows: number;
  ignoredColumns: string[];
  /** Warnings that apply to every line of their date (legal status, saving clause), once each. */
  rulesetWarnings: string[];
  allocation: { country: string; tpp: string; lines: number }[];
  resumedAfterLine?: number;
  /** screen --compare: what was compared, how many lines changed, and each kind of change. */
  compare?: { with: string; lines: number; changed: number; changes: { change: string; lines: number }[] };
  committed?: number;
  /** screen --commit: lines committed by an earlier run (the same idempotency key), replayed: nothing drawn again. */
  replayed?: number;
  refused?: number;
  stoppedAtLine?: number;
  elapsedSeconds: number;
  linesPerSecond: number;
}

/** A worker's counts (plain data, sent between threads). */
export interface SummaryState {
  rows: number; evaluated: number; invalid: number; regimesDiffer: number;
  byOutcome: Record<string, number>; byDestination: Record<string, number>; byException: Record<string, number>; eligible: Record<string, number>;
  errors: Summary['errors']; errorsNotListed: number; normalizedRows: number; undatedRows: number; undatedAsOf?: string; partyRows: number; rulesetWarnings: string[];
  missing: [string, number][]; allocation: [string, string, number][];
}

const inc = (o: Record<string, number>, k: string) => {
  o[k] = (o[k] ?? 0) + 1;
};

export class SummaryBuilder {
  private readonly s: Summary;
  private readonly missing = new Map<string, number>();
  private readonly allocation = new Map<string, { tpp: Decimal; lines: number }>();
  private readonly started = Date.now();
  private replayedRows = 0;

  constructor(input: string, format: string, ledger: string, ignoredColumns: string[] = []) {
    this.s = {
      input, format, ledger, rows: 0, evaluated: 0, invalid: 0, byOutcome: {}, regimesDiffer: 0, byDestination: {}, byException: {}, eligible: {},
      missingFacts: [], errors: [], errorsNotListed: 0, normalizedRows: 0, undatedRows: 0, partyRows: 0, ignoredColumns, rulesetWarnings: [], allocation: [],
      elapsedSeconds: 0, linesPerSecond: 0,
    };
  }

  set<K extends keyof Summary>(k: K, v: Summary[K]): void {
    this.s[k] = v;
  }

  add(m: RowMeta): void {
    const s = this.s;
    s.rows++;
    if (m.normalized) s.normalizedRows++;
    if (m.undated !== undefined) this.undated(1, m.undated);
    if (m.party) s.partyRows++;
    if (m.replayed) this.replayedRows++;
    if (m.rulesetWarnings) for (const w of m.rulesetWarnings) if (!s.rulesetWarnings.includes(w)) s.rulesetWarnings.push(w);
    if (m.errors) {
      s.invalid++;
      if (s.errors.length < MAX_ERRORS) s.errors.push({ line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), errors: m.errors });
      else s.errorsNotListed++;
      return;
    }
    s.evaluated++;
    if (m.outcome) inc(s.byOutcome, m.outcome);
    if (m.regimesDiffer) s.regimesDiffer++;
    inc(s.byDestination, m.to ?? '(none)');
    inc(s.byException, m.exception ?? 'none');
    if (m.eligible) for (const e of m.eligible) inc(s.eligible, e);
    if (m.missing) for (const p of m.missing) this.missing.set(p, (this.missing.get(p) ?? 0) + 1);
    if (m.allocation) {
      const a = this.allocation.get(m.allocation.country) ?? { tpp: new Decimal(0), lines: 0 };
      a.tpp = a.tpp.plus(m.allocation.tpp);
      a.lines++;
      this.allocation.set(m.allocation.country, a);
    }
  }

  /** What a worker thread counted, to be merged into the run's summary (`merge`). */
  state(): SummaryState {
    const s = this.s;
    return {
      rows: s.rows, evaluated: s.evaluated, invalid: s.invalid, regimesDiffer: s.regimesDiffer, byOutcome: s.byOutcome, byDestination: s.byDestination, byException: s.byException,
      eligible: s.eligible, errors: s.errors, errorsNotListed: s.errorsNotListed, normalizedRows: s.normalizedRows, undatedRows: s.undatedRows,
      ...(s.undatedAsOf !== undefined ? { undatedAsOf: s.undatedAsOf } : {}), partyRows: s.partyRows,
      rulesetWarnings: s.rulesetWarnings, missing: [...this.missing], allocation: [...this.allocation].map(([c, a]) => [c, a.tpp.toFixed(), a.lines]),
    };
  }

  merge(w: SummaryState): void {
    const s = this.s;
    const add = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
    };
    s.rows += w.rows;
    s.evaluated += w.evaluated;
    s.invalid += w.invalid;
    s.regimesDiffer += w.regimesDiffer;
    add(s.byOutcome, w.byOutcome);
    add(s.byDestination, w.byDestination);
    add(s.byException, w.byException);
    add(s.eligible, w.eligible);
    s.errors.push(...w.errors);
    s.errors.sort((a, b) => a.line - b.line);
    s.errorsNotListed += w.errorsNotListed + Math.max(0, s.errors.length - MAX_ERRORS);
    s.errors.length = Math.min(s.errors.length, MAX_ERRORS);
    s.normalizedRows += w.normalizedRows;
    if (w.undatedRows) this.undated(w.undatedRows, w.undatedAsOf!);
    s.partyRows += w.partyRows;
    for (const x of w.rulesetWarnings) if (!s.rulesetWarnings.includes(x)) s.rulesetWarnings.push(x);
    for (const [p, n] of w.missing) this.missing.set(p, (this.missing.get(p) ?? 0) + n);
    for (const [c, t, n] of w.allocation) {
      const a = this.allocation.get(c) ?? { tpp: new Decimal(0), lines: 0 };
      a.tpp = a.tpp.plus(t);
      a.lines += n;
      this.allocation.set(c, a);
    }
  }

  /** `n` lines without a date, evaluated as of `day` (a run across midnight: the later day). */
  private undated(n: number, day: string): void {
    const s = this.s;
    s.undatedRows += n;
    if (s.undatedAsOf === undefined || day > s.undatedAsOf) s.undatedAsOf = day;
  }

  /** screen --commit: lines replayed (committed by an earlier run). */
  get replayed(): number {
    return this.replayedRows;
  }

  get invalid(): number {
    return this.s.invalid;
  }

  get rows(): number {
    return this.s.rows;
  }

  finish(): Summary {
    const s = this.s;
    s.missingFacts = [...this.missing].sort((a, b) => b[1] - a[1]).slice(0, TOP_MISSING).map(([path, rows]) => ({ path, rows }));
    s.allocation = [...this.allocation].sort((a, b) => a[0].localeCompare(b[0])).map(([country, a]) => ({ country, tpp: a.tpp.toFixed(), lines: a.lines }));
    s.elapsedSeconds = Math.round((Date.now() - this.started) / 10) / 100;
    s.linesPerSecond = s.elapsedSeconds > 0 ? Math.round(s.rows / s.elapsedSeconds) : s.rows;
    return s;
  }
}

const top = (o: Record<string, number>, n = 8) => Object.entries(o).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');

/** The summary for a person (stderr). */
export function summaryText(s: Summary): string {
  const lines = [
    `aidr screen: ${s.rows} line(s) from ${s.input} (${s.format})${s.resumedAfterLine ? `, resumed after line ${s.resumedAfterLine}` : ''}: ${s.evaluated} evaluated, ${s.invalid} invalid; ${s.elapsedSeconds} s (${s.linesPerSecond}/s)`,
    `  ledger read: ${s.ledger}`,
  ];
  if (s.evaluated) {
    lines.push(`  outcomes: ${top(s.byOutcome)}${s.regimesDiffer ? `; ${s.regimesDiffer} line(s) answered differently as written and as BIS enforces it (codified_… and enforced_… columns)` : ''}`);
    lines.push(`  destinations: ${top(s.byDestination)}${Object.keys(s.byDestination).length > 8 ? ', …' : ''}`);
    lines.push(`  exception a commit would use: ${top(s.byException)}`);
  }
  if (s.compare) {
    lines.push(`  compared with ${s.compare.with}: ${s.compare.changed} of ${s.compare.lines} line(s) change (only those are written; the counts above are without the change)`);
    for (const c of s.compare.changes.slice(0, 10)) lines.push(`    ${c.lines} × ${c.change}`);
  }
  if (s.committed !== undefined) lines.push(`  committed: ${s.committed}${s.replayed ? `, replayed: ${s.replayed} (committed by an earlier run: nothing drawn again)` : ''}, refused: ${s.refused ?? 0}`);
  if (s.missingFacts.length) lines.push(`  most needed facts: ${s.missingFacts.slice(0, 5).map((m) => `${m.path} (${m.rows})`).join(', ')}`);
  if (s.normalizedRows) lines.push(`  ${s.normalizedRows} line(s) with values resolved (see the normalizations column)${s.partyRows ? `; ${s.partyRows} with facts from the parties register` : ''}`);
  if (s.undatedRows) lines.push(`  ${s.undatedRows} line(s) without a date, evaluated as of ${s.undatedAsOf} (the normalizations column says so; --as-of DATE to choose the day)`);
  if (s.ignoredColumns.length) lines.push(`  columns ignored (not in the vocabulary; see aidr screen --columns, or --map): ${s.ignoredColumns.join(', ')}`);
  for (const a of s.allocation) lines.push(`  ${a.country}: ${a.lines} line(s) needing a license under the allocation policy, ${a.tpp} TPP in all (742.6(b)(10)(iii)(B))`);
  for (const e of s.errors.slice(0, 10)) lines.push(`  line ${e.line}${e.id ? ` (${e.id})` : ''}: ${e.errors.map((x) => `${x.path}${x.column && x.column !== x.path ? ` [${x.column}]` : ''}: ${x.message}`).join('; ')}`);
  if (s.invalid > 10) lines.push(`  … ${s.invalid - 10} more invalid line(s) (all in the output's errors column and in --summary)`);
  if (s.stoppedAtLine !== undefined) lines.push(`  stopped at line ${s.stoppedAtLine} (--fail-fast)`);
  for (const w of s.rulesetWarnings) lines.push(`  every line${s.rulesetWarnings.length > 1 ? ' of its date' : ''}: ${w}`);
  return `${lines.join('\n')}\n`;
}
