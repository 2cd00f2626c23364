/**
 * The ledger view the engine reads (`LedgerView`, src/engine/context.ts), built from the store for
 * one transaction:
 *
 * - `lppUsedTppByReading`: LPP TPP of the ultimate consignee in the calendar year of the
 *   determination, under both INT-7 readings: `ultimate_parent` keyed by
 *   `consignee.ultimateParentId ?? consignee.id ?? consignee.name`, `owner` keyed by
 *   `consignee.id ?? consignee.name`. `lppUsedTpp` is the one for the chosen reading. Under INT-39
 *   operator (740.29(a), second sentence) a Supp. 5(a)-headquartered consignee's shipment is keyed
 *   on the operating end user (`endUser.*`) instead.
 * - `aiaCumulativeTpp`: AIA TPP the consignee (`consignee.id ?? consignee.name`) received so far;
 *   under INT-31 per_calendar_year, in the determination's calendar year only.
 * - `countryLicensedTpp`: TPP licensed to the allocation country (see `countryLicensed`); under
 *   INT-9 per_calendar_year, in the determination's calendar year only.
 *
 * Pending reservations count as used (used + reserved): the view must not promise room that a
 * reservation already holds, and it matches the cap check made when committing.
 */
import type { Transaction } from '../contract/transaction.js';
import { InputError, type LedgerView } from '../engine/context.js';
import { countryOn } from '../data/country-groups.js';
import type { Kysely } from 'kysely';
import type { Store } from '../store/open.js';
import { Prepared } from '../store/prepared.js';
import type { Database, DbInt } from '../store/schema.js';
import { accountId, type AccountRef, type LppReading } from './accounts.js';
import { big, tpp } from './amount.js';
import { latestPublished } from './published.js';

export interface LedgerKeys {
  year: string;
  /** LPP accounts for both INT-7 readings (absent when the consignee has no id or name). */
  lpp?: Record<LppReading, AccountRef & { kind: 'lpp' }>;
  /** The AIA account (absent when the consignee has no id or name). */
  aia?: AccountRef & { kind: 'aia' };
  /** The party whose LPP cap is keyed: the consignee, or the operating end user (INT-39 operator). */
  lppParty: 'consignee' | 'endUser';
  /** The party has no ultimateParentId: it is taken as its own ultimate parent. */
  parentAssumed: boolean;
  /** 740.29(a) second sentence applies: a Supp. 5(a)-headquartered consignee and a different operating end user (INT-39). */
  operatorOption: boolean;
}

// An empty string identifies nobody.
const given = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s : undefined);

/**
 * 740.29(a), second sentence: an ultimate consignee headquartered in Supp. 5(a) may apply the
 * cumulative TPP toward the limit of a different entity that will operate the items (the end
 * user, when its id differs).
 */
function operatorOption(tx: Transaction, asOf: string): boolean {
  const c = tx.consignee;
  const e = tx.endUser;
  const cId = given(c?.id) ?? given(c?.name);
  const eId = given(e?.id) ?? given(e?.name);
  return c?.headquarters !== undefined && countryOn(c.headquarters, asOf).supp5a && eId !== undefined && eId !== cId;
}

export function ledgerKeys(tx: Transaction, asOf: string, readings: Readonly<Record<string, string>> = {}): LedgerKeys {
  const c = tx.consignee;
  const year = asOf.slice(0, 4);
  const option = operatorOption(tx, asOf);
  // INT-39 operator: the shipment counts toward the operating end user's cap instead of the consignee's.
  const lppParty = option && readings['INT-39'] === 'operator' ? 'endUser' : 'consignee';
  const p = lppParty === 'endUser' ? tx.endUser : c;
  const owner = given(p?.id) ?? given(p?.name);
  const parent = given(p?.ultimateParentId) ?? owner;
  const aiaOwner = given(c?.id) ?? given(c?.name);
  const keys: LedgerKeys = { year, lppParty, parentAssumed: owner !== undefined && given(p?.ultimateParentId) === undefined, operatorOption: option };
  if (owner !== undefined && parent !== undefined) {
    keys.lpp = {
      ultimate_parent: { kind: 'lpp', year, reading: 'ultimate_parent', entity: parent },
      owner: { kind: 'lpp', year, reading: 'owner', entity: owner },
    };
  }
  if (aiaOwner !== undefined) keys.aia = { kind: 'aia', entity: aiaOwner };
  return keys;
}

/**
 * LPP's cap counts per ultimate consignee, "the ultimate parent entity" (740.29(h)(1), INT-7). When
 * the party's ultimate parent is plainly another entity (headquartered elsewhere) but not named,
 * keying the cap on the subsidiary would count the group's shipments apart: refuse, asking for it.
 */
