/**
 * Bulk what-if (`aidr screen INPUT --compare KEY=VALUE …`): every line is evaluated as asked and
 * again with the options changed (another as-of date, another interpretation reading; the option
 * set is open; regime=codified|enforced compares the two regimes), each in its own batch (the running totals
 * differ when the answers do). Only the lines whose answer changes are written, with what changed;
 * the summary counts every line read as a plain screen does (lines read, evaluated, invalid, their
 * outcomes without the change), and each kind of change.
 */
import type { Transaction } from '../contract/transaction.js';
import { RegimeId, type Determination } from '../contract/determination.js';
import { IsoDate } from '../contract/transaction.js';
import { InputError, readingsFrom, type EvalOptions } from '../engine/context.js';
import { Batch } from './evaluate.js';
import type { OpenedInput } from './read.js';
import type { RunOptions, Written } from './run.js';
import { describeItem } from './format.js';
import { Screener, type ScreenerConfig } from './screener.js';
import type { SummaryBuilder } from './summary.js';
import { ledgerNeeds, NO_LEDGER } from './evaluate.js';
import { regimeChanges } from '../engine/compare-dates.js';

/** What a --compare KEY=VALUE changes in the options. */
interface Comparison { label: string; apply: (o: EvalOptions) => EvalOptions }

/** The options each KEY can change. */
const COMPARABLE: Record<string, (value: string, key: string) => (o: EvalOptions) => EvalOptions> = {
  'as-of': (v) => {
    if (!IsoDate.safeParse(v).success) throw new InputError('--compare', `as-of=${v}: expected a date as YYYY-MM-DD`);
    return (o) => ({ ...o, asOf: v });
  },
  regime: (v) => {
    const r = RegimeId.safeParse(v);
    if (!r.success) throw new InputError('--compare', `regime=${v}: expected codified or enforced`);
    return (o) => ({ ...o, regime: r.data });
  },
  interpretation: (v, key) => {
    readingsFrom({ [key]: v });
    return (o) => ({ ...o, interpretations: { ...o.interpretations, [key]: v } });
  },
};

export function parseComparisons(specs: readonly string[]): Comparison[] {
  return specs.map((spec) => {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec.trim());
    if (!m) throw new InputError('--compare', `expected KEY=VALUE (as-of=2026-01-15, INT-6=available), got "${spec}"`);
    const key = m[1]!.toLowerCase() === 'asof' ? 'as-of' : m[1]!;
    const kind = /^INT-\d+$/i.test(key) ? 'interpretation' : key.toLowerCase();
    const make = COMPARABLE[kind];
    if (!make) throw new InputError('--compare', `"${m[1]}" is not an option that can be compared (as-of, regime, or an interpretation such as INT-6)`);
    return { label: `${key.toUpperCase().startsWith('INT-') ? key.toUpperCase() : key}=${m[2]}`, apply: make(m[2]!, key.toUpperCase()) };
  });
}

/**
 * What changed between two answers, in words ("outcome license_exception → license_required"):
 * the top-level fields (the chosen regime), then the other regime's changes, prefixed with its
 * name ("enforced: outcome no_license_required → license_required"), from the comparison
 * `aidr check --compare-as-of` makes (src/engine/compare-dates.ts).
 */
export function changesBetween(a: Determination, b: Determination): string[] {
  const out: string[] = [];
  const eligible = (d: Determination) => d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code).join(' ') || 'none';
  if (a.outcome !== b.outcome) out.push(`outcome ${a.outcome} → ${b.outcome}`);
  if (a.licenseRequired !== b.licenseRequired) out.push(`license required ${a.licenseRequired} → ${b.licenseRequired}`);
  if (eligible(a) !== eligible(b)) out.push(`eligible exceptions ${eligible(a)} → ${eligible(b)}`);
  if (a.reviewPolicy !== b.reviewPolicy) out.push(`review policy ${a.reviewPolicy ?? 'none'} → ${b.reviewPolicy ?? 'none'}`);
  if (a.classification.eccn !== b.classification.eccn) out.push(`ECCN ${a.classification.eccn ?? 'not controlled'} → ${b.classification.eccn ?? 'not controlled'}`);
  for (const r of regimeChanges(a, b)) {
    if (r.id === b.regime || !r.changed) continue;
    for (const c of r.changes) {
      if (c.field === 'citations' || c.field === 'basis') continue;
      out.push(`${r.id}: ${FIELD_WORDS[c.field]} ${words(c.from)} → ${words(c.to)}`);
    }
  }
  return out;
}

const FIELD_WORDS: Record<string, string> = { eccn: 'ECCN', subjectToEar: 'subject to the EAR', licenseRequired: 'license required', outcome: 'outcome', reviewPolicy: 'review policy', eligibleExceptions: 'eligible exceptions' };
const words = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(' ') : 'none') : v === null ? 'none' : String(v));

export async function* compareRows(input: OpenedInput, config: ScreenerConfig, specs: readonly string[], run: Omit<RunOptions, 'config' | 'summary'>, summary: SummaryBuilder): AsyncGenerator<Written> {
  const comparisons = parseComparisons(specs);
  const alt = comparisons.reduce((o, c) => c.apply(o), config.eval);
  const label = comparisons.map((c) => c.label).join(', ');
  const source = run.source ?? NO_LEDGER;
  const screener = new Screener({ ...config, comparing: true, ...(input.headers ? { headers: input.headers } : {}) }, source, run.partyLookup);
  const base = new Batch(source, config.eval, config.fixedLedger);
  const other = new Batch(source, alt, config.fixedLedger);
  const counts: Record<string, number> = {};
  let lines = 0;
  let changed = 0;
  // What the line reads of the stored ledger, under both sets of options.
  const prefetch = async (tx: Transaction) => {
    const needs = [ledgerNeeds(tx, config.eval), ledgerNeeds(tx, alt)];
    await source.prefetch(needs.flatMap((n) => n.accounts), needs.flatMap((n) => (n.country ? [n.country] : [])));
  };
  const replay = config.replayThroughLine ?? 0;
  for await (const record of input.records) {
    const m = screener.map(record);
    if (m.line <= replay) {
      // Written by the interrupted run (--resume): its draws still count in both batches.
      if (!m.errors && m.tx) {
        await prefetch(m.tx);
        base.evaluate(m.tx);
        other.evaluate(m.tx);
      }
      continue;
    }
    lines++;
    if (m.errors || !m.tx) {
      const p = screener.evaluate(m);
      summary.add(p.meta);
      yield p;
      continue;
    }
    await prefetch(m.tx);
    const a = base.evaluate(m.tx);
    const b = other.evaluate(m.tx);
    const changes = changesBetween(a.determination, b.determination);
    if (a.exception !== b.exception) changes.push(`a commit would use ${a.exception ?? 'none'} → ${b.exception ?? 'none'}`);
    // Counted as the plain screen counts it, written or not.
    const meta = screener.meta(m, a, undefined);
    summary.add(meta);
    if (changes.length === 0) continue;
    changed++;
    for (const c of changes) counts[c] = (counts[c] ?? 0) + 1;
    const row = { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), ...(m.tx.to ? { destination: m.tx.to } : {}), item: describeItem(m.tx.item), notes: m.notes, determination: b.determination, exception: b.exception, ...(b.lppLeftTpp ? { lppLeftTpp: b.lppLeftTpp } : {}), compared: { with: label, changes } };
    yield { line: m.line, out: screener.write(row, m), meta };
  }
  summary.set('compare', { with: label, lines, changed, changes: Object.entries(counts).sort((x, y) => y[1] - x[1]).map(([change, n]) => ({ change, lines: n })) });
}
