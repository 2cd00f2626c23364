/**
 * What a commit draws on (the plan: accounts, amounts, caps, in the order the view read them), the
 * ledger view as locked when it changed meanwhile, and the notices a commit triggers.
 */
import type { Determination, ExceptionCode } from '../contract/determination.js';
import { AIA, LPP } from '../data/parameters.js';
import { InputError, type LedgerView } from '../engine/context.js';
import { accountId, capFor, LPP_READINGS, type AccountRef, type LppReading } from './accounts.js';
import { toPositiveMilli, tpp } from './amount.js';
import { CapExceededError } from './errors.js';
import type { Transaction } from '../contract/transaction.js';
import { lppParentMissing, type BuiltView } from './view.js';

export interface Draw {
  ref: AccountRef;
  id: string;
  kind: 'draw' | 'track';
  amount: bigint;
  capped: boolean;
  cap: bigint | null;
  citation: string;
  /** used + reserved in the view the determination read. */
  viewed: bigint;
  /** What the account holds that the view leaves out (other years, INT-31 per_calendar_year). */
  otherYears?: bigint;
}

function shipmentMilli(d: Determination): bigint | undefined {
  const agg = d.classification.aggregateTppExact ?? (d.classification.aggregateTpp === undefined ? undefined : String(d.classification.aggregateTpp));
  return agg === undefined ? undefined : toPositiveMilli(agg, 'item');
}

export function planDraws(d: Determination, code: ExceptionCode | null, built: BuiltView, reading: LppReading): Draw[] {
  if (code === 'LPP') {
    const keys = built.keys.lpp;
    if (!keys) throw new InputError('consignee.id', 'LPP draws on the ultimate consignee\'s annual cap: give consignee.id (and consignee.ultimateParentId when it has a parent, INT-7) so the ledger can key it');
    const amount = shipmentMilli(d);
    if (amount === undefined) throw new InputError('item', 'the shipment\'s TPP is needed to draw on the LPP cap');
    const draws: Draw[] = [];
    for (const r of LPP_READINGS) {
      const ref = keys[r];
      const cap = capFor(ref, `${ref.year}-01-01`);
      const id = accountId(ref);
      if (r !== reading && id === accountId(keys[reading])) continue;
      draws.push({ ref, id, kind: r === reading ? 'draw' : 'track', amount, capped: r === reading, cap: cap.milli, citation: cap.citation, viewed: built.milli.lpp![r] });
    }
    // Both readings name the same entity: one account per reading still (they differ for other shipments).
    return draws;
  }
  if (code === 'AIA' && d.classification.eccn !== '4E091' && d.classification.tppPerUnit !== undefined) {
    const ref = built.keys.aia;
    if (!ref) throw new InputError('consignee.id', 'AIA shipments add to the consignee\'s cumulative AIA TPP (the 253,000,000 TPP certification trigger, INT-5): give consignee.id');
    const amount = shipmentMilli(d);
    if (amount === undefined) throw new InputError('item', 'the shipment\'s TPP is needed to keep the cumulative AIA TPP');
    return [{ ref, id: accountId(ref), kind: 'draw', amount, capped: false, cap: null, citation: '15 CFR 740.27(c)', viewed: built.milli.aia ?? 0n, otherYears: built.milli.aiaOtherYears ?? 0n }];
  }
  return [];
}

/**
 * The draws of the codified answer's exception `code` when the commit uses another (the enforced
 * regime: `drawingException`), as tracked movements: counted on the accounts, not capped, since
 * nothing is refused by a cap BIS does not enforce. A consignee the ledger cannot key (no id or
 * name, an ultimate parent plainly another entity but not named) is not tracked: said in `warnings`,
 * and the commit goes on, as the enforced answer allows it.
 */
export function trackedDraws(tx: Transaction, d: Determination, code: ExceptionCode | null, built: BuiltView, reading: LppReading, warnings: string[]): Draw[] {
  if (code !== 'LPP' && code !== 'AIA') return [];
  const untracked = (why: string) => {
    warnings.push(`The codified answer (the rule as written) would use License Exception ${code}, whose draws the ledger adds up under either regime; not tracked: ${why}`);
    return [];
  };
  const missingParent = code === 'LPP' ? lppParentMissing(tx, built.keys, reading) : undefined;
  if (missingParent) return untracked(missingParent.message);
  let plan: Draw[];
  try {
    plan = planDraws(d, code, built, reading);
  } catch (e) {
    if (e instanceof InputError) return untracked(e.message);
    throw e;
  }
  if (plan.length > 0) warnings.push(`Under the enforced regime no license exception is used; the codified answer (the rule as written) would use License Exception ${code}, so its TPP is counted on ${plan.map((p) => p.id).join(' and ')} (tracked, not capped), as the rule as written adds it up for later shipments.`);
  return plan.map((p) => ({ ...p, kind: 'track', capped: false }));
}

/** LPP refused by its annual cap, as the draw itself would have refused it: the account and the TPP left. */
export function lppCapExceeded(d: Determination, built: BuiltView, reading: LppReading, why: string): CapExceededError | undefined {
  if (!built.keys.lpp || shipmentMilli(d) === undefined) return undefined;
  const p = planDraws(d, 'LPP', built, reading).find((x) => x.capped);
  if (!p?.cap) return undefined;
  const left = p.cap - p.viewed;
  return new CapExceededError(p.id, tpp(p.amount), tpp(left > 0n ? left : 0n), tpp(p.cap), why);
}

export function freshView(view: LedgerView, plan: Draw[], fresh: Map<string, bigint>, reading: LppReading): LedgerView {
  const out: LedgerView = { ...view };
  for (const p of plan) {
    const v = tpp(fresh.get(p.id)!);
    if (p.ref.kind === 'lpp') {
      out.lppUsedTppByReading = { ...(out.lppUsedTppByReading ?? {}), [p.ref.reading]: v };
      if (p.ref.reading === reading) out.lppUsedTpp = v;
    } else if (p.ref.kind === 'aia') {
      out.aiaCumulativeTpp = v;
    }
  }
  return out;
}

/** The obligations a person must act on because of this commit. */
export function noticesOf(d: Determination, code: ExceptionCode | null): string[] {
  if (!code) return [];
  const e = d.exceptions.find((x) => x.code === code);
  if (!e) return [];
  const out: string[] = [];
  for (const o of e.obligations) {
    if (code === 'LPP' && o.subject === LPP.limitSubject) out.push(`${o.subject}: ${o.what} (${o.citation})`);
    if (code === 'AIA' && o.to === AIA.address) out.push(`${o.subject ?? 'BIS'}: ${o.what} (${o.citation})`);
  }
  return out;
}
