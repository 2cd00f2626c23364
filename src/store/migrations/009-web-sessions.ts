/**
 * Migration 009: sessions of the workbench (src/api/sessions.ts).
 *
 * Signing in exchanges an API key for a session cookie; the row keeps who (the key id, its role
 * and name at sign-in), when it expires, and whether it was revoked (sign-out, or an admin). Only
 * SHA-256 of the cookie's secret is stored, as for API keys. Rows are kept after expiry or
 * revocation so that the admin page can show them; nothing refers to them.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../open.js';

export function migration009(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema.createIndex('web_sessions_key_id').on('web_sessions').column('key_id').execute();
    },
  };
}