export function lppParentMissing(tx: Transaction, keys: LedgerKeys, reading: LppReading): InputError | undefined {
  if (reading !== 'ultimate_parent') return undefined;
  const path = keys.lppParty === 'endUser' ? 'endUser' : 'consignee';
  const p = keys.lppParty === 'endUser' ? tx.endUser : tx.consignee;
  if (!p || given(p.ultimateParentId) !== undefined) return undefined;
  if (p.headquarters === undefined || p.ultimateParentHeadquarters === undefined || p.headquarters === p.ultimateParentHeadquarters) return undefined;
  return new InputError(`${path}.ultimateParentId`, `the ${path === 'endUser' ? 'end user' : 'consignee'} is headquartered in ${p.headquarters} and its ultimate parent in ${p.ultimateParentHeadquarters}: the parent is another entity, and LPP's annual cap counts per ultimate parent (15 CFR 740.29(d), (h)(1); INT-7). Give ${path}.ultimateParentId rather than keying the cap on the subsidiary`);
}

type Db = Store | Kysely<Database>;
const dbOf = (s: Db): Kysely<Database> => ('db' in s ? s.db : s);

/** The reading that counts a view figure per calendar year (INT-31 for the AIA total, INT-9 for the country allocation). */
const PER_YEAR = 'per_calendar_year';
/** INT-31 per_calendar_year: the AIA total counts what the consignee received in the calendar year (accounts keep every year). */
export const aiaPerYear = (readings: Readonly<Record<string, string>> | undefined): boolean => readings?.['INT-31'] === PER_YEAR;
/** INT-9 per_calendar_year: the country allocation counts what was licensed in the calendar year. */
export const allocationPerYear = (readings: Readonly<Record<string, string>> | undefined): boolean => readings?.['INT-9'] === PER_YEAR;

/**
 * One calendar year of an account, as an id a `LedgerSource` reads: `ID@YYYY` (an account id
 * never holds a bare '@': its entity is percent-encoded).
 */
export const yearSlice = (id: string, year: string): string => `${id}@${year}`;
const SLICE = /^(.*)@(\d{4})$/;

/**
 * What an account used on dates of one calendar year, plus the reservations dated that year that
 * are still live at `now` (an expired one holds nothing, as in `balances`), in milli-TPP.
 */
export async function yearUsed(store: Db, id: string, year: string, now: Date = new Date()): Promise<bigint> {
  const db = dbOf(store);
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const used = await db.selectFrom('ledger_movements').select((eb) => eb.fn.sum<DbInt>('used_delta').as('u'))
    .where('account_id', '=', id).where('on_date', '>=', from).where('on_date', '<=', to).executeTakeFirst();
  const held = (await liveReserved(db, [id], now, year)).get(id) ?? 0n;
  return big(used?.u ?? 0) + held;
}

/** `balances`, where an id may be a year slice (`yearSlice`): that year's movements. */
export async function balancesWithSlices(store: Db, ids: string[]): Promise<Map<string, bigint>> {
  const plain = ids.filter((id) => !SLICE.test(id));
  const out = await balances(store, plain);
  for (const id of ids) {
    const m = SLICE.exec(id);
    if (m) out.set(id, await yearUsed(store, m[1]!, m[2]!));
  }
  return out;
}

// Every commit's ledger view reads these (outside its transaction): compiled once (src/store/prepared.ts).
// The `in` list has one statement per length (a view asks for one to a few accounts; a longer list
// is built each time rather than kept).
const PREPARED_LISTS = 8;
const BALANCES = new Map<number, Prepared<string[]>>();
function balancesOf(n: number): Prepared<string[]> {
  let p = BALANCES.get(n);
  if (!p) BALANCES.set(n, (p = new Prepared(n, (db, ...ids: string[]) => db.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).where('id', 'in', ids))));
  return p;
}
const ACCOUNT_BALANCE = new Prepared(1, (db, id: string) => db.selectFrom('ledger_accounts').select(['used', 'reserved']).where('id', '=', id));

/** Used and reserved milli-TPP per account id, with the accounts holding reservations past their expiry. */
export interface Balances extends Map<string, bigint> {
  /** Accounts whose `reserved` still counts a reservation that has expired (nothing expired it yet). */
  stale?: string[];
}

/**
 * used + reserved per account id, in milli-TPP (0 for an account that does not exist yet). An
 * expired reservation holds nothing (docs/ledger.md) even before `expireReservations` has run, so
 * only reservations still live at `now` count; a read never writes (a commit expires them itself).
 */
export async function balances(store: Db, ids: string[], now: Date = new Date()): Promise<Balances> {
  const out: Balances = new Map(ids.map((id) => [id, 0n]));
  if (ids.length === 0) return out;
  const db = dbOf(store);
  const rows = ids.length <= PREPARED_LISTS
    ? (await balancesOf(ids.length).execute<{ id: string; used: DbInt; reserved: DbInt }>(db, ...ids)).rows
    : await db.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).where('id', 'in', ids).execute();
  const held: string[] = [];
  for (const r of rows) {
    out.set(r.id, big(r.used) + big(r.reserved));
    if (big(r.reserved) > 0n) held.push(r.id);
  }
  if (held.length === 0) return out;
  const live = await liveReserved(db, held, now);
  for (const r of rows) {
    if (big(r.reserved) === 0n) continue;
    const l = live.get(r.id) ?? 0n;
    out.set(r.id, big(r.used) + l);
    if (l < big(r.reserved)) (out.stale ??= []).push(r.id);
  }
  return out;
}

