/**
 * Account balances as callers see them: creating an account on first use, reading one or all,
 * an account's movements (`verifyLedger`, in verify.ts, checks them).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/open.js';
import type { Database, DbInt } from '../store/schema.js';
import { today } from '../engine/determine.js';
import { accountId, accountKey, accountPeriod, type AccountRef, type Cap } from './accounts.js';
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
  /** For UVEU installations: the Supp. 10 para. 6 check after the installation. */
  uveu?: ReturnType<typeof uveuCheck>;
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
  await store.db
    .insertInto('ledger_accounts')
    .values({ id, kind: ref.kind, key: accountKey(ref), period: accountPeriod(ref), cap: cap.milli, used: 0n, reserved: 0n, created_at: iso(undefined) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  set.add(id);
  return id;
}

export async function getAccount(store: Store | Kysely<Database>, id: string): Promise<AccountState | undefined> {
  const db = 'db' in store ? store.db : store;
  const row = await db.selectFrom('ledger_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? withCountryView(db, stateOf(row)) : undefined;
}

/** A country allocation as determinations see it, when BIS's published figure changes the picture. */
async function withCountryView(db: Kysely<Database>, a: AccountState): Promise<AccountState> {
  if (a.kind !== 'country_allocation' || a.capTpp === null) return a;
  const licensed = await countryLicensed(db, a.key, today());
  if (licensed === undefined || licensed === toMilli(a.usedTpp, 'used') + toMilli(a.reservedTpp, 'reserved')) return a;
  return { ...a, countryLicensedTpp: tpp(licensed), countryLeftTpp: tpp(toMilli(a.capTpp, 'cap') - licensed) };
}

export async function listAccounts(store: Store, filter: { kind?: string; key?: string } = {}): Promise<AccountState[]> {
  let q = store.db.selectFrom('ledger_accounts').selectAll().orderBy('id');
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.key) q = q.where('key', '=', filter.key);
  return Promise.all((await q.execute()).map((r) => withCountryView(store.db, stateOf(r))));
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

export async function accountShape(store: Store | Kysely<Database>, id: string): Promise<AccountState> {
  const a = await getAccount(store, id);
  if (!a) throw new LedgerError('not_found', `no account ${id}`);
  return a;
}
