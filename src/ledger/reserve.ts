/**
 * Reservations: hold TPP against an account's cap (`reserve`), then commit, release or let it
 * expire. Caps hold under concurrency because the check and the increment are one conditional
 * UPDATE (see move.ts); the back-end specific paths are in reserve-postgres.ts and reserve-sqlite.ts.
 */
import { randomUUID } from 'node:crypto';
import type { NumLike } from '../compute/exact.js';
import { InputError } from '../engine/context.js';
import { isUniqueViolation, transaction, type Store } from '../store/open.js';
import type { DbInt } from '../store/schema.js';
import { accountKey, accountPeriod, checkUse, type AccountRef } from './accounts.js';
import { capOn } from './allocation.js';
import { big, toPositiveMilli, tpp } from './amount.js';
import { accountShape, ensureAccount, stateOf, type AccountState } from './balances.js';
import { IdempotencyConflictError, LedgerError } from './errors.js';
import { capError, move } from './move.js';
import { checkSameRequest, requestHash, type RequestParams } from './once.js';
import { reservePg } from './reserve-postgres.js';
import { reserveSqlite } from './reserve-sqlite.js';
import { checkActor, checkDate, checkKey, checkReadings, iso, refOf, storable, type Actor } from './request.js';

/** Default lifetime of a reservation: long enough for an order to ship, short enough not to block a cap for weeks. */
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

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

export interface ReserveRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  /** The business date (e.g. the planned shipment date); decides date-dependent caps. Default today. */
  date?: string;
  ttlSeconds?: number;
  idempotencyKey?: string;
  ref?: string;
  /** Interpretation readings (INT-37 for a country allocation). */
  interpretations?: Record<string, string>;
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
  const cap = await capOn(store, ref, onDate, checkReadings(req.interpretations));
  const id = await ensureAccount(store, ref, cap);
  // Every parameter of the request: a retry must repeat it exactly (TTL and ref included).
  const request: RequestParams = { kind: 'reserve', account: id, tpp: tpp(amount), date: onDate, ttlSeconds: ttl, ref: req.ref ?? null };
  const hash = requestHash(request);

  for (let attempt = 0; attempt < 2; attempt++) {
    const now = req.now ?? new Date();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + ttl * 1000).toISOString();
    const rid = randomUUID();
    let row: { used: bigint; reserved: bigint; cap: bigint | null } | undefined;
    let duplicate = false;
    try {
      const args: ReserveArgs = { id, rid, amount, cap: cap.milli, key, requestHash: hash, request, onDate, at, expiresAt, actor, ref: req.ref };
      row = store.dialect === 'postgres' ? await reservePg(store, args) : await reserveSqlite(store, args);
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
      const prior = await priorReservation(store, key, request, hash);
      if (prior) return reservationResult(store, prior, true);
      if (duplicate) continue;
    }
    if (cap.milli === null) throw new Error(`aidr: account ${id} is missing`);
    // Stale reservations may be holding the room: expire them once and try again.
    if (attempt === 0 && (await expireReservations(store, { accountId: id, now, actor })) > 0) continue;
    throw await capError(store, id, amount, cap.milli);
  }
  throw await capError(store, id, amount, cap.milli ?? 0n);
}

/**
 * The reservation an earlier request with this key made, if it is the same request; a key used
 * for another kind of operation, or with other parameters, is refused saying what differs.
 */
async function priorReservation(store: Store, key: string, request: RequestParams, hash: string) {
  const row = await store.db.selectFrom('ledger_idempotency').select(['scope', 'request_hash', 'request', 'result']).where('key', '=', key).executeTakeFirst();
  if (row) {
    checkSameRequest(key, row, 'reserve', request, hash);
    const { reservationId } = JSON.parse(row.result) as { reservationId: string };
    return store.db.selectFrom('ledger_reservations').selectAll().where('id', '=', reservationId).executeTakeFirst();
  }
  // Reservations made before migration 007 kept their key only on the reservation.
  const legacy = await store.db.selectFrom('ledger_reservations').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (legacy && legacy.request_hash !== hash) throw new IdempotencyConflictError(key);
  return legacy;
}

export interface ReserveArgs {
  id: string; rid: string; amount: bigint; cap: bigint | null; key: string | undefined; requestHash: string; request: RequestParams;
  onDate: string; at: string; expiresAt: string; actor: string; ref: string | undefined;
}

async function reservationResult(store: Store, r: { id: string; account_id: string; state: string; amount: DbInt; on_date: string; expires_at: string }, replayed: boolean): Promise<ReservationResult> {
  return {
    reservationId: r.id, account: r.account_id, state: r.state as ReservationResult['state'], amountTpp: tpp(big(r.amount)),
    onDate: r.on_date, expiresAt: r.expires_at, replayed, balance: await accountShape(store, r.account_id, r.on_date),
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
