/**
 * Migration 002 (PostgreSQL only): `aidr_reserve`, the reservation hot path as one server-side
 * function, so that a hot account's row lock is held for microseconds rather than for a disk
 * flush.
 *
 * Why: every reservation on one account updates the same row. With a plain transaction, the row
 * lock is held until the commit is flushed to disk, so reservations on a hot account queue
 * behind one fsync each. The function instead
 * 1. writes the reservation and its movement first (no lock on the account yet),
 * 2. updates the account last, conditionally (used + reserved + amount <= cap), and raises
 *    SQLSTATE AIC01 (nothing written) when the cap would be crossed,
 * 3. commits with synchronous_commit off, which releases the row lock without waiting for the
 *    flush ("early lock release").
 * The caller then runs a flush barrier — a tiny transactional WAL record committed
 * synchronously (`pg_logical_emit_message`) — and reports success only after it returns. WAL is
 * written in order, so once the barrier is flushed the reservation is too: nothing is
 * acknowledged before it is durable. What another session may see a moment before the flush is
 * the same ordered prefix of the WAL, so if the server crashes in that moment, every transaction
 * that depended on the lost reservation is lost with it.
 *
 * SQLite: nothing to do (one writer at a time; the reservation is a BEGIN IMMEDIATE transaction).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';

export const CAP_SQLSTATE = 'AIC01';

export function migration002(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`
        create function aidr_reserve(
          p_account text, p_id text, p_amount bigint, p_cap bigint, p_key text, p_hash text,
          p_on_date text, p_at text, p_expires text, p_actor text, p_ref text
        ) returns table(used bigint, reserved bigint, cap bigint)
        language plpgsql as $$
        declare u bigint; r bigint; c bigint;
        begin
          perform set_config('synchronous_commit', 'off', true);
          insert into ledger_reservations (id, account_id, amount, state, idempotency_key, request_hash, on_date, created_at, expires_at, actor)
            values (p_id, p_account, p_amount, 'reserved', p_key, p_hash, p_on_date, p_at, p_expires, p_actor);
          insert into ledger_movements (account_id, kind, reservation_id, used_delta, reserved_delta, on_date, at, actor, audit_id, ref)
            values (p_account, 'reserve', p_id, 0, p_amount, p_on_date, p_at, p_actor, null, p_ref);
          update ledger_accounts a
            set reserved = a.reserved + p_amount, cap = coalesce(p_cap, a.cap)
            where a.id = p_account and (p_cap is null or a.used + a.reserved + p_amount <= p_cap)
            returning a.used, a.reserved, a.cap into u, r, c;
          if not found then
            raise exception 'aidr: cap exceeded on %', p_account using errcode = 'AIC01';
          end if;
          return query select u, r, c;
        end $$`.execute(db);
    },
  };
}