/** Milli-TPP held by reservations not yet expired at `now`, per account (only those dated in `year`, if given). */
async function liveReserved(db: Kysely<Database>, ids: string[], now: Date, year?: string): Promise<Map<string, bigint>> {
  let q = db.selectFrom('ledger_reservations')
    .select((eb) => ['account_id', eb.fn.sum<DbInt>('amount').as('held')])
    .where('account_id', 'in', ids).where('state', '=', 'reserved').where('expires_at', '>', now.toISOString());
  if (year !== undefined) q = q.where('on_date', '>=', `${year}-01-01`).where('on_date', '<=', `${year}-12-31`);
  const rows = await q.groupBy('account_id').execute();
  return new Map(rows.map((r) => [r.account_id, big(r.held)]));
}

/**
 * TPP licensed to a country within its allocation (INT-9), as far as this store knows: the
 * licenses (and pending applications) recorded here, or, when BIS's published aggregate is
 * recorded, that figure plus what was recorded here after its date — whichever is larger (BIS's
 * figure includes other exporters; records after its date are not in it yet). Undefined when
 * nothing is recorded: the engine then says the usage is unknown rather than assume zero.
 *
 * `perYear` (INT-9 per_calendar_year): only what was recorded with a date in `asOf`'s calendar
 * year. BIS's published figure is cumulative and cannot be split by year: one published in an
 * earlier year says nothing of this one and is left out (nothing else recorded: unknown); one
 * published this year is taken whole, earlier years included (it can only overstate the year).
 */
export async function countryLicensed(store: Db, country: string, asOf: string, perYear = false): Promise<bigint | undefined> {
  const db = dbOf(store);
  const id = accountId({ kind: 'country_allocation', country });
  const year = asOf.slice(0, 4);
  const account = (await ACCOUNT_BALANCE.execute<{ used: DbInt; reserved: DbInt }>(db, id)).rows[0];
  let published = await latestPublished(db, country, asOf);
  if (perYear && published && published.asOf.slice(0, 4) !== year) published = undefined;
  if (!account && !published) return undefined;
  const held = account && !perYear && big(account.reserved) > 0n ? (await liveReserved(db, [id], new Date())).get(id) ?? 0n : 0n;
  const own = !account ? 0n : perYear ? await yearUsed(db, id, year) : big(account.used) + held;
  if (!published) return own;
  let after = db.selectFrom('ledger_movements')
    .select((eb) => [eb.fn.sum<DbInt>('used_delta').as('u'), eb.fn.sum<DbInt>('reserved_delta').as('r')])
    .where('account_id', '=', id).where('on_date', '>', published.asOf);
  if (perYear) after = after.where('on_date', '<=', `${year}-12-31`);
  const moved = await after.executeTakeFirst();
  const combined = published.tpp + big(moved?.u ?? 0) + big(moved?.r ?? 0);
  return combined > own ? combined : own;
}

export interface BuiltView {
  view: LedgerView;
  keys: LedgerKeys;
  /** Accounts holding an expired reservation nothing has expired yet (a commit expires them first). */
  stale: string[];
  /**
   * The milli-TPP figures behind the view, to detect a stale view when committing. `aiaOtherYears`
   * (INT-31 per_calendar_year): what the AIA account holds from other years, which the view leaves out.
   */
  milli: { lpp?: Record<LppReading, bigint>; aia?: bigint; aiaOtherYears?: bigint; country?: { code: string; licensed: bigint | undefined } };
}

export async function buildLedgerView(store: Db, tx: Transaction, asOf: string, reading: LppReading, allocationCountry?: string, readings: Readonly<Record<string, string>> = {}): Promise<BuiltView> {
  const keys = ledgerKeys(tx, asOf, readings);
  const ids: string[] = [];
  if (keys.lpp) ids.push(accountId(keys.lpp.ultimate_parent), accountId(keys.lpp.owner));
  if (keys.aia) ids.push(accountId(keys.aia));
  const b = await balances(store, ids);
  const view: LedgerView = {};
  const milli: BuiltView['milli'] = {};
  if (keys.lpp) {
    const up = b.get(accountId(keys.lpp.ultimate_parent))!;
    const ow = b.get(accountId(keys.lpp.owner))!;
    milli.lpp = { ultimate_parent: up, owner: ow };
    view.lppUsedTppByReading = { ultimate_parent: tpp(up), owner: tpp(ow) };
    view.lppUsedTpp = tpp(reading === 'owner' ? ow : up);
  }
  if (keys.aia) {
    const total = b.get(accountId(keys.aia))!;
    milli.aia = total;
    if (aiaPerYear(readings)) {
      milli.aia = await yearUsed(store, accountId(keys.aia), keys.year);
      milli.aiaOtherYears = total - milli.aia;
    }
    view.aiaCumulativeTpp = tpp(milli.aia);
  }
  const country = allocationCountry ?? tx.to;
  if (country) {
    const licensed = await countryLicensed(store, country, asOf, allocationPerYear(readings));
    milli.country = { code: country, licensed };
    if (licensed !== undefined) view.countryLicensedTpp = tpp(licensed);
  }
  return { view, keys, milli, stale: b.stale ?? [] };
}
