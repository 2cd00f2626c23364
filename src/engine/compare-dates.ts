/**
 * What changes for one transaction between two dates, per regime (the vintage diff): each regime's
 * answer on both dates, the fields that differ, and what took effect in between (the vintages
 * crossed, the instruments of the timeline, BIS's posture rows, the later rules). Used by
 * `aidr check --compare-as-of` and, through regimeChanges, by `aidr screen --compare as-of=…`.
 */
import type { Determination, RegimeAnswer, RegimeId } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { OVERLAYS, POSTURES, TIMELINE, VINTAGES, vintageOn } from '../data/regimes.js';
import type { EvalOptions } from './context.js';
import { determine, today } from './determine.js';

export interface FieldChange {
  field: 'eccn' | 'subjectToEar' | 'licenseRequired' | 'outcome' | 'reviewPolicy' | 'eligibleExceptions' | 'citations' | 'basis';
  from: unknown;
  to: unknown;
}

export interface RegimeChange {
  id: RegimeId;
  changed: boolean;
  /** The fields a decision turns on that differ (citations and basis listed too, after them). */
  changes: FieldChange[];
  from: RegimeAnswer;
  to: RegimeAnswer;
}

export interface Between {
  /** Vintages entered after the first date, up to and including the second (in date order). */
  vintages: string[];
  /** Timeline instruments that took effect in between: id, date, instrument. */
  instruments: { id: string; date: string; instrument: string }[];
  /** Enforcement posture rows that began to apply in between. */
  postures: { id: string; from: string; status: string; provision: string }[];
  /** Later rules (overlays) that took effect in between, with the regimes they apply to. */
  laterRules: { id: string; from: string; source: string; regimes: RegimeId[] }[];
}

export interface DateComparison {
  id?: string;
  from: { asOf: string; vintage: string | null };
  to: { asOf: string; vintage: string | null };
  regimes: RegimeChange[];
  /** Whether any regime's answer changes (eccn, subjectToEar, licenseRequired, outcome, reviewPolicy, eligibleExceptions). */
  changed: boolean;
  between: Between;
}

const DECIDING: FieldChange['field'][] = ['eccn', 'subjectToEar', 'licenseRequired', 'outcome', 'reviewPolicy', 'eligibleExceptions'];
const SHOWN: FieldChange['field'][] = [...DECIDING, 'citations', 'basis'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Each regime's changes from `a` to `b` (two determinations of the same transaction). */
export function regimeChanges(a: Determination, b: Determination): RegimeChange[] {
  const out: RegimeChange[] = [];
  for (const ra of a.regimes) {
    const rb = b.regimes.find((r) => r.id === ra.id);
    if (!rb) continue;
    const changes = SHOWN.filter((f) => !same(ra[f], rb[f])).map((f) => ({ field: f, from: ra[f], to: rb[f] }));
    out.push({ id: ra.id, changed: changes.some((c) => DECIDING.includes(c.field)), changes, from: ra, to: rb });
  }
  return out;
}

/** What took effect after `from` and on or before `to` (either order: the earlier date first). */
export function between(from: string, to: string): Between {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const inside = (d: string | null) => d !== null && d > lo && d <= hi;
  return {
    vintages: VINTAGES.filter((v) => inside(v.from)).map((v) => v.id),
    instruments: TIMELINE.filter((t) => inside(t.date)).map((t) => ({ id: t.id, date: t.date!, instrument: t.instrument })),
    postures: POSTURES.filter((p) => inside(p.from)).map((p) => ({ id: p.id, from: p.from, status: p.status, provision: p.provision })),
    laterRules: OVERLAYS.filter((o) => inside(o.from)).map((o) => ({ id: o.id, from: o.from, source: o.source, regimes: o.regimes })),
  };
}

/** The transaction decided on its date (or opts.asOf) and on `other`, compared per regime. */
export function compareAsOf(tx: Transaction, opts: EvalOptions, other: string): DateComparison {
  const first = opts.asOf ?? tx.date ?? today();
  const quiet: EvalOptions = { ...opts, explain: false, sensitivity: false };
  const a = determine(tx, { ...quiet, asOf: first });
  const b = determine(tx, { ...quiet, asOf: other });
  const regimes = regimeChanges(a, b);
  return {
    ...(tx.id !== undefined ? { id: tx.id } : {}),
    from: { asOf: first, vintage: vintageOn(first)?.id ?? null },
    to: { asOf: other, vintage: vintageOn(other)?.id ?? null },
    regimes,
    changed: regimes.some((r) => r.changed),
    between: between(first, other),
  };
}

const show = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : v === null ? 'none' : String(v).replace(/_/g, ' '));

/** The comparison for a person. */
export function renderComparisonText(c: DateComparison): string {
  const out: string[] = [];
  const name = (d: { asOf: string; vintage: string | null }) => `${d.asOf} (${d.vintage ? `vintage ${d.vintage}` : 'before the modeled vintages'})`;
  out.push(`${c.id ? `${c.id}: ` : ''}${name(c.from)} → ${name(c.to)}: ${c.changed ? 'the answer changes' : 'no change in either regime\'s answer'}`);
  for (const r of c.regimes) {
    const label = r.id === 'codified' ? 'As written' : 'As BIS enforces it';
    if (r.changes.length === 0) {
      out.push(`  ${label}: unchanged (${show(r.from.outcome)})`);
      continue;
    }
    out.push(`  ${label}:`);
    for (const ch of r.changes) out.push(`    ${ch.field}: ${show(ch.from)} → ${show(ch.to)}`);
  }
  const b = c.between;
  if (b.vintages.length || b.instruments.length || b.postures.length || b.laterRules.length) {
    out.push(`  What took effect in between${c.from.asOf > c.to.asOf ? ' (the dates run backwards: these are undone)' : ''}:`);
    if (b.vintages.length) out.push(`    vintages: ${b.vintages.join(', ')}`);
    for (const t of b.instruments) out.push(`    ${t.id} ${t.date}: ${t.instrument}`);
    for (const p of b.postures) out.push(`    ${p.id} from ${p.from} (${p.status.replace(/_/g, ' ')}): ${p.provision}`);
    for (const o of b.laterRules) out.push(`    later rule ${o.source} from ${o.from} (${o.regimes.join(' and ')})`);
  } else out.push('  Nothing modeled took effect in between.');
  return `${out.join('\n')}\n`;
}
