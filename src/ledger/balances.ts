/**
 * Account balances as callers see them: creating an account on first use, reading one or all,
 * an account's movements (`verifyLedger`, in verify.ts, checks them).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/open.js';
import type { Database, DbInt } from '../store/schema.js';
import { today } from '../engine/determine.js';
import { accountId, accountKey, accountPeriod, parseAccountId, type AccountRef, type Cap } from './accounts.js';
import { capOn } from './allocation.js';
import { nveuCap, noNveuCapReason } from '../law/part748/table1-nveu.js';
import { big, bigOrNull, toMilli, tpp } from './amount.js';
import { LedgerError } from './errors.js';
import { iso } from './request.js';
import { countryLicensed } from './view.js';
import type { uveuCheck } from '../law/part748/supp10-para6-uveu.js';

export interface AccountState {
  id: string;
  kind: string;
  key: string;
  period: string;
  capTpp: string | null;
  usedTpp: string;
  reservedTpp: string;
  /** cap − used − reserved (null: uncapped); negative when recorded facts exceed the cap. */
  leftTpp: string | null;
  /**
   * Country allocations with BIS's published aggregate recorded: the TPP licensed to the country as
   * determinations count it (the figure plus records after its date, or this store's records if
   * larger), and what that leaves. `usedTpp` stays this store's own records.
   */
  countryLicensedTpp?: string;
  countryLeftTpp?: string;
  /** NVEU and country allocation accounts: the date whose figure `capTpp` is (today unless asked). */
  capAsOf?: string;
  /** Which figure that is: "2025Q3 limit of Table 1 …", a granted increase, or why there is none. */
  capNote?: string;
}

export interface MovementResult {
  account: string;
  kind: string;
  amountTpp: string;
  onDate: string;
  replayed: boolean;
  balance: AccountState;
  /** A recorded fact put the account over its cap (licenses granted, opening balances). */
  overCap?: boolean;
  /** False when a recorded license draws no allocation (a Supp. 5(a)-headquartered end user, INT-14). */
  counted?: boolean;
  /** For UVEU installations: the Supp. 10 para. 6 check after the installation. */
  uveu?: ReturnType<typeof uveuCheck>;
  /** What a person should know although nothing was refused (e.g. over the 50 % limit on the next reporting date). */
  warnings?: string[];
}

export function stateOf(row: { id: string; kind: string; key: string; period: string; cap: DbInt | null; used: DbInt; reserved: DbInt }): AccountState {
  const cap = bigOrNull(row.cap);
  const used = big(row.used);
  const reserved = big(row.reserved);
  return { id: row.id, kind: row.kind, key: row.key, period: row.period, capTpp: cap === null ? null : tpp(cap), usedTpp: tpp(used), reservedTpp: tpp(reserved), leftTpp: cap === null ? null : tpp(cap - used - reserved) };
}

const known = new WeakMap<Store, Set<string>>();

/** Create the account if it does not exist (autocommit: accounts are never deleted, so this is safe to cache). */
export async function ensureAccount(store: Store, ref: AccountRef, cap: Cap): Promise<string> {
  const id = accountId(ref);
  let set = known.get(store);
  if (!set) known.set(store, (set = new Set()));
  if (set.has(id)) return id;
  await insertAccount(store.db, ref, cap);
  set.add(id);
  return id;
}

/**
 * Create the account if it does not exist, inside `db` (a transaction: a refusal that rolls it back
 * leaves no account behind, as for a UVEU installation refused in China). Not cached.
 */
