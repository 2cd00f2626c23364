/**
 * Ledger operations: reserve, commit, release and expire reservations; draw directly (check and
 * add in one step); record facts (licenses granted, opening balances) and attrition. Every change
 * of a balance appends a movement in the same database transaction, so for every account
 * used = Σ used_delta and reserved = Σ reserved_delta over its movements (`verifyLedger`).
 *
 * Caps hold under concurrency because the check and the increment are one conditional UPDATE
 * (`… SET reserved = reserved + :amt WHERE used + reserved + :amt <= :cap`): the database row
 * lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) orders concurrent writers, and a
 * writer that would cross the cap changes nothing. No application-level lock is involved, so
 * several processes or API instances can share one store.
 *
 * Idempotency: an operation with an idempotency key is done at most once. The same key with the
 * same request returns the first result (`replayed: true`); with a different request it is an
 * `IdempotencyConflictError`. A refused request (cap exceeded) records nothing, so its key stays free.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { formatExact, type NumLike } from '../compute/exact.js';
import { countryOn } from '../data/country-groups.js';
import { ALLOCATION } from '../data/parameters.js';
import { InputError } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { uveuCheck } from '../law/part748/supp10-para6-uveu.js';
import { canonicalJson, UNSTORABLE_MESSAGE, unstorablePath, sha256 } from '../store/canonical.js';
import { isUniqueViolation, transaction, type Store } from '../store/open.js';
import type { Database, DbInt } from '../store/schema.js';
import { CAP_SQLSTATE } from '../store/migrations/002-pg-reserve-function.js';
import { accountId, accountKey, accountPeriod, capFor, checkUse, country, parseAccountId, type AccountRef, type Cap } from './accounts.js';
import { big, bigOrNull, fromMilli, toMilli, toPositiveMilli, tpp } from './amount.js';
import { CapExceededError, IdempotencyConflictError, LedgerError } from './errors.js';
import { countryLicensed } from './view.js';

/** Who does it and when (now is injectable for tests of expiry). */
export interface Actor {
  actor: string;
  now?: Date;
}

/** Default lifetime of a reservation: long enough for an order to ship, short enough not to block a cap for weeks. */
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

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

export interface ReservationResult {
  reservationId: string;
  account: string;
  state: 'reserved' | 'committed' | 'released' | 'expired';
  amountTpp: string;
  onDate: string;
  expiresAt: string;
  replayed: boolean;
  balance: AccountState;
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

const iso = (d: Date | undefined): string => (d ?? new Date()).toISOString();

function checkDate(date: string | undefined, path = 'date'): string {
  if (date === undefined) return today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new InputError(path, 'expected a date as YYYY-MM-DD');
  }
  return date;
}

/** Who acts: 1 to 200 characters the store can keep. */
export function checkActor(actor: string): string {
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > 200) throw new InputError('actor', 'name who acts (1 to 200 characters)');
  storable(actor, 'actor');
  return actor;
}

/** An idempotency key, when given: 1 to 200 characters the store can keep. */
export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new InputError('idempotencyKey', 'expected 1 to 200 characters');
  storable(key, 'idempotencyKey');
  return key;
}

/** Refuse, naming the field, a value with a string the store cannot keep (NUL, unpaired surrogates). */
export function storable(value: unknown, field: string): void {
  const at = unstorablePath(value, field);
  if (at) throw new InputError(at, UNSTORABLE_MESSAGE);
}

export function stateOf(row: { id: string; kind: string; key: string; period: string; cap: DbInt | null; used: DbInt; reserved: DbInt }): AccountState {
  const cap = bigOrNull(row.cap);
  const used = big(row.used);
  const reserved = big(row.reserved);
  return { id: row.id, kind: row.kind, key: row.key, period: row.period, capTpp: cap === null ? null : tpp(cap), usedTpp: tpp(used), reservedTpp: tpp(reserved), leftTpp: cap === null ? null : tpp(cap - used - reserved) };
}

// ---- accounts -----------------------------------------------------------------------------------

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

