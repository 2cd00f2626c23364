/**
 * The one balance-changing primitive: `move` changes a balance and appends its movement in the
 * caller's transaction, so for every account used = Σ used_delta and reserved = Σ reserved_delta.
 */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../store/open.js';
import type { Database } from '../store/schema.js';
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

export async function capError(store: Store | Kysely<Database>, id: string, amount: bigint, cap: bigint): Promise<CapExceededError> {
  const a = await getAccount(store, id);
  const used = a ? toMilli(a.usedTpp, 'used') : 0n;
  const reserved = a ? toMilli(a.reservedTpp, 'reserved') : 0n;
  const left = cap - used - reserved;
  return new CapExceededError(id, tpp(amount), tpp(left > 0n ? left : 0n), tpp(cap));
}
