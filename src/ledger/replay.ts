/**
 * Replay: evaluate an audited input again, with its stored options (including the date and the
 * exact ledger view it was decided on), and show what differs from the stored output. When the
 * ruleset version differs, the differences are what the rules or data changed since; when it is
 * the same, any difference would mean the engine is not deterministic (a bug).
 */
import type { Determination, RegimeAnswer, RegimeId } from '../contract/determination.js';
import { vintageOn } from '../data/regimes.js';
import { parseTransaction } from '../contract/parse.js';
import { EvalOptionsSchema } from '../contract/options.js';
import { determine, today } from '../engine/determine.js';
import { rulesetVersion } from '../engine/version.js';
import { getAudit } from '../store/audit.js';
import type { Store } from '../store/open.js';
import { LedgerError } from './errors.js';

export interface Difference {
  path: string;
  stored: unknown;
  now: unknown;
}

export interface ReplayResult {
  id: string;
  seq: number;
  at: string;
  storedVersion: string;
  currentVersion: string;
  sameVersion: boolean;
  /** The same determination (apart from the ruleset version string). */
  identical: boolean;
  differences: Difference[];
  note: string;
  /** How the record was decided: its date's vintage, the regime its top-level answer followed, and both regimes' answers when the record has them. */
  then: ThenAnswer;
  /** The same transaction decided today (today's date and ruleset), under each regime. */
  today?: TodayAnswer;
  determination: Determination;
}

export interface ThenAnswer {
  asOf: string;
  /** The vintage in force on the record's date (null before 2023-11-17). */
  vintage: string | null;
  /** The regime the stored top-level answer followed. */
  regime: RegimeId;
  /** The stored answers per regime; null when the record predates them (its ruleset answered 90 FR 4544 as written only). */
  regimes: RegimeAnswer[] | null;
  note: string;
}

export interface TodayAnswer {
  asOf: string;
  vintage: string | null;
  regimes: RegimeAnswer[];
  regimesDiffer: boolean;
}

const MAX_DIFFERENCES = 200;

/** `withToday: false` leaves out today's answer (replay --all compares records only). */
export async function replayAudit(store: Store, idOrSeq: string, { withToday = true } = {}): Promise<ReplayResult> {
  const rec = await getAudit(store, idOrSeq);
  if (!rec) throw new LedgerError('not_found', `no audit record ${idOrSeq}`);
  const tx = parseTransaction(JSON.parse(rec.input));
  const opts = EvalOptionsSchema.parse(JSON.parse(rec.options));
  const now = JSON.parse(JSON.stringify(determine(tx, opts))) as Determination;
  const stored = JSON.parse(rec.output) as unknown;
  const differences: Difference[] = [];
  diff(stored, now, '', differences);
  const current = rulesetVersion();
  const sameVersion = current === rec.rulesetVersion;
  const substantive = differences.filter((x) => x.path !== 'ruleset.version');
  return {
    id: rec.id,
    seq: rec.seq,
    at: rec.at,
    storedVersion: rec.rulesetVersion,
    currentVersion: current,
    sameVersion,
    identical: substantive.length === 0,
    differences,
    note: sameVersion
      ? differences.length === 0 ? 'Same ruleset version, same determination.' : 'Same ruleset version but a different determination: the stored record or the engine is not what it was (run aidr audit verify).'
      : `The record was made under ruleset ${rec.rulesetVersion}; this is ${current}. ${substantive.length === 0 ? 'The determination is the same apart from the version.' : `${substantive.length} difference(s) are what the rules, engine or data changed since.`}`,
    then: thenAnswer(stored, opts.asOf ?? tx.date ?? rec.at.slice(0, 10), opts.regime, rec.rulesetVersion),
    ...(withToday ? { today: todayAnswer(tx, opts) } : {}),
    determination: now,
  };
}

function thenAnswer(stored: unknown, asOf: string, optRegime: RegimeId | undefined, version: string): ThenAnswer {
  const out = (stored ?? {}) as Partial<Determination>;
  const v = vintageOn(asOf);
  const regimes = Array.isArray(out.regimes) && out.regimes.length ? out.regimes : null;
  const regime = out.regime ?? optRegime ?? 'codified';
  const vintage = v ? `vintage ${v.id} (${v.from} to ${v.to})` : 'a date before the first modeled vintage (2023-11-17)';
  const note = regimes
    ? `Decided on ${asOf}, in ${vintage}, under ruleset ${version}: the top-level answer followed the ${regime} regime (${regimes.map((r) => `${r.id}: ${r.outcome}`).join('; ')}).`
    : `Decided on ${asOf}, in ${vintage}, under ruleset ${version}, which answered 90 FR 4544 as written only (it predates the codified/enforced regimes): its answer is the codified one.`;
  return { asOf, vintage: v?.id ?? null, regime, regimes, note };
}

function todayAnswer(tx: ReturnType<typeof parseTransaction>, opts: ReturnType<typeof EvalOptionsSchema.parse>): TodayAnswer {
  const asOf = today();
  // Today's answer reads no ledger view: the stored one was the view on the record's date.
  const { ledger: _l, ...rest } = opts;
  const d = determine(tx, { ...rest, asOf, explain: false, sensitivity: false });
  return { asOf, vintage: vintageOn(asOf)?.id ?? null, regimes: d.regimes, regimesDiffer: d.regimesDiffer };
}

function diff(a: unknown, b: unknown, path: string, out: Difference[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (Object.is(a, b)) return;
  const aObj = a !== null && typeof a === 'object';
  const bObj = b !== null && typeof b === 'object';
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (aObj && bObj && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push({ path: path || '(root)', stored: a, now: b });
}