/** Σ movements = balance, for every account; returns the accounts where it does not hold. */
export async function verifyLedger(store: Store): Promise<{ ok: boolean; accounts: number; mismatches: { account: string; usedTpp: string; historyUsedTpp: string; reservedTpp: string; historyReservedTpp: string }[]; overCap: string[] }> {
  const accounts = await store.db.selectFrom('ledger_accounts').selectAll().execute();
  const sums = await store.db
    .selectFrom('ledger_movements')
    .select((eb) => ['account_id', eb.fn.sum<DbInt>('used_delta').as('u'), eb.fn.sum<DbInt>('reserved_delta').as('r')])
    .groupBy('account_id')
    .execute();
  const byId = new Map(sums.map((s) => [s.account_id, s]));
  const mismatches = [];
  const overCap: string[] = [];
  for (const a of accounts) {
    const s = byId.get(a.id);
    const u = big(s?.u ?? 0), r = big(s?.r ?? 0);
    if (u !== big(a.used) || r !== big(a.reserved)) {
      mismatches.push({ account: a.id, usedTpp: tpp(big(a.used)), historyUsedTpp: tpp(u), reservedTpp: tpp(big(a.reserved)), historyReservedTpp: tpp(r) });
    }
    const cap = bigOrNull(a.cap);
    if (cap !== null && big(a.used) + big(a.reserved) > cap) overCap.push(a.id);
  }
  return { ok: mismatches.length === 0, accounts: accounts.length, mismatches, overCap };
}

// ---- the one balance-changing primitive -----------------------------------------------------------

export interface Move {
  accountId: string;
  kind: string;
  usedDelta: bigint;
  reservedDelta: bigint;
  /** Refuse (return undefined) unless used + reserved + usedDelta + reservedDelta <= cap afterwards. */
  cap?: bigint | null;
  onDate: string;
  at: string;
  actor: string;
  reservationId?: string | null;
  auditId?: string | null;
  ref?: string | null;
}

/**
 * Change one balance and append its movement, inside the caller's transaction. With `cap`, the
 * change happens only if the account stays within it (one conditional UPDATE); a decrease never
 * goes below zero (the table's CHECK constraint refuses it).
 */
export async function move(trx: Kysely<Database>, m: Move): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  const total = m.usedDelta + m.reservedDelta;
  let q = trx
    .updateTable('ledger_accounts')
    .set({ used: sql`used + ${m.usedDelta}`, reserved: sql`reserved + ${m.reservedDelta}` })
    .where('id', '=', m.accountId);
  if (m.cap !== undefined && m.cap !== null) {
    q = q.where(sql<boolean>`used + reserved + ${total} <= ${m.cap}`);
    // Keep the stored cap current (date-dependent caps: NVEU quarters, Supp. 5(b) changes).
    q = q.set({ cap: m.cap });
  }
  const row = await q.returning(['used', 'reserved', 'cap']).executeTakeFirst();
  if (!row) return undefined;
  await trx.insertInto('ledger_movements').values({
    account_id: m.accountId, kind: m.kind, reservation_id: m.reservationId ?? null,
    used_delta: m.usedDelta, reserved_delta: m.reservedDelta, on_date: m.onDate, at: m.at, actor: m.actor,
    audit_id: m.auditId ?? null, ref: m.ref ?? null,
  }).execute();
  return { used: big(row.used), reserved: big(row.reserved), cap: bigOrNull(row.cap) };
}

async function capError(store: Store | Kysely<Database>, id: string, amount: bigint, cap: bigint): Promise<CapExceededError> {
  const a = await getAccount(store, id);
  const used = a ? toMilli(a.usedTpp, 'used') : 0n;
  const reserved = a ? toMilli(a.reservedTpp, 'reserved') : 0n;
  const left = cap - used - reserved;
  return new CapExceededError(id, tpp(amount), tpp(left > 0n ? left : 0n), tpp(cap));
}

// ---- reservations ---------------------------------------------------------------------------------

export interface ReserveRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  /** The business date (e.g. the planned shipment date); decides date-dependent caps. Default today. */
  date?: string;
  ttlSeconds?: number;
  idempotencyKey?: string;
  ref?: string;
}

