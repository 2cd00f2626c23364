/**
 * Migration 006 (additive): what the Data Center VEU and allocation rules need besides balances.
 *
 * - `uveu_profiles.ultimate_parent_headquarters`: where a UVEU's ultimate parent is
 *   headquartered, recorded with its first installation where given. A UVEU whose ultimate parent
 *   is headquartered in Macau or D:5 may hold none (Supp. 10 to part 748, paras. 4.a and 13), and
 *   one that qualifies only through its parent is bound by the para. 6 limits as its parent's
 *   headquarters says (INT-36). Null for profiles recorded before this migration.
 * - `allocation_increases`: increases of a country allocation that BIS granted under
 *   742.6(b)(10)(iii)(C) ("up to 100 %" for Supp. 5 para. (b) destinations; INT-37: none is
 *   assumed until recorded), append-only like the published figures.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';

export function migration006(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('uveu_profiles').addColumn('ultimate_parent_headquarters', 'text').execute();
      await db.schema
        .createTable('allocation_increases')
        .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('tpp', 'bigint', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addCheckConstraint('allocation_increases_positive', sql`tpp > 0`)
        .execute();
      await db.schema.createIndex('allocation_increases_country').on('allocation_increases').columns(['country', 'as_of']).execute();
      if (pg) {
        // aidr_append_only() was created by migration 001.
        await sql`create trigger allocation_increases_append_only before update or delete on allocation_increases for each row execute function aidr_append_only()`.execute(db);
        await sql`create trigger allocation_increases_no_truncate before truncate on allocation_increases for each statement execute function aidr_append_only()`.execute(db);
      } else {
        for (const op of ['update', 'delete']) {
          await sql.raw(`create trigger allocation_increases_no_${op} before ${op} on allocation_increases begin select raise(abort, 'aidr: allocation_increases is append-only (${op} refused)'); end`).execute(db);
        }
      }
    },
  };
}
