/**
 * Migration 007: records a database-only attacker cannot rewrite unseen (docs/ledger.md,
 * "Integrity").
 *
 * - audit_log: `signature` (Ed25519 over the record's hash) and `key_id`; an index on `hash` (a
 *   movement names the audit record that caused it by its hash).
 * - ledger_movements: `uid` (unique: a copied movement is a duplicate), `mac` (HMAC of the
 *   movement under the store's key) and `audit_hash` (the audit record that caused it).
 * - ledger_idempotency: `request`, the parameters a key was first used with, so that a reuse with
 *   different ones can say what differs.
 * - SQLite: `INSERT OR REPLACE` / `REPLACE INTO` deletes the row it collides with without firing
 *   DELETE triggers (unless recursive_triggers is on, which an attacker's connection would not
 *   set): a BEFORE INSERT trigger now refuses any insert that collides with an existing row of an
 *   append-only table. (PostgreSQL has no REPLACE; `ON CONFLICT DO UPDATE` and MERGE fire the
 *   UPDATE and DELETE triggers of migration 001, which refuse them.)
 * - PostgreSQL: `aidr_reserve_v2` / `aidr_reserve_durable_v2`, the reservation procedure of
 *   migrations 002 and 004 with the movement's uid and MAC, and the idempotency key registered in
 *   `ledger_idempotency` like every other operation's (one namespace of keys).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';

/** Each append-only table and the columns a colliding insert would replace a row through. */
const UNIQUE_COLUMNS = {
  audit_log: ['seq', 'id'],
  ledger_movements: ['seq', 'uid'],
  allocation_published: ['seq'],
} as const;

export function migration007(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('audit_log').addColumn('signature', 'text').execute();
      await db.schema.alterTable('audit_log').addColumn('key_id', 'text').execute();
      await db.schema.createIndex('audit_log_hash').on('audit_log').column('hash').execute();
      await db.schema.alterTable('ledger_movements').addColumn('uid', 'text').execute();
      await db.schema.alterTable('ledger_movements').addColumn('mac', 'text').execute();
      await db.schema.alterTable('ledger_movements').addColumn('audit_hash', 'text').execute();
      await db.schema.createIndex('ledger_movements_uid').on('ledger_movements').column('uid').unique().execute();
      await db.schema.createIndex('ledger_movements_reservation').on('ledger_movements').column('reservation_id').execute();
      await db.schema.alterTable('ledger_idempotency').addColumn('request', 'text').execute();

      if (!pg) {
        for (const [table, columns] of Object.entries(UNIQUE_COLUMNS)) {
          const collides = columns.map((c) => `${c} = new.${c}`).join(' or ');
          await sql.raw(`create trigger ${table}_no_replace before insert on ${table} when exists (select 1 from ${table} where ${collides})
            begin select raise(abort, 'aidr: ${table} is append-only (an insert replacing an existing row refused)'); end`).execute(db);
        }
        return;
      }
      await sql`
        create function aidr_reserve_v2(
          p_account text, p_id text, p_amount bigint, p_cap bigint, p_key text, p_hash text, p_request text, p_result text,
          p_on_date text, p_at text, p_expires text, p_actor text, p_ref text, p_uid text, p_mac text
        ) returns table(used bigint, reserved bigint, cap bigint)
        language plpgsql as $$
        declare u bigint; r bigint; c bigint;
        begin
          perform set_config('synchronous_commit', 'off', true);
          if p_key is not null then
            insert into ledger_idempotency (key, scope, request_hash, request, result, created_at)
              values (p_key, 'reserve', p_hash, p_request, p_result, p_at);
          end if;
          insert into ledger_reservations (id, account_id, amount, state, idempotency_key, request_hash, on_date, created_at, expires_at, actor)
            values (p_id, p_account, p_amount, 'reserved', p_key, p_hash, p_on_date, p_at, p_expires, p_actor);
          insert into ledger_movements (account_id, kind, reservation_id, used_delta, reserved_delta, on_date, at, actor, audit_id, ref, uid, mac, audit_hash)
            values (p_account, 'reserve', p_id, 0, p_amount, p_on_date, p_at, p_actor, null, p_ref, p_uid, p_mac, null);
          update ledger_accounts a
            set reserved = a.reserved + p_amount, cap = coalesce(p_cap, a.cap)
            where a.id = p_account and (p_cap is null or a.used + a.reserved + p_amount <= p_cap)
            returning a.used, a.reserved, a.cap into u, r, c;
          if not found then
            raise exception 'aidr: cap exceeded on %', p_account using errcode = 'AIC01';
          end if;
          return query select u, r, c;
        end $$`.execute(db);
      await sql`
        create procedure aidr_reserve_durable_v2(
          p_account text, p_id text, p_amount bigint, p_cap bigint, p_key text, p_hash text, p_request text, p_result text,
          p_on_date text, p_at text, p_expires text, p_actor text, p_ref text, p_uid text, p_mac text,
          inout o_used bigint default null, inout o_reserved bigint default null, inout o_cap bigint default null
        )
        language plpgsql as $$
        begin
          select r.used, r.reserved, r.cap into o_used, o_reserved, o_cap
            from aidr_reserve_v2(p_account, p_id, p_amount, p_cap, p_key, p_hash, p_request, p_result, p_on_date, p_at, p_expires, p_actor, p_ref, p_uid, p_mac) r;
          commit;
          perform pg_logical_emit_message(true, 'aidr', 'flush');
        end $$`.execute(db);
    },
  };
}