function refOf(a: AccountRef | string): AccountRef {
  storable(a, 'account');
  return typeof a === 'string' ? parseAccountId(a) : a;
}

/** Hold `tpp` against the account's cap until it is committed, released or expires. */
export async function reserve(store: Store, req: ReserveRequest): Promise<ReservationResult> {
  const ref = refOf(req.account);
  if (ref.kind === 'uveu') throw new InputError('account', 'a UVEU installed base is recorded with draw (the Supp. 10 para. 6 shares are checked when the chips are installed), not reserved');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  checkUse(ref, onDate, req.date !== undefined);
  const ttl = req.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new InputError('ttl', 'expected a positive duration');
  const cap = capFor(ref, onDate);
  const id = await ensureAccount(store, ref, cap);
  const requestHash = sha256(canonicalJson({ op: 'reserve', account: id, amount: amount.toString(), onDate }));

  for (let attempt = 0; attempt < 2; attempt++) {
    const now = req.now ?? new Date();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + ttl * 1000).toISOString();
    const rid = randomUUID();
    let row: { used: bigint; reserved: bigint; cap: bigint | null } | undefined;
    let duplicate = false;
    try {
      row = store.dialect === 'postgres'
        ? await reservePg(store, { id, rid, amount, cap: cap.milli, key, requestHash, onDate, at, expiresAt, actor, ref: req.ref })
        : await reserveSqlite(store, { id, rid, amount, cap: cap.milli, key, requestHash, onDate, at, expiresAt, actor, ref: req.ref });
    } catch (e) {
      if (!(key && isUniqueViolation(e))) throw e;
      duplicate = true;
    }
    if (row) {
      // The balance as the statement left it (RETURNING): no second read on the hot path.
      const balance = stateOf({ id, kind: ref.kind, key: accountKey(ref), period: accountPeriod(ref), cap: cap.milli, used: row.used, reserved: row.reserved });
      return { reservationId: rid, account: id, state: 'reserved', amountTpp: tpp(amount), onDate, expiresAt, replayed: false, balance };
    }
    // Nothing written: an earlier request with this key, or the cap.
    if (key) {
      const prior = await reservationByKey(store, key);
      if (prior) {
        if (prior.request_hash !== requestHash) throw new IdempotencyConflictError(key);
        return reservationResult(store, prior, true);
      }
      if (duplicate) continue;
    }
    if (cap.milli === null) throw new Error(`aidr: account ${id} is missing`);
    // Stale reservations may be holding the room: expire them once and try again.
    if (attempt === 0 && (await expireReservations(store, { accountId: id, now, actor })) > 0) continue;
    throw await capError(store, id, amount, cap.milli);
  }
  throw await capError(store, id, amount, cap.milli ?? 0n);
}

interface ReserveArgs {
  id: string; rid: string; amount: bigint; cap: bigint | null; key: string | undefined; requestHash: string;
  onDate: string; at: string; expiresAt: string; actor: string; ref: string | undefined;
}

/**
 * PostgreSQL: one CALL of `aidr_reserve_durable` (migration 004): the reservation, its movement
 * and the conditional account update commit with synchronous_commit off, releasing the account's
 * row lock without waiting for the disk; the procedure then commits a flush barrier
 * synchronously, so the reservation is durable before it is acknowledged. One round trip; a hot
 * account is limited by statement time, not by one fsync per reservation.
 */
async function reservePg(store: Store, a: ReserveArgs): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  return hotAccountGate(a.id, () => callReserve(store, a));
}

async function callReserve(store: Store, a: ReserveArgs): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  let row: { o_used: DbInt; o_reserved: DbInt; o_cap: DbInt | null } | undefined;
  try {
    const r = await sql<{ o_used: DbInt; o_reserved: DbInt; o_cap: DbInt | null }>`
      call aidr_reserve_durable(${a.id}, ${a.rid}, ${a.amount}, ${a.cap}, ${a.key ?? null}, ${a.requestHash},
        ${a.onDate}, ${a.at}, ${a.expiresAt}, ${a.actor}, ${a.ref ?? null})`.execute(store.db);
    row = r.rows[0];
  } catch (e) {
    if ((e as { code?: string }).code === CAP_SQLSTATE) return undefined;
    throw e;
  }
  return row ? { used: big(row.o_used), reserved: big(row.o_reserved), cap: bigOrNull(row.o_cap) } : undefined;
}

