/** What every page reads once: who is signed in, the reference data, the chip catalog, the ruleset, the rule-text anchors. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Chip, Reference, RulesetInfo, SessionState, Role, Transaction } from './api/types.js';

export interface AppState {
  session: SessionState;
  reference: Reference;
  chips: Chip[];
  ruleset: RulesetInfo;
  anchors: ReadonlySet<string>;
  /** The transaction on the Check page, shared with What-if. */
  tx: Transaction;
  setTx(tx: Transaction): void;
  signOut(): void;
}

export const App = createContext<AppState>(null as unknown as AppState);
export const useApp = (): AppState => useContext(App);

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, officer: 2, admin: 3 };
export function can(state: AppState, role: Role): boolean {
  const p = state.session.principal;
  return p !== null && RANK[p.role] >= RANK[role];
}

export const countryName = (state: AppState, code: string | undefined): string =>
  code ? state.reference.countries.find((c) => c.code === code)?.name ?? code : '';
