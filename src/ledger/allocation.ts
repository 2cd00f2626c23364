/**
 * A country allocation's cap (742.6(b)(10)(iii)(B)(1), (C)) as the ledger applies it, and the
 * increases BIS grants.
 *
 * Each destination outside Supp. 5(a), Macau and D:5 has 790,000,000 TPP for 2025-2027. For a
 * destination listed in Supp. 5 para. (b), (C) says the allocation "may be increased up to 100 %"
 * pursuant to government-to-government assurances. INT-37: by default nothing is increased until
 * BIS grants it: `recordIncrease` keeps each increase granted (with its date and source), and
 * the cap on a date is 790,000,000 plus the increases granted by then, never more than double.
 * The alternative reading doubles a Supp. 5(b) destination's allocation from its listing.
 */
import { sql, type Kysely } from 'kysely';
import type { NumLike } from '../compute/exact.js';
import { countryOn } from '../data/country-groups.js';
import { ALLOCATION } from '../data/parameters.js';
import { InputError } from '../engine/context.js';
import { transaction, type Store } from '../store/open.js';
import type { Database, DbInt } from '../store/schema.js';
import { capFor, checkAllocationCountry, country, type AccountRef, type Cap, type Readings } from './accounts.js';
import { big, toMilli, toPositiveMilli, tpp } from './amount.js';
import { checkActor, checkDate, iso, storable, type Actor } from './request.js';

const db = (s: Store | Kysely<Database>): Kysely<Database> => ('db' in s ? s.db : s);
const MAX_INCREASE = toMilli(ALLOCATION.tpp.times(ALLOCATION.supp5bIncrease), 'cap');

/** Increases granted for a country up to a date, in milli-TPP. */
export async function grantedIncrease(store: Store | Kysely<Database>, code: string, date: string): Promise<bigint> {
  const row = await db(store).selectFrom('allocation_increases').select((eb) => eb.fn.sum<DbInt>('tpp').as('t'))
    .where('country', '=', code).where('as_of', '<=', date).executeTakeFirst();
  return big(row?.t ?? 0);
}

/** The cap of an operation on `ref` dated `date`: capFor, with a country allocation's granted increases (INT-37). */
export async function capOn(store: Store | Kysely<Database>, ref: AccountRef, date: string, readings: Readings = {}): Promise<Cap> {
  const cap = capFor(ref, date, readings);
  if (ref.kind !== 'country_allocation' || readings['INT-37'] === 'doubled') return cap;
  const more = await grantedIncrease(store, ref.country, date);
  if (more === 0n) return cap;
  const increase = more > MAX_INCREASE ? MAX_INCREASE : more;
  return { milli: cap.milli! + increase, citation: '15 CFR 742.6(b)(10)(iii)(B)(1), (C)', note: `includes ${tpp(increase)} TPP granted by BIS (INT-37)` };
}

export interface IncreaseRequest extends Actor {
  country: string;
  tpp: NumLike;
  /** The date BIS granted it. */
  asOf: string;
  source: string;
}

export interface IncreaseResult { country: string; tpp: string; asOf: string; source: string; allocationTpp: string; warnings: string[] }

/** Record an allocation increase BIS granted (742.6(b)(10)(iii)(C)); all increases together are at most 100 %. */
export async function recordIncrease(store: Store, req: IncreaseRequest): Promise<IncreaseResult> {
  const code = country(req.country, 'country');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const asOf = checkDate(req.asOf, 'asOf');
  checkAllocationCountry(code, asOf, 'country');
  if (typeof req.source !== 'string' || req.source.trim() === '' || req.source.length > 500) throw new InputError('source', 'say where BIS granted it (e.g. the bis.gov page or the letter)');
  storable(req.source, 'source');
  const actor = checkActor(req.actor);
  const warnings: string[] = [];
  if (!countryOn(code, asOf).supp5b) warnings.push(`${code} is not listed in Supp. 5 para. (b) on ${asOf} in aidr's data; 742.6(b)(10)(iii)(C) raises the allocations of destinations listed there (BIS lists a destination once it gives assurances).`);
  const total = await transaction(store, async (trx) => {
    // Two recordings at once must not pass the 100 % together (SQLite: the write lock already orders them).
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`aidr:allocation_increase:${code}`}))`.execute(trx);
    const before = await grantedIncrease(trx, code, '9999-12-31');
    if (before + amount > MAX_INCREASE) throw new InputError('tpp', `increases of ${code}'s allocation are at most 100 % (${tpp(MAX_INCREASE)} TPP, 742.6(b)(10)(iii)(C)); ${tpp(before)} TPP are already recorded`);
    await trx.insertInto('allocation_increases').values({ country: code, tpp: amount, as_of: asOf, source: req.source, recorded_at: iso(req.now), actor }).execute();
    return before + amount;
  });
  return { country: code, tpp: tpp(amount), asOf, source: req.source, allocationTpp: tpp(toMilli(ALLOCATION.tpp, 'cap') + total), warnings };
}