/**
 * The UVEU's headquarters (a checked country code): recorded with its first installation (under
 * the group lock), then fixed. A later installation may omit it; one naming another is refused.
 */
async function uveuHeadquarters(trx: Kysely<Database>, veu: string, wanted: string | undefined, actor: string, at: string): Promise<string> {
  const row = await trx.selectFrom('uveu_profiles').select('headquarters').where('veu', '=', veu).executeTakeFirst();
  if (row) {
    if (wanted && wanted !== row.headquarters) throw new InputError('headquarters', `UVEU ${veu} is recorded as headquartered in ${row.headquarters} (with its first installation); the Supp. 10 para. 6 limits are checked against that, not ${wanted}`);
    return row.headquarters;
  }
  if (!wanted) throw new InputError('headquarters', 'a UVEU\'s first installation needs its headquarters country (Supp. 10 para. 6 limits depend on it); it is recorded for the later ones');
  await trx.insertInto('uveu_profiles').values({ veu, headquarters: wanted, recorded_at: at, actor }).execute();
  return wanted;
}

/**
 * Reservations of this process on one account wait here beyond HOT_ACCOUNT_IN_FLIGHT at a time.
 * Every waiter on a PostgreSQL row lock is woken each time the lock is released, so 32 waiting
 * on one account spend the server's CPU re-contending (bench:ledger: ~1,000 reservations/s
 * with 32 clients against ~5,000 with 4); queued here, they cost nothing until their turn.
 * The cap is still enforced by the conditional UPDATE, across processes; this only orders them.
 */
const HOT_ACCOUNT_IN_FLIGHT = 4;
const gates = new Map<string, { active: number; queue: (() => void)[] }>();

async function hotAccountGate<T>(account: string, f: () => Promise<T>): Promise<T> {
  let g = gates.get(account);
  if (!g) gates.set(account, (g = { active: 0, queue: [] }));
  if (g.active >= HOT_ACCOUNT_IN_FLIGHT) await new Promise<void>((resolve) => g.queue.push(resolve));
  else g.active++;
  try {
    return await f();
  } finally {
    const next = g.queue.shift();
    if (next) next(); // the slot passes to the next waiter: active stays the same
    else if (--g.active === 0) gates.delete(account);
  }
}

/** SQLite: one BEGIN IMMEDIATE transaction (the write lock orders processes). */
async function reserveSqlite(store: Store, a: ReserveArgs): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  return transaction(store, async (trx) => {
    if (a.key) {
      const prior = await trx.selectFrom('ledger_reservations').select('id').where('idempotency_key', '=', a.key).executeTakeFirst();
      if (prior) return undefined;
    }
    const row = await move(trx, { accountId: a.id, kind: 'reserve', usedDelta: 0n, reservedDelta: a.amount, cap: a.cap, onDate: a.onDate, at: a.at, actor: a.actor, reservationId: a.rid, ref: a.ref ?? null });
    if (!row) return undefined;
    await trx.insertInto('ledger_reservations').values({
      id: a.rid, account_id: a.id, amount: a.amount, state: 'reserved', idempotency_key: a.key ?? null, request_hash: a.requestHash,
      on_date: a.onDate, created_at: a.at, expires_at: a.expiresAt, actor: a.actor,
    }).execute();
    return row;
  });
}

