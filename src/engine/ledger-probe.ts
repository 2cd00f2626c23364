/**
 * A ledger view that holds no figures and remembers whether the engine asked for one. The engine
 * depends on the ledger only by reading these fields, so an answer given without a single read is
 * the answer any ledger would have given: a caller can then skip fetching the stored ledger (the
 * HTTP evaluate path does; most transactions, e.g. to A:5 or under License Exception NAC, never
 * consult it).
 */
import type { LedgerView } from './context.js';

// Every field of LedgerView: the compiler refuses this object if one is added and not listed here.
const FIELDS: Record<keyof LedgerView, true> = { lppUsedTpp: true, lppUsedTppByReading: true, aiaCumulativeTpp: true, countryLicensedTpp: true };

export interface LedgerProbe {
  readonly view: LedgerView;
  /** Did the engine read any ledger figure? */
  wasRead(): boolean;
}

export function ledgerProbe(): LedgerProbe {
  let read = false;
  const view = {} as LedgerView;
  for (const field of Object.keys(FIELDS)) {
    Object.defineProperty(view, field, { enumerable: true, get: () => { read = true; return undefined; } });
  }
  return { view, wasRead: () => read };
}
