/**
 * Migration 001: the ledger (accounts, reservations, append-only movements, idempotency keys,
 * BIS-published allocation figures) and the hash-chained audit log.
 *
 * Append-only tables (movements, published figures, audit log) get triggers that refuse UPDATE and
 * DELETE on both back ends (and TRUNCATE on PostgreSQL), so a bug or a careless script cannot
 * rewrite history; someone with DDL rights can still drop a trigger, which is why the audit log
 * also carries a hash chain that `aidr audit verify` checks.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';

export const GENESIS_HASH = '0'.repeat(64);

const APPEND_ONLY = ['ledger_movements', 'allocation_published', 'audit_log'] as const;

export function migration001(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const serial = pg ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('ledger_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('cap', 'bigint')
        .addColumn('used', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        // The database itself refuses a negative balance, whatever the code does.
        .addCheckConstraint('ledger_accounts_nonnegative', sql`used >= 0 and reserved >= 0`)
        .execute();
      await db.schema.createIndex('ledger_accounts_kind').on('ledger_accounts').columns(['kind', 'key']).execute();

      await db.schema
        .createTable('ledger_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('on_date', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addCheckConstraint('ledger_reservations_state', sql`state in ('reserved', 'committed', 'released', 'expired')`)
        .addCheckConstraint('ledger_reservations_positive', sql`amount > 0`)
        .execute();
      await db.schema.createIndex('ledger_reservations_open').on('ledger_reservations').columns(['state', 'expires_at']).execute();

      await db.schema
        .createTable('ledger_movements')
        .addColumn('seq', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reservation_id', 'text')
        .addColumn('used_delta', 'bigint', (c) => c.notNull())
        .addColumn('reserved_delta', 'bigint', (c) => c.notNull())
        .addColumn('on_date', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('audit_id', 'text')
        .addColumn('ref', 'text')
        .execute();
      await db.schema.createIndex('ledger_movements_account').on('ledger_movements').columns(['account_id', 'on_date']).execute();

      await db.schema
        .createTable('ledger_idempotency')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('allocation_published')
        .addColumn('seq', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('tpp', 'bigint', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('output', 'text', (c) => c.notNull())
        .addColumn('ruleset_version', 'text', (c) => c.notNull())
        .addColumn('effects', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();

      // One row: the chain's head. Appenders lock it (UPDATE … RETURNING), which orders concurrent
      // appends on PostgreSQL without a serializable transaction.
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();

      if (pg) {
        await sql`create function aidr_append_only() returns trigger language plpgsql as $$
          begin raise exception 'aidr: % is append-only (% refused)', tg_table_name, tg_op; end $$`.execute(db);
        for (const t of APPEND_ONLY) {
          await sql`create trigger ${sql.raw(`${t}_append_only`)} before update or delete on ${sql.table(t)} for each row execute function aidr_append_only()`.execute(db);
          await sql`create trigger ${sql.raw(`${t}_no_truncate`)} before truncate on ${sql.table(t)} for each statement execute function aidr_append_only()`.execute(db);
        }
      } else {
        for (const t of APPEND_ONLY) {
          for (const op of ['update', 'delete']) {
            await sql.raw(`create trigger ${t}_no_${op} before ${op} on ${t} begin select raise(abort, 'aidr: ${t} is append-only (${op} refused)'); end`).execute(db);
          }
        }
      }
    },
  };
}
