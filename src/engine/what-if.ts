/**
 * What-if: the smallest changes of fact that would change a determination, each one evaluated by
 * the engine on the changed transaction (never inferred from the thresholds alone):
 *
 * - for each license exception that is not eligible, the conditions that fail and, for those the
 *   exporter can act on (the quantity against LPP's annual cap, shipping directly instead of
 *   through a distributor, a storage facility meeting Supp. 10), the changed facts under which the
 *   engine finds the exception eligible; the largest quantity is found by binary search on the
 *   engine's own answer. Conditions on facts the exporter cannot change (a destination's country
 *   group, where a party is headquartered, the item's design) are named as such, with their
 *   citation and the engine's own explanation;
 * - for each missing fact with a few possible values (yes/no, private/government), the outcome
 *   under each value;
 * - for the classification (what-if-thresholds.ts), the exact distance of the item's TPP,
 *   performance density or training operations to the nearest threshold of data/parameters.json
 *   on either side at which the engine's classification changes, and that classification.
 */
import type { Determination, ExceptionCode, ExceptionResult, Outcome } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import type { EvalOptions } from './context.js';
import { determine } from './determine.js';
import { thresholdDistances, type ThresholdDistance } from './what-if-thresholds.js';
import { SUPP8_IDS, supp8Entity } from '../data/supp8.js';

export type { ThresholdDistance };

/** One fact to change: the transaction field (a path as in missingFacts) and its new value. */
export interface FactChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** A failing condition and whether the exporter can change the fact behind it. */
export interface Blocker {
  condition: string;
  status: 'not_met' | 'unknown';
  citation: string;
  detail?: string;
  changeable: boolean;
  /** Why it can or cannot be changed, in words. */
  note: string;
}

export interface ExceptionWhatIf {
  code: ExceptionCode;
  status: ExceptionResult['status'];
  blockers: Blocker[];
  /** The smallest set of changeable facts under which the engine finds the exception eligible; absent when none is found. */
  changes?: FactChange[];
  /** The engine's answer on the changed transaction. */
  evaluated?: { outcome: Outcome; status: ExceptionResult['status'] };
  summary: string;
}

export interface MissingFactWhatIf {
  path: string;
  answers: { value: unknown; outcome: Outcome; eligible: ExceptionCode[] }[];
}

export interface WhatIf {
  outcome: Outcome;
  eccn: string | null;
  exceptions: ExceptionWhatIf[];
  missingFacts: MissingFactWhatIf[];
  classification: ThresholdDistance[];
  /** How many determinations the engine ran to answer. */
  evaluations: number;
}

/**
 * What a failing condition needs. `changeable` facts are the exporter's to arrange; the rest are
 * facts about the destination, the parties or the item. `to` gives the value that meets the
 * condition; quantities are searched, not given.
 */
interface Remedy {
  changeable: boolean;
  note: string;
  path?: string;
  to?: unknown;
  quantity?: true;
}

const REMEDIES: Record<string, Remedy> = {
  'annual-cap': { changeable: true, quantity: true, note: 'a smaller shipment fits the room left under the annual cap' },
  'direct-to-ultimate-consignee': { changeable: true, path: 'viaDistributor', to: false, note: 'ship directly to the ultimate consignee, not through a distributor or reseller' },
  'a3-storage-meets-supp10': { changeable: true, path: 'facts.storageMeetsSupp10Security', to: true, note: 'store the weights in a facility meeting Supp. 10 to part 748 paras 14, 15 and 18' },
  'a3-storage-not-yet-required': { changeable: true, path: 'facts.storageMeetsSupp10Security', to: true, note: 'store the weights in a facility meeting Supp. 10 to part 748 paras 14, 15 and 18 before they apply' },
  'ultimate-customers-outside-macau-d5': { changeable: true, path: 'facts.ultimateCustomersInMacauOrD5', to: false, note: 'the items go on only to customers outside Macau and D:5' },
  'eligible-item': { changeable: false, note: 'the item\'s ECCN is not among those the exception covers' },
  // License Exception HBM (740.25)
  'shipped-direct-to-packaging-site': { changeable: true, path: 'facts.hbmShippedDirectToPackagingSite', to: true, note: 'ship the memory directly to the packaging site' },
  'bought-by-co-package-designer': { changeable: true, path: 'facts.hbmBoughtByCoPackageDesigner', to: true, note: 'sell the memory directly to the designer of the co-packaged commodity' },
  'no-distributor': { changeable: true, path: 'viaDistributor', to: false, note: 'sell without a distributor' },
  'exporter-headquarters': { changeable: false, note: 'where the exporter or its ultimate parent is headquartered (740.25(b))' },
  'memory-bandwidth-density-below-limit': { changeable: false, note: 'the memory\'s bandwidth density (740.25(c))' },
  'not-advanced-node-facility': { changeable: false, note: 'co-packaging at a Macau/D:5 facility producing advanced-node ICs (740.25(d))' },
  'license-not-only-744-23': { changeable: false, note: 'a license required only by 744.23(a)(3)(i)(B) (INT-33)' },
  'in-force': { changeable: false, note: 'the exception does not exist on this date' },
  activity: { changeable: false, note: 'the kind of transaction (export, reexport, transfer) is not one the exception covers' },
  'not-part-746-destination': { changeable: false, note: 'the destination is under a part 746 embargo' },
  'destination-not-macau-d5': { changeable: false, note: 'the destination\'s country group (Macau or D:5)' },
  'consignee-located-in-supp5a': { changeable: false, note: 'where the consignee is located: not a Supp. 5(a) destination' },
  'consignee-headquartered-in-supp5a': { changeable: false, note: 'where the consignee or its ultimate parent is headquartered' },
  'end-user-in-supp5a': { changeable: false, note: 'where the end user is located or headquartered' },
  'consignee-not-macau-d5-headquartered': { changeable: false, note: 'where the consignee or its ultimate parent is headquartered (Macau or D:5)' },
  'not-restricted-by-740-2': { changeable: false, note: 'the destination\'s country group or a party\'s headquarters (740.2(a)(9)(ii))' },
  'no-part-744-concern': { changeable: false, note: 'a part 744 end-use or end-user prohibition' },
  'end-use-development-production-storage': { changeable: false, note: 'the end use (ACM is only for development, production or storage)' },
  'private-sector-end-user': { changeable: false, note: 'whether the end user is a private sector end user' },
  'not-datacenter-3a090a': { changeable: false, note: 'the item\'s design: a datacenter item meeting 3A090.a' },
  'macau-d5-destination-or-entity': { changeable: false, note: 'NAC is for Macau/D:5 destinations or entities; elsewhere ACA is the exception' },
  'outside-macau-d5-or-transfer-within': { changeable: false, note: 'the destination or a party\'s headquarters in Macau or D:5' },
  'a3-headquartered-in-supp5a': { changeable: false, note: 'where the recipient or its ultimate parent is headquartered' },
  'a3-located-outside-macau-d5': { changeable: false, note: 'where the recipient is located (Macau or D:5)' },
  classification: { changeable: false, note: 'the classification, which depends on facts not given' },
};

