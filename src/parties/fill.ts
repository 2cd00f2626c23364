/**
 * A party's absent facts filled from the parties register, by its id: one rule for every way a
 * transaction comes in (an order line of `aidr screen`, a contract Transaction of `aidr check` and
 * the HTTP service, committed or not), so that a subsidiary the register puts under its ultimate
 * parent is keyed to the parent's LPP cap whichever command commits it (15 CFR 740.29(d), (h)(1);
 * red team 2, D3). What was filled is said on the answer (screen: the row's normalizations; check
 * and HTTP: the determination's warnings). Facts the transaction gives are never replaced; an id
 * given as one of the register's aliases becomes the register's id (it keys the ledger accounts).
 *
 * The library's `check()` has no store and so no register: it answers on the facts given.
 */
import type { Determination } from '../contract/determination.js';
import type { Party, Transaction } from '../contract/transaction.js';
import type { Store } from '../store/open.js';
import type { PartyLookup, PartyRecord } from '../screen/row.js';
import { keyOrUndefined } from './key.js';

const PARTY_FACTS = ['name', 'country', 'headquarters', 'ultimateParentHeadquarters', 'ultimateParentId', 'sector'] as const;

/**
 * Fill `party` (mutated) from the register; push a note of what was filled, or that the id is not
 * registered. `role` names the party in the note.
 *
 * A party named by one of its aliases (`parties import`, aliases column) is the registered party:
 * its id becomes the register's, because the id keys the party's ledger accounts (LPP per ultimate
 * consignee, 740.29(d); AIA), and one entity under two spellings would otherwise have two LPP
 * caps (red team 3, D1). The same for an ultimate parent id the register knows by an alias. Every
 * replacement is said in a note.
 */
export function fillParty(role: 'consignee' | 'endUser', party: Record<string, unknown> | undefined, parties: PartyLookup | undefined, notes: string[]): void {
  if (!parties || !party) return;
  const id = party.id;
  const key = typeof id === 'string' ? keyOrUndefined(id) : undefined;
  if (key !== undefined) {
    const rec = parties(key);
    if (!rec) notes.push(`${role}.id "${id as string}" is not in the parties register`);
    else {
      if (rec.id !== key) party.id = registeredId(`${role}.id`, id as string, rec, notes);
      fillFacts(role, party, rec, notes);
    }
  } else if (typeof party.name === 'string') {
    const rec = partyNamed(`${role}.name`, party.name, parties, notes);
    if (rec) {
      party.id = rec.givenId ?? rec.id;
      fillFacts(role, party, rec, notes);
    }
  }
  const parent = party.ultimateParentId;
  const parentKey = typeof parent === 'string' ? keyOrUndefined(parent) : undefined;
  if (parentKey === undefined) return;
  const rec = parties(parentKey);
  if (rec && rec.id !== parentKey) party.ultimateParentId = registeredId(`${role}.ultimateParentId`, parent as string, rec, notes);
}

/** The party's absent facts from its register record (never a fact the party states), said in a note. */
function fillFacts(role: string, party: Record<string, unknown>, rec: PartyRecord, notes: string[]): void {
  const filled: string[] = [];
  for (const k of PARTY_FACTS) {
    if (party[k] === undefined && rec[k] !== undefined) {
      party[k] = rec[k];
      filled.push(k);
    }
  }
  if (filled.length) notes.push(`${role}: ${filled.join(', ')} from the parties register (${rec.givenId ?? rec.id})`);
}

/**
 * The registered party a party named without an id stands for: the one whose name or alias is the
 * name as given (normalized like an id). Its id then keys the party's ledger accounts, as if the
 * line had given it; a name that several registered parties share decides nothing (the line is
 * answered on the facts it gives, and the note asks for the id). Each case is said in a note.
 */