async function reservationByKey(store: Store, key: string) {
  return store.db.selectFrom('ledger_reservations').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

async function accountShape(store: Store | Kysely<Database>, id: string): Promise<AccountState> {
  const a = await getAccount(store, id);
  if (!a) throw new LedgerError('not_found', `no account ${id}`);
  return a;
}

async function reservationResult(store: Store, r: { id: string; account_id: string; state: string; amount: DbInt; on_date: string; expires_at: string }, replayed: boolean): Promise<ReservationResult> {
  return {
    reservationId: r.id, account: r.account_id, state: r.state as ReservationResult['state'], amountTpp: tpp(big(r.amount)),
    onDate: r.on_date, expiresAt: r.expires_at, replayed, balance: await accountShape(store, r.account_id),
  };
}

/** Turn a reservation into use. Committing twice is harmless (the second says `replayed`). */
export async function commitReservation(store: Store, reservationId: string, who: Actor): Promise<ReservationResult> {
  return settle(store, reservationId, who, 'committed');
}

/** Give the reserved room back. Releasing twice, or after expiry, is harmless. */
export async function releaseReservation(store: Store, reservationId: string, who: Actor): Promise<ReservationResult> {
  return settle(store, reservationId, who, 'released');
}

async function settle(store: Store, reservationId: string, who: Actor, to: 'committed' | 'released'): Promise<ReservationResult> {
  const actor = checkActor(who.actor);
  const at = iso(who.now);
  const outcome = await transaction(store, async (trx) => {
    let q = trx.updateTable('ledger_reservations').set({ state: to }).where('id', '=', reservationId).where('state', '=', 'reserved');
    // An expired reservation cannot be committed even before the sweeper has marked it.
    if (to === 'committed') q = q.where('expires_at', '>', at);
    const r = await q.returning(['account_id', 'amount', 'on_date']).executeTakeFirst();
    if (!r) return { changed: false as const };
    const amount = big(r.amount);
    await move(trx, {
      accountId: r.account_id, kind: to === 'committed' ? 'commit' : 'release',
      usedDelta: to === 'committed' ? amount : 0n, reservedDelta: -amount, onDate: r.on_date, at, actor, reservationId,
    });
    return { changed: true as const };
  });
  const row = await store.db.selectFrom('ledger_reservations').selectAll().where('id', '=', reservationId).executeTakeFirst();
  if (!row) throw new LedgerError('not_found', `no reservation ${reservationId}`);
  if (outcome.changed) return reservationResult(store, row, false);
  if (row.state === to || (to === 'released' && row.state === 'expired')) return reservationResult(store, row, true);
  if (to === 'committed' && row.state === 'reserved') {
    await expireReservations(store, { accountId: row.account_id, now: who.now, actor });
    throw new LedgerError('reservation_state', `reservation ${reservationId} expired at ${row.expires_at}; reserve again`);
  }
  throw new LedgerError('reservation_state', `reservation ${reservationId} is ${row.state}; it cannot be ${to}`);
}

/** Release every reservation past its expiry (optionally of one account); returns how many. */
export async function expireReservations(store: Store, opts: { now?: Date; accountId?: string; actor?: string } = {}): Promise<number> {
  const at = iso(opts.now);
  const actor = opts.actor ?? 'aidr:expiry';
  let total = 0;
  for (;;) {
    let q = store.db.selectFrom('ledger_reservations').select(['id', 'account_id']).where('state', '=', 'reserved').where('expires_at', '<=', at);
    if (opts.accountId) q = q.where('account_id', '=', opts.accountId);
    const due = await q.orderBy('account_id').orderBy('id').limit(500).execute();
    if (due.length === 0) return total;
    total += await transaction(store, async (trx) => {
      let n = 0;
      for (const d of due) {
        const r = await trx.updateTable('ledger_reservations').set({ state: 'expired' }).where('id', '=', d.id).where('state', '=', 'reserved')
          .returning(['account_id', 'amount', 'on_date']).executeTakeFirst();
        if (!r) continue;
        await move(trx, { accountId: r.account_id, kind: 'expire', usedDelta: 0n, reservedDelta: -big(r.amount), onDate: r.on_date, at, actor, reservationId: d.id });
        n++;
      }
      return n;
    });
    if (due.length < 500) return total;
  }
}

// ---- idempotent single-step operations ------------------------------------------------------------

/**
 * Run `work` in one transaction, at most once per idempotency key. The key and the result are
 * written in the same transaction as the effect, so a crash leaves either both or neither.
 */
export async function once<T>(store: Store, key: string | undefined, scope: string, requestHash: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const lookup = async (db: Kysely<Database>): Promise<{ result: T; replayed: true } | undefined> => {
    if (!key) return undefined;
    const row = await db.selectFrom('ledger_idempotency').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash || row.scope !== scope) throw new IdempotencyConflictError(key);
    return { result: JSON.parse(row.result) as T, replayed: true };
  };
  const early = await lookup(store.db);
  if (early) return early;
  try {
    return await transaction(store, async (trx) => {
      const seen = await lookup(trx);
      if (seen) return seen;
      const result = await work(trx);
      if (key) {
        await trx.insertInto('ledger_idempotency').values({ key, scope, request_hash: requestHash, result: JSON.stringify(result), created_at: iso(undefined) }).execute();
      }
      return { result, replayed: false };
    });
  } catch (e) {
    // Two requests with one key at once (PostgreSQL): the loser finds the winner's result.
    if (key && isUniqueViolation(e)) {
      const late = await lookup(store.db);
      if (late) return late;
    }
    throw e;
  }
}