const UNKNOWN_REMEDY: Remedy = { changeable: false, note: 'a fact about the transaction this what-if does not vary' };

/** Missing facts with a few possible values: each is evaluated. */
const ENUMERABLE: { test: RegExp; values: unknown[] }[] = [
  { test: /(^|\.)(datacenter|published|note2Excluded|trainedOnControlledComputing|producedOutsideUS|foreignDirectProduct)$/, values: [true, false] },
  // Not a yes/no fact: an entity of Supp. No. 8 (one without a sunset date stands for them), or none
  // (red team, 2026-12-06: read as true/false, it seemed not to matter).
  { test: /^facts\.supp8Entity$/, values: [SUPP8_IDS.find((id) => supp8Entity(id)?.until === undefined), 'none'] },
  { test: /^facts\./, values: [true, false] },
  { test: /\.sector$/, values: ['private', 'government'] },
];

class Evaluator {
  count = 0;
  constructor(private readonly opts: EvalOptions) {}
  /** Lean evaluation: statuses and outcome are the same as the full output's (tested). */
  lean(tx: Transaction): Determination {
    this.count++;
    return determine(tx, { ...this.opts, explain: false, sensitivity: false });
  }
}

export function whatIf(tx: Transaction, opts: EvalOptions = {}): WhatIf {
  const ev = new Evaluator(opts);
  ev.count++;
  const base = determine(tx, { ...opts, explain: true, sensitivity: false });
  return {
    outcome: base.outcome,
    eccn: base.classification.eccn,
    exceptions: base.exceptions.filter((e) => e.status !== 'eligible').map((e) => exceptionWhatIf(tx, e, ev)),
    missingFacts: base.missingFacts.map((m) => missingFactWhatIf(tx, m.path, ev)).filter((m): m is MissingFactWhatIf => m !== undefined),
    classification: thresholdDistances(tx, base, (t) => ev.lean(t)),
    evaluations: ev.count,
  };
}

// ---- exceptions ----------------------------------------------------------------------------------

function exceptionWhatIf(tx: Transaction, e: ExceptionResult, ev: Evaluator): ExceptionWhatIf {
  const failing = e.conditions.filter((c) => c.status !== 'met');
  const blockers: Blocker[] = failing.map((c) => {
    const r = REMEDIES[c.id] ?? UNKNOWN_REMEDY;
    return { condition: c.id, status: c.status as Blocker['status'], citation: c.citation, ...(c.detail ? { detail: c.detail } : {}), changeable: r.changeable, note: r.note };
  });
  const out: ExceptionWhatIf = { code: e.code, status: e.status, blockers, summary: '' };
  const fixed = blockers.filter((b) => !b.changeable && b.status === 'not_met');
  if (fixed.length > 0) {
    out.summary = `${e.code} cannot be made available by changes the exporter controls: ${fixed.map((b) => b.note).join('; ')}.`;
    return out;
  }
  const open = blockers.filter((b) => !b.changeable);
  if (open.length > 0) {
    out.summary = `${e.code} depends on facts not given: ${open.map((b) => b.note).join('; ')} (see the missing facts).`;
    return out;
  }
  const found = remedy(tx, e.code, failing.map((c) => c.id), ev);
  if (!found) {
    out.summary = `No change of the quantity or routing makes ${e.code} available${failing.some((c) => c.id === 'annual-cap') ? ' (no room is left under the annual cap for even one unit)' : ''}.`;
    return out;
  }
  out.changes = found.changes;
  out.evaluated = found.evaluated;
  out.summary = summarize(e.code, found.changes);
  return out;
}

