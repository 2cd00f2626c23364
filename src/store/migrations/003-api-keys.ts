/**
 * Migration 003: API keys of the HTTP service (`aidr keys`, `/v1/keys`).
 *
 * A key is shown once, when it is created; only its SHA-256 is stored. The tokens carry 256
 * random bits, so a fast hash is enough (no dictionary to guess from) and lets every request be
 * checked without a slow key-derivation function. Keys are revoked, never deleted, so that an
 * audit record's actor (the key id) always names a key whose creation and revocation are known.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../open.js';

export function migration003(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
    },
  };
}
