/**
 * The one balance-changing primitive: `move` changes a balance and appends its movement in the
 * caller's transaction, so for every account used = Σ used_delta and reserved = Σ reserved_delta.
 *
 * Every movement gets a random `uid` and a MAC under the store's key (`movementMac`), so that
 * `verifyLedger` can tell a movement aidr wrote from one inserted, altered or copied by SQL; a
 * movement caused by an audit record (a commit) also names that record's hash.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { canonicalJson } from '../store/canonical.js';
import { signerOf, type Store } from '../store/open.js';
import { Prepared } from '../store/prepared.js';
import type { Database, DbInt } from '../store/schema.js';
import type { Signer } from '../store/signing.js';
import { big, bigOrNull, toMilli, tpp } from './amount.js';
import { getAccount } from './balances.js';
import { CapExceededError } from './errors.js';

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
  /** The hash of the audit record that caused the movement. */
  auditHash?: string | null;
  ref?: string | null;
  /** Default: a fresh random id. */
  uid?: string;
}

/** A movement's fields as they are MAC'd: everything but its sequence number (assigned by the database). */
export interface MovementFields {
  uid: string;
  account: string;
  kind: string;
  reservationId: string | null;
  usedDelta: string;
  reservedDelta: string;
  onDate: string;
  at: string;
  actor: string;
  auditId: string | null;
  auditHash: string | null;
  ref: string | null;
}

export function movementFields(m: Move & { uid: string }): MovementFields {
  return {
    uid: m.uid, account: m.accountId, kind: m.kind, reservationId: m.reservationId ?? null, usedDelta: m.usedDelta.toString(), reservedDelta: m.reservedDelta.toString(),
    onDate: m.onDate, at: m.at, actor: m.actor, auditId: m.auditId ?? null, auditHash: m.auditHash ?? null, ref: m.ref ?? null,
  };
}

/** A stored movement row's fields, for checking its MAC. */
export function rowFields(r: { uid: string | null; account_id: string; kind: string; reservation_id: string | null; used_delta: DbInt; reserved_delta: DbInt; on_date: string; at: string; actor: string; audit_id: string | null; audit_hash: string | null; ref: string | null }): MovementFields {
  return {
    uid: r.uid ?? '', account: r.account_id, kind: r.kind, reservationId: r.reservation_id, usedDelta: big(r.used_delta).toString(), reservedDelta: big(r.reserved_delta).toString(),
    onDate: r.on_date, at: r.at, actor: r.actor, auditId: r.audit_id, auditHash: r.audit_hash, ref: r.ref,
  };
}

export function movementMac(signer: Signer, f: MovementFields): string {
  return signer.mac(canonicalJson(f));
}

/**
 * Change one balance, inside the caller's transaction. With `cap`, the change happens only if the
 * account stays within it (one conditional UPDATE); a decrease never goes below zero (the table's
 * CHECK constraint refuses it). Returns undefined when the cap refused it.
 */
export async function changeBalance(trx: Kysely<Database>, m: Move): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  const r = m.cap !== undefined && m.cap !== null
    ? await CHANGE_WITHIN_CAP.execute<BalanceRow>(trx, m.usedDelta, m.reservedDelta, m.accountId, m.usedDelta + m.reservedDelta, m.cap)
    : await CHANGE.execute<BalanceRow>(trx, m.usedDelta, m.reservedDelta, m.accountId);
  const row = r.rows[0];
  return row ? { used: big(row.used), reserved: big(row.reserved), cap: bigOrNull(row.cap) } : undefined;
}

type BalanceRow = { used: DbInt; reserved: DbInt; cap: DbInt | null };

const change = (trx: Kysely<Database>, usedDelta: bigint, reservedDelta: bigint, id: string) => trx
  .updateTable('ledger_accounts')
  .set({ used: sql`used + ${usedDelta}`, reserved: sql`reserved + ${reservedDelta}` })
  .where('id', '=', id);

// The commit path's statements, compiled once (src/store/prepared.ts).
const CHANGE = new Prepared(3, (trx, usedDelta: bigint, reservedDelta: bigint, id: string) => change(trx, usedDelta, reservedDelta, id).returning(['used', 'reserved', 'cap']));
const CHANGE_WITHIN_CAP = new Prepared(5, (trx, usedDelta: bigint, reservedDelta: bigint, id: string, total: bigint, cap: bigint) => change(trx, usedDelta, reservedDelta, id)
  .where(sql<boolean>`used + reserved + ${total} <= ${cap}`)
  // Keep the stored cap current (date-dependent caps: NVEU quarters, Supp. 5(b) changes).
  .set({ cap })
  .returning(['used', 'reserved', 'cap']));
const INSERT_MOVEMENT = new Prepared(13, (trx, accountId: string, kind: string, reservationId: string | null, usedDelta: bigint, reservedDelta: bigint, onDate: string, at: string, actor: string,
  auditId: string | null, ref: string | null, uid: string, mac: string | null, auditHash: string | null) => trx.insertInto('ledger_movements').values({
  account_id: accountId, kind, reservation_id: reservationId, used_delta: usedDelta, reserved_delta: reservedDelta, on_date: onDate, at, actor,
  audit_id: auditId, ref, uid, mac, audit_hash: auditHash,
}));

/** Append a movement (with its uid and MAC) inside the caller's transaction; returns its uid. */
export async function recordMovement(trx: Kysely<Database>, m: Move): Promise<string> {
  const uid = m.uid ?? randomUUID();
  const signer = signerOf(trx);
  const fields = movementFields({ ...m, uid });
  await INSERT_MOVEMENT.execute(trx, m.accountId, m.kind, fields.reservationId, m.usedDelta, m.reservedDelta, m.onDate, m.at, m.actor,
    fields.auditId, fields.ref, uid, signer ? movementMac(signer, fields) : null, fields.auditHash);
  return uid;
}

/** Change one balance and append its movement (see changeBalance); undefined, and nothing written, when the cap refused it. */
export async function move(trx: Kysely<Database>, m: Move): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  const row = await changeBalance(trx, m);
  if (!row) return undefined;
  await recordMovement(trx, m);
  return row;
}

export async function capError(store: Store | Kysely<Database>, id: string, amount: bigint, cap: bigint): Promise<CapExceededError> {
  const a = await getAccount(store, id);
  const used = a ? toMilli(a.usedTpp, 'used') : 0n;
  const reserved = a ? toMilli(a.reservedTpp, 'reserved') : 0n;
  const left = cap - used - reserved;
  return new CapExceededError(id, tpp(amount), tpp(left > 0n ? left : 0n), tpp(cap));
}