function statusIn(d: Determination, code: ExceptionCode): ExceptionResult['status'] {
  return d.exceptions.find((x) => x.code === code)?.status ?? 'not_eligible';
}

/** Apply the changeable remedies, search the quantity last, then drop every change not needed. */
function remedy(tx: Transaction, code: ExceptionCode, conditions: string[], ev: Evaluator): { changes: FactChange[]; evaluated: ExceptionWhatIf['evaluated'] & object } | undefined {
  let changes: FactChange[] = [];
  for (const id of conditions) {
    const r = REMEDIES[id]!;
    if (r.path !== undefined) changes.push({ path: r.path, from: get(tx, r.path), to: r.to });
  }
  let changed = applyChanges(tx, changes);
  let d = ev.lean(changed);
  if (statusIn(d, code) !== 'eligible' && conditions.some((id) => REMEDIES[id]!.quantity)) {
    const q = largestQuantity(changed, code, ev);
    if (q === undefined) return undefined;
    changes.push({ path: 'quantity', from: tx.quantity ?? 1, to: q });
    changed = applyChanges(tx, changes);
    d = ev.lean(changed);
  }
  if (statusIn(d, code) !== 'eligible') return undefined;
  // Smallest: a change whose removal keeps the exception eligible is not needed.
  for (const c of [...changes]) {
    if (c.path === 'quantity') continue;
    const without = changes.filter((x) => x !== c);
    const dw = ev.lean(applyChanges(tx, without));
    if (statusIn(dw, code) === 'eligible') {
      changes = without;
      d = dw;
    }
  }
  return { changes, evaluated: { outcome: d.outcome, status: statusIn(d, code) } };
}

/**
 * The largest quantity below the current one under which the engine finds the exception
 * eligible (eligibility only falls as the shipment grows: the cap compares used + aggregate).
 * Binary search on the engine's answers; the result is checked on both sides.
 */
function largestQuantity(tx: Transaction, code: ExceptionCode, ev: Evaluator): number | undefined {
  const current = tx.quantity ?? 1;
  const ok = (q: number) => statusIn(ev.lean({ ...tx, quantity: q }), code) === 'eligible';
  if (current <= 1 || !ok(1)) return undefined;
  let lo = 1; // eligible
  let hi = current; // not eligible (the caller saw it fail)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function summarize(code: ExceptionCode, changes: FactChange[]): string {
  const parts = changes.map((c) => {
    if (c.path === 'quantity') return `at most ${Number(c.to).toLocaleString('en-US')} units (now ${Number(c.from).toLocaleString('en-US')})`;
    if (c.path === 'viaDistributor') return 'shipped directly to the ultimate consignee, not through a distributor';
    return `${c.path} = ${JSON.stringify(c.to)}`;
  });
  return `To ship under ${code}: ${parts.join('; ')}.`;
}

// ---- missing facts -------------------------------------------------------------------------------

function missingFactWhatIf(tx: Transaction, path: string, ev: Evaluator): MissingFactWhatIf | undefined {
  const values = ENUMERABLE.find((x) => x.test.test(path))?.values;
  if (!values || !settable(tx, path)) return undefined;
  return {
    path,
    answers: values.map((value) => {
      const d = ev.lean(applyChanges(tx, [{ path, from: undefined, to: value }]));
      return { value, outcome: d.outcome, eligible: d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code) };
    }),
  };
}

// ---- transaction paths ----------------------------------------------------------------------------

const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

function segments(path: string): (string | number)[] {
  return [...path.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

function get(tx: Transaction, path: string): unknown {
  let v: unknown = tx;
  for (const s of segments(path)) v = v === undefined || v === null ? undefined : (v as Record<string | number, unknown>)[s];
  return v;
}

/** A path can be set when every object on the way exists or can be created (not inside a catalog model's fixed figures). */
function settable(tx: Transaction, path: string): boolean {
  const segs = segments(path);
  if (segs[0] === 'item' && (tx.item as { model?: string }).model !== undefined && segs.length === 2) return false;
  return segs.length > 0;
}

/** A copy of the transaction with the changes applied (objects on the way are created as needed). */
export function applyChanges(tx: Transaction, changes: readonly FactChange[]): Transaction {
  const out = structuredClone(tx) as Record<string | number, unknown>;
  for (const c of changes) {
    const segs = segments(c.path);
    let o = out;
    for (const s of segs.slice(0, -1)) {
      if (o[s] === undefined || o[s] === null) o[s] = {};
      o = o[s] as Record<string | number, unknown>;
    }
    o[segs[segs.length - 1]!] = c.to;
  }
  return out as unknown as Transaction;
}
