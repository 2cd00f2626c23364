/** SQLite reservations: one BEGIN IMMEDIATE transaction each. */
import { canonicalJson } from '../store/canonical.js';
import type { Store } from '../store/open.js';
import { groupCommit } from '../store/group.js';
import { move } from './move.js';
import type { ReserveArgs } from './reserve.js';

/**
 * SQLite: a BEGIN IMMEDIATE transaction (the write lock orders processes), shared with the
 * reservations and commits of this process that arrive together (group commit). The idempotency key
 * goes into the one namespace of keys (`ledger_idempotency`) with the reservation, so a commit or
 * a draw cannot reuse it. Returns undefined, writing nothing, when the key is taken or the cap
 * refuses.
 */
export async function reserveSqlite(store: Store, a: ReserveArgs): Promise<{ used: bigint; reserved: bigint; cap: bigint | null } | undefined> {
  return groupCommit(store, async (trx) => {
    if (a.key) {
      const taken = await trx.selectFrom('ledger_idempotency').select('key').where('key', '=', a.key).executeTakeFirst()
        ?? await trx.selectFrom('ledger_reservations').select('id').where('idempotency_key', '=', a.key).executeTakeFirst();
      if (taken) return undefined;
    }
    const row = await move(trx, { accountId: a.id, kind: 'reserve', usedDelta: 0n, reservedDelta: a.amount, cap: a.cap, onDate: a.onDate, at: a.at, actor: a.actor, reservationId: a.rid, ref: a.ref ?? null });
    if (!row) return undefined;
    await trx.insertInto('ledger_reservations').values({
      id: a.rid, account_id: a.id, amount: a.amount, state: 'reserved', idempotency_key: a.key ?? null, request_hash: a.requestHash,
      on_date: a.onDate, created_at: a.at, expires_at: a.expiresAt, actor: a.actor,
    }).execute();
    if (a.key) {
      await trx.insertInto('ledger_idempotency').values({
        key: a.key, scope: 'reserve', request_hash: a.requestHash, request: canonicalJson(a.request), result: JSON.stringify({ reservationId: a.rid }), created_at: a.at,
      }).execute();
    }
    return row;
  });
}