export interface DrawRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
  /** UVEU: where the UVEU is headquartered (decides which para. 6 limits apply). */
  headquarters?: string;
}

/**
 * Check and use in one step: the cap (or, for a UVEU, the Supp. 10 para. 6 shares of the whole
 * group) is re-checked inside the transaction. Used for shipments committed by `check --commit`
 * and for NVEU/UVEU installations.
 */
export async function draw(store: Store, req: DrawRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  // The rule reads Hong Kong as China: record and check the country it reads.
  const headquarters = req.headquarters === undefined ? undefined : countryOn(country(req.headquarters, 'headquarters'), onDate).code;
  checkUse(ref, onDate, req.date !== undefined);
  const key = checkKey(req.idempotencyKey);
  const cap = capFor(ref, onDate);
  const id = await ensureAccount(store, ref, cap);
  const hash = sha256(canonicalJson({ op: 'draw', account: id, amount: amount.toString(), onDate, headquarters: headquarters ?? null }));
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'draw', hash, async (trx) => {
    let uveu: MovementResult['uveu'];
    if (ref.kind === 'uveu') uveu = await uveuGate(trx, ref, amount, onDate, headquarters, actor, at);
    const row = await move(trx, { accountId: id, kind: 'draw', usedDelta: amount, reservedDelta: 0n, cap: cap.milli, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw await capError(trx, id, amount, cap.milli!);
    return { account: id, kind: 'draw', amountTpp: tpp(amount), onDate, ...(uveu ? { uveu } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

/**
 * UVEU: lock the group (every account of this UVEU, via its group row), add the installation to
 * the group's installed base, and refuse it if it would breach the 25 % or 7 % limits or put chips
 * in Macau/D:5. The 50 % rule for U.S.-headquartered UVEUs is measured on the reporting dates, so
 * it is reported, not enforced, here.
 */
async function uveuGate(trx: Kysely<Database>, ref: Extract<AccountRef, { kind: 'uveu' }>, amount: bigint, onDate: string, given: string | undefined, actor: string, at: string): Promise<ReturnType<typeof uveuCheck>> {
  const prefix = `uveu:${encodeURIComponent(ref.veu)}:`;
  // The group row: a lock every installation of this UVEU takes first, so two installations in
  // two new countries cannot each pass the check against a base that lacks the other.
  const groupId = `${prefix}*`;
  await trx.insertInto('ledger_accounts').values({ id: groupId, kind: 'uveu_group', key: ref.veu, period: '', cap: null, used: 0n, reserved: 0n, created_at: iso(undefined) })
    .onConflict((oc) => oc.column('id').doNothing()).execute();
  await trx.updateTable('ledger_accounts').set({ used: sql`used` }).where('id', '=', groupId).execute();
  const headquarters = await uveuHeadquarters(trx, ref.veu, given, actor, at);
  const rows = await trx.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).where('kind', '=', 'uveu').where('id', 'like', `${prefix.replace(/[%_\\]/g, '\\$&')}%`).execute();
  const installed: Record<string, string> = {};
  for (const r of rows) {
    const c = parseAccountId(r.id);
    if (c.kind === 'uveu') installed[c.country] = formatExact(fromMilli(big(r.used) + big(r.reserved)));
  }
  const check = uveuCheck({ headquarters, installedByCountry: installed, proposed: { country: ref.country, tpp: formatExact(fromMilli(amount)) }, date: onDate });
  const breached = (['outsideSupp5a', 'singleCountry', 'excludedLocations'] as const).filter((k) => check.limits[k].status === 'not_met');
  if (breached.length) {
    throw new LedgerError('uveu_limit', `UVEU limit exceeded: ${breached.map((k) => `${check.limits[k].detail} (${check.limits[k].citation})`).join(' ')}`);
  }
  return check;
}

export interface RecordRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
}

/**
 * Record a fact that already happened and cannot be refused: a license BIS granted (country
 * allocation), TPP received before aidr kept the ledger, an installed base (kind `import`).
 * No cap check; the result says when the account is over its cap.
 */
export async function recordFact(store: Store, req: RecordRequest & { kind?: 'record' | 'import' }): Promise<MovementResult> {
  const ref = refOf(req.account);
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  if (ref.kind === 'country_allocation') {
    const { from, to } = ALLOCATION.period;
    if (onDate < from || onDate > to) throw new InputError('date', `the country allocation covers licenses dated ${from} to ${to} (INT-9)`);
  }
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  const kind = req.kind ?? 'record';
  checkUse(ref, onDate, req.date !== undefined);
  const cap = ref.kind === 'nveu' ? safeCap(ref, onDate) : capFor(ref, onDate);
  const id = await ensureAccount(store, ref, cap);
  const hash = sha256(canonicalJson({ op: kind, account: id, amount: amount.toString(), onDate, ref: req.ref ?? null }));
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, kind, hash, async (trx) => {
    const row = await move(trx, { accountId: id, kind, usedDelta: amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw new LedgerError('not_found', `no account ${id}`);
    const over = cap.milli !== null && row.used + row.reserved > cap.milli;
    return { account: id, kind, amountTpp: tpp(amount), onDate, ...(over ? { overCap: true } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

function safeCap(ref: AccountRef, date: string): Cap {
  try {
    return capFor(ref, date);
  } catch {
    return { milli: null, citation: '' };
  }
}

/** Attrition (loss, damage, failure, relocation, resale): chips that no longer count toward an NVEU or UVEU installed base. */
export async function retire(store: Store, req: RecordRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  if (ref.kind !== 'nveu' && ref.kind !== 'uveu') throw new InputError('account', 'only NVEU and UVEU installed bases have attrition (748.15(a)(2)(iii)(B); Supp. 10 para. 10)');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  const id = accountId(ref);
  const hash = sha256(canonicalJson({ op: 'retire', account: id, amount: amount.toString(), onDate, ref: req.ref ?? null }));
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'retire', hash, async (trx) => {
    const a = await trx.selectFrom('ledger_accounts').select('used').where('id', '=', id).executeTakeFirst();
    if (!a) throw new LedgerError('not_found', `no account ${id}`);
    if (big(a.used) < amount) throw new InputError('tpp', `more than the installed base of ${tpp(big(a.used))} TPP`);
    await move(trx, { accountId: id, kind: 'retire', usedDelta: -amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    return { account: id, kind: 'retire', amountTpp: tpp(amount), onDate };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

// ---- BIS-published aggregates ---------------------------------------------------------------------

export interface PublishedRequest extends Actor {
  country: string;
  tpp: NumLike;
  /** The date BIS's figure is as of. */
  asOf: string;
  source: string;
}

/** Record BIS's published aggregate TPP licensed to a country (what all exporters used), with its date and source. */
export async function recordPublished(store: Store, req: PublishedRequest): Promise<{ country: string; tpp: string; asOf: string; source: string }> {
  const ref = parseAccountId(`country_allocation:${String(req.country).toUpperCase()}`, 'country');
  if (ref.kind !== 'country_allocation') throw new Error('unreachable');
  const amount = toMilli(req.tpp, 'tpp');
  const asOf = checkDate(req.asOf, 'asOf');
  if (typeof req.source !== 'string' || req.source.trim() === '' || req.source.length > 500) throw new InputError('source', 'say where the figure was published (e.g. the bis.gov page)');
  storable(req.source, 'source');
  await store.db.insertInto('allocation_published').values({ country: ref.country, tpp: amount, as_of: asOf, source: req.source, recorded_at: iso(req.now), actor: checkActor(req.actor) }).execute();
  return { country: ref.country, tpp: tpp(amount), asOf, source: req.source };
}

export async function latestPublished(store: Store | Kysely<Database>, country: string, asOf: string): Promise<{ tpp: bigint; asOf: string; source: string } | undefined> {
  const db = 'db' in store ? store.db : store;
  const row = await db.selectFrom('allocation_published').selectAll().where('country', '=', country).where('as_of', '<=', asOf)
    .orderBy('as_of', 'desc').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { tpp: big(row.tpp), asOf: row.as_of, source: row.source } : undefined;
}


// ---- bulk import ---------------------------------------------------------------------------------

export interface ImportEntry {
  account: string;
  tpp: NumLike;
  date?: string;
  ref?: string;
  idempotencyKey?: string;
}

/**
 * Import opening balances and past facts (TPP received under LPP before aidr, an NVEU's installed
 * base, licenses already granted) in ONE transaction: all entries or none. Each entry is done at
 * most once: its idempotency key is the one given, else a hash of the entry, so importing the same
 * file twice changes nothing (give distinct `ref`s to two entries that are really two events).
 */
export async function importEntries(store: Store, entries: ImportEntry[], who: Actor): Promise<{ imported: number; skipped: number; accounts: string[] }> {
  const actor = checkActor(who.actor);
  const at = iso(who.now);
  const prepared = entries.map((e, i) => {
    const p = `[${i}]`;
    const ref = parseAccountId(e.account, `${p}.account`);
    const amount = toPositiveMilli(e.tpp, `${p}.tpp`);
    const onDate = checkDate(e.date, `${p}.date`);
    if (ref.kind === 'country_allocation' && (onDate < ALLOCATION.period.from || onDate > ALLOCATION.period.to)) {
      throw new InputError(`${p}.date`, `the country allocation covers licenses dated ${ALLOCATION.period.from} to ${ALLOCATION.period.to} (INT-9)`);
    }
    try {
      checkUse(ref, onDate, e.date !== undefined);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${p}.${err.path}`, err.message.slice(err.path.length + 2));
      throw err;
    }
    const id = accountId(ref);
    const hash = sha256(canonicalJson({ op: 'import', account: id, amount: amount.toString(), onDate, ref: e.ref ?? null }));
    const key = checkKey(e.idempotencyKey) ?? `import:${hash}`;
    return { ref, id, amount, onDate, hash, key, note: e.ref ?? null, cap: ref.kind === 'nveu' ? safeCap(ref, onDate) : capFor(ref, onDate) };
  });
  for (const p of prepared) await ensureAccount(store, p.ref, p.cap);
  return transaction(store, async (trx) => {
    let imported = 0, skipped = 0;
    for (const p of prepared) {
      const prior = await trx.selectFrom('ledger_idempotency').select(['request_hash', 'scope']).where('key', '=', p.key).executeTakeFirst();
      if (prior) {
        if (prior.request_hash !== p.hash || prior.scope !== 'import') throw new IdempotencyConflictError(p.key);
        skipped++;
        continue;
      }
      await move(trx, { accountId: p.id, kind: 'import', usedDelta: p.amount, reservedDelta: 0n, onDate: p.onDate, at, actor, ref: p.note });
      await trx.insertInto('ledger_idempotency').values({ key: p.key, scope: 'import', request_hash: p.hash, result: JSON.stringify({ account: p.id, amountTpp: tpp(p.amount) }), created_at: at }).execute();
      imported++;
    }
    return { imported, skipped, accounts: [...new Set(prepared.map((p) => p.id))] };
  });
}
