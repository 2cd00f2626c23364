/**
 * Migration 005: where each UVEU is headquartered, recorded with its first installation.
 *
 * Supp. 10 to part 748 para. 6 sets different limits for a U.S.-headquartered UVEU (at most 50 %
 * outside the United States, besides 25 % / 7 % outside Supp. 5(a)): a headquarters given anew
 * with each installation would let one installation be checked as if the UVEU were elsewhere.
 * Recorded once, every later installation is checked against it, and a different one is refused.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../open.js';

export function migration005(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('uveu_profiles')
        .addColumn('veu', 'text', (c) => c.primaryKey())
        .addColumn('headquarters', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