export async function insertAccount(db: Kysely<Database>, ref: AccountRef, cap: Cap): Promise<string> {
  const id = accountId(ref);
  await db
    .insertInto('ledger_accounts')
    .values({ id, kind: ref.kind, key: accountKey(ref), period: accountPeriod(ref), cap: cap.milli, used: 0n, reserved: 0n, created_at: iso(undefined) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return id;
}

/** One account as of a date (default today): an NVEU's cap is that quarter's Table 1 figure. */
export async function getAccount(store: Store | Kysely<Database>, id: string, asOf: string = today()): Promise<AccountState | undefined> {
  const db = 'db' in store ? store.db : store;
  const row = await db.selectFrom('ledger_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? withCountryView(db, await capAsOf(db, stateOf(row), asOf), asOf) : undefined;
}

/**
 * The cap of a date-dependent account as of `asOf`: an NVEU's is the Table 1 figure of that
 * quarter (none before 2025-01-13 or after 2027), a country allocation's includes the increases
 * BIS granted by then (INT-37). The stored cap is only the one last applied by an operation.
 */
async function capAsOf(db: Kysely<Database>, a: AccountState, asOf: string): Promise<AccountState> {
  let cap: bigint | null;
  let note: string | undefined;
  if (a.kind === 'nveu') {
    const c = nveuCap(asOf);
    cap = c ? toMilli(c.capTpp, 'cap') : null;
    note = c ? `${c.quarter} limit of ${c.citation}` : noNveuCapReason(asOf);
  } else if (a.kind === 'country_allocation') {
    const c = await capOn(db, parseAccountId(a.id), asOf);
    cap = c.milli;
    note = c.note ?? `${c.citation}, for licenses of ${a.period.replace('..', ' to ')}`;
  } else {
    return a;
  }
  const used = toMilli(a.usedTpp, 'used') + toMilli(a.reservedTpp, 'reserved');
  return { ...a, capTpp: cap === null ? null : tpp(cap), leftTpp: cap === null ? null : tpp(cap - used), capAsOf: asOf, ...(note ? { capNote: note } : {}) };
}

/** A country allocation as determinations see it, when BIS's published figure changes the picture. */
async function withCountryView(db: Kysely<Database>, a: AccountState, asOf: string): Promise<AccountState> {
  if (a.kind !== 'country_allocation' || a.capTpp === null) return a;
  const licensed = await countryLicensed(db, a.key, asOf);
  if (licensed === undefined || licensed === toMilli(a.usedTpp, 'used') + toMilli(a.reservedTpp, 'reserved')) return a;
  return { ...a, countryLicensedTpp: tpp(licensed), countryLeftTpp: tpp(toMilli(a.capTpp, 'cap') - licensed) };
}

export async function listAccounts(store: Store, filter: { kind?: string; key?: string; asOf?: string } = {}): Promise<AccountState[]> {
  let q = store.db.selectFrom('ledger_accounts').selectAll().orderBy('id');
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.key) q = q.where('key', '=', filter.key);
  const asOf = filter.asOf ?? today();
  return Promise.all((await q.execute()).map(async (r) => withCountryView(store.db, await capAsOf(store.db, stateOf(r), asOf), asOf)));
}

export interface MovementRow {
  seq: string;
  account: string;
  kind: string;
  reservationId: string | null;
  usedDeltaTpp: string;
  reservedDeltaTpp: string;
  onDate: string;
  at: string;
  actor: string;
  auditId: string | null;
  ref: string | null;
}

/** An account's movements in order, `limit` at a time; `after` (a movement's seq) continues past it. */
export async function history(store: Store, id: string, limit = 1000, after?: bigint): Promise<MovementRow[]> {
  let q = store.db.selectFrom('ledger_movements').selectAll().where('account_id', '=', id);
  if (after !== undefined) q = q.where('seq', '>', after);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({
    seq: big(r.seq).toString(), account: r.account_id, kind: r.kind, reservationId: r.reservation_id,
    usedDeltaTpp: tpp(big(r.used_delta)), reservedDeltaTpp: tpp(big(r.reserved_delta)), onDate: r.on_date, at: r.at, actor: r.actor, auditId: r.audit_id, ref: r.ref,
  }));
}

/** An account after an operation, with the caps of the operation's date. */
export async function accountShape(store: Store | Kysely<Database>, id: string, asOf?: string): Promise<AccountState> {
  const a = await getAccount(store, id, asOf);
  if (!a) throw new LedgerError('not_found', `no account ${id}`);
  return a;
}
