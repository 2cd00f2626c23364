/**
 * One screened line as it is written: a flat row (CSV, XLSX) or one compact JSON object (JSON
 * Lines). The flat columns are the officer's view of the determination; the JSON line carries
 * the determination itself (lean unless --full).
 */
import type { Determination, ExceptionCode, RegimeId } from '../contract/determination.js';
import type { RowError } from './row.js';

/** What a commit of the line did (screen --commit). */
export interface LineCommit {
  auditSeq: number;
  auditId: string;
  exception: ExceptionCode | null;
  movements: { account: string; amountTpp: string; leftTpp: string | null }[];
  notices: string[];
  replayed: boolean;
}

/** One screened line. */
export interface ScreenRow {
  line: number;
  id?: string;
  /** The line's destination and what it ships, as the flat row shows them. */
  destination?: string;
  item?: string;
  determination?: Determination;
  /** Every field error of an invalid line (its path, the column it came from, what is wrong). */
  errors?: RowError[];
  /** Values resolved or filled in ("to: "Germany" → DE"). */
  notes: string[];
  /** The exception a commit of this line would use (null: none). */
  exception?: ExceptionCode | null;
  /** LPP room left for the ultimate consignee after this line and the earlier lines of the file. */
  lppLeftTpp?: string;
  /** screen --commit: the record made. */
  commit?: LineCommit;
  /** A refusal (screen --commit): the cap or condition that refused it. */
  refused?: string;
  /** screen --compare: the options compared with, and what changed (the row shows the answer under them). */
  compared?: { with: string; changes: string[] };
}

export const CSV_COLUMNS = [
  'line', 'id', 'destination', 'item', 'eccn', 'tpp_per_unit', 'aggregate_tpp', 'subject_to_ear', 'license_required', 'outcome',
  'eligible_exceptions', 'commit_exception', 'review_policy',
  // Both regimes' answers, whichever the main columns follow (`regime`).
  'regime', 'codified_license_required', 'codified_outcome', 'enforced_license_required', 'enforced_outcome', 'regimes_differ',
  'missing_facts', 'interpretations', 'lpp_left_tpp', 'warnings',
  'normalizations', 'errors',
] as const;

export const COMMIT_COLUMNS = ['audit_seq', 'exception_used', 'drawn', 'notices', 'refused', 'replayed'] as const;
export const COMPARE_COLUMNS = ['compared_with', 'changes'] as const;

/**
 * Warnings that are the same on every line of a date (the rule's legal status, the saving clause):
 * left out of the flat rows and said once in the summary.
 */
export function isRulesetWarning(w: string): boolean {
  return w.startsWith('Legal status:') || w.startsWith('Saving clause') || w.startsWith('In force since');
}

/** The interpretations column: `INT-7=ultimate_parent`, with `(changes outcome)` where the sensitivity says so. */
function interpretations(d: Determination): string {
  return d.interpretations.map((i) => `${i.id}=${i.reading}${i.changesOutcome ? ' (changes outcome)' : ''}`).join('; ');
}

/** One regime's license_required and outcome cells (blank for a line in error). */
function regimeCells(d: Determination | undefined, id: RegimeId): [string, string] {
  const r = d?.regimes.find((x) => x.id === id);
  return r ? [r.licenseRequired, r.outcome] : ['', ''];
}

/** A cell on one line: line breaks folded to a space. */
export const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** The flat row's cells, in CSV_COLUMNS order (and COMMIT_COLUMNS when committing). */
export function flatRow(row: ScreenRow, mode: 'screen' | 'commit' | 'compare'): (string | number)[] {
  const d = row.determination;
  const c = d?.classification;
  const cells: (string | number)[] = [
    row.line,
    row.id ?? '',
    row.destination ?? '',
    row.item ?? '',
    c?.eccn ?? (c?.candidates ? c.candidates.map((x) => x ?? 'not controlled').join(' or ') : ''),
    c?.tppPerUnit ?? '',
    c?.aggregateTppExact ?? c?.aggregateTpp ?? '',
    d?.subjectToEar ?? '',
    d?.licenseRequired ?? '',
    d?.outcome ?? (row.errors ? 'error' : ''),
    d ? d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code).join(' ') : '',
    row.exception ?? '',
    d?.reviewPolicy ?? '',
    d?.regime ?? '',
    ...regimeCells(d, 'codified'),
    ...regimeCells(d, 'enforced'),
    d ? (d.regimesDiffer ? 'yes' : 'no') : '',
    d ? d.missingFacts.map((m) => m.path).join('; ') : '',
    d ? interpretations(d) : '',
    row.lppLeftTpp ?? '',
    d ? oneLine(d.warnings.filter((w) => !isRulesetWarning(w)).join(' | ')) : '',
    oneLine(row.notes.join('; ')),
    row.errors ? oneLine(row.errors.map((e) => `${e.path}${e.column && e.column !== e.path ? ` (column "${e.column}")` : ''}: ${e.message}`).join('; ')) : '',
  ];
  if (mode === 'compare') cells.push(row.compared?.with ?? '', oneLine(row.compared?.changes.join('; ') ?? ''));
  if (mode === 'commit') {
    const k = row.commit;
    cells.push(
      k?.auditSeq ?? '',
      k?.exception ?? '',
      k ? k.movements.filter((m) => m.amountTpp !== '0').map((m) => `${m.account} +${m.amountTpp}${m.leftTpp !== null ? ` (${m.leftTpp} left)` : ''}`).join('; ') : '',
      k ? oneLine(k.notices.join(' | ')) : '',
      row.refused ? oneLine(row.refused) : '',
      // Committed by an earlier run under the same key: the record shown is that run's, nothing drawn now.
      k ? (k.replayed ? 'yes' : 'no') : '',
    );
  }
  return cells;
}

/** What a line ships, in a few words: a chip id, a computer's ICs, an ECCN, or the item type. */
export function describeItem(item: { type: string; model?: string; eccn?: string; ics?: { model?: string; count: number }[] }): string {
  const i = item;
  return i.type === 'ic' ? i.model ?? 'ic (specs)' : i.type === 'computer' ? `computer (${(i.ics ?? []).map((x) => `${x.count}× ${x.model ?? 'ic'}`).join(', ')})` : i.type === 'eccn' ? `eccn ${i.eccn}` : i.type;
}

/** One JSON line: compact (no whitespace); the determination lean unless the run asked for --full. */
export function jsonLine(row: ScreenRow): string {
  return JSON.stringify(row);
}