export function partyNamed(path: string, name: string, parties: PartyLookup, notes?: string[]): PartyRecord | undefined {
  const found = parties.named?.(name) ?? [];
  if (found.length === 1) {
    const rec = found[0]!;
    notes?.push(`${path}: "${name}" → ${rec.givenId ?? rec.id}: the party of that name in the parties register, whose id keys its ledger accounts`);
    return rec;
  }
  if (found.length > 1) {
    notes?.push(`${path}: "${name}" names ${found.length} parties in the parties register (${found.map((p) => p.givenId ?? p.id).join(', ')}): give the party's id to say which; none of their facts was used`);
  }
  return undefined;
}

/** The register's id for a party named by its alias `given` at `path`, with the note saying so. */
function registeredId(path: string, given: string, rec: PartyRecord, notes: string[]): string {
  const id = rec.givenId ?? rec.id;
  notes.push(`${path}: "${given}" → ${id}: the party's id in the parties register (of which "${given}" is an alias), which keys its ledger accounts`);
  return id;
}

/**
 * Whether the register can say something of this party: it names one by id or ultimate parent id,
 * or (`byName`: the register answers names) only by name. The HTTP service reads the store only then.
 */
export function namesAParty(p: Party | undefined, byName = true): boolean {
  return p !== undefined && (p.id !== undefined || p.ultimateParentId !== undefined || (byName && p.name !== undefined));
}

/** A contract Transaction with its consignee's and end user's absent facts filled (a copy; the input is not changed), and the notes. */
export function fillTransaction(tx: Transaction, parties: PartyLookup | undefined): { tx: Transaction; notes: string[] } {
  const notes: string[] = [];
  const named = (p: Party | undefined) => namesAParty(p, parties?.named !== undefined);
  if (!parties || (!named(tx.consignee) && !named(tx.endUser))) return { tx, notes };
  const out: Transaction = { ...tx };
  for (const role of ['consignee', 'endUser'] as const) {
    const p = tx[role];
    if (!named(p)) continue;
    const copy: Record<string, unknown> = { ...p };
    fillParty(role, copy, parties, notes);
    out[role] = copy as Party;
  }
  return { tx: notes.length ? out : tx, notes };
}

/** The determination with the register's notes added to its warnings (the determination itself is not changed). */
export function withRegisterNotes(d: Determination, notes: readonly string[] | undefined): Determination {
  return notes?.length ? { ...d, warnings: [...d.warnings, ...notes] } : d;
}

/**
 * How long a service trusts its copy of the register before asking whether it changed. The
 * question (row count and latest update) scans the table: about 0.5 ms for 2,000 parties, too much
 * for every evaluation; a change made through this process (`upsertParties`) is seen at once.
 */
export const REGISTER_RECHECK_MS = 1000;

const cache = new WeakMap<Store, { stamp: string; lookup: PartyLookup | undefined; checkedAt: number }>();

/** Forget the copy of this store's register (it was just changed through this process). */
export function registerChanged(store: Store): void {
  cache.delete(store);
}

/**
 * The store's register as a lookup (undefined when it is empty), for a long-running service: loaded
 * once, and again when the register changed (its row count or latest update differ; parties are
 * inserted and updated, never deleted), which is asked at most every REGISTER_RECHECK_MS: a
 * change made by another process (`aidr parties import`) is seen within that time.
 */
export async function registerLookup(store: Store, now = Date.now()): Promise<PartyLookup | undefined> {
  const hit = cache.get(store);
  if (hit && now - hit.checkedAt < REGISTER_RECHECK_MS) return hit.lookup;
  const row = await store.db.selectFrom('parties').select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.max('updated_at').as('at')]).executeTakeFirst();
  const stamp = `${String(row?.n ?? 0)}|${row?.at ?? ''}`;
  if (hit?.stamp === stamp) {
    hit.checkedAt = now;
    return hit.lookup;
  }
  const { loadParties } = await import('./store.js');
  const { registerIndex } = await import('./lookup.js');
  const lookup = Number(row?.n ?? 0) === 0 ? undefined : registerIndex(await loadParties(store));
  cache.set(store, { stamp, lookup, checkedAt: now });
  return lookup;
}
