/**
 * Migration 004 (PostgreSQL only): `aidr_reserve_durable`, a procedure that makes a reservation
 * durable in ONE round trip.
 *
 * Migration 002 needed two statements per reservation: `aidr_reserve` (committed with
 * synchronous_commit off, so the hot account's row lock is released without waiting for the
 * disk), then a flush barrier (a transactional WAL record committed synchronously) before the
 * client is answered. A procedure may commit in the middle (PostgreSQL 11+; CALL outside a
 * transaction block), so this one does both: the reservation, COMMIT (early lock release), then
 * the barrier, whose synchronous commit at the end of CALL flushes the WAL up to and including
 * the reservation. The lock is still held only for the statements; the client still hears
 * success only once the reservation is on disk; and it takes one round trip instead of two.
 * A cap refusal (SQLSTATE AIC01) or a duplicate idempotency key raises before the COMMIT, so
 * nothing is written.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';

export function migration004(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`
        create procedure aidr_reserve_durable(
          p_account text, p_id text, p_amount bigint, p_cap bigint, p_key text, p_hash text,
          p_on_date text, p_at text, p_expires text, p_actor text, p_ref text,
          inout o_used bigint default null, inout o_reserved bigint default null, inout o_cap bigint default null
        )
        language plpgsql as $$
        begin
          select r.used, r.reserved, r.cap into o_used, o_reserved, o_cap
            from aidr_reserve(p_account, p_id, p_amount, p_cap, p_key, p_hash, p_on_date, p_at, p_expires, p_actor, p_ref) r;
          commit;
          perform pg_logical_emit_message(true, 'aidr', 'flush');
        end $$`.execute(db);
    },
  };
}
