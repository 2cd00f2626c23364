/**
 * The two back ends every store/ledger test runs against. SQLite: a fresh temporary data
 * directory. PostgreSQL (only when DATABASE_URL is set): a fresh schema `aidr_test_<random>` on
 * that server, dropped afterwards. `env` lets child processes open the same store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../src/store/open.js';

export type BackendName = 'sqlite' | 'postgres';
export const DATABASE_URL = process.env.DATABASE_URL || undefined;

export interface Backend {
  name: BackendName;
  options: StoreOptions;
  /** Environment for a child process to open the same store. */
  env: Record<string, string>;
  open(extra?: StoreOptions): Promise<Store>;
  destroy(): Promise<void>;
}

export function backend(name: BackendName): Backend {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aidr-store-'));
    const options: StoreOptions = { dataDir: dir };
    return {
      name, options,
      env: { AIDR_DATA_DIR: dir, DATABASE_URL: '', AIDR_SIGNING_KEY: '' },
      open: (extra = {}) => openStore({ ...options, ...extra }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const schema = `aidr_test_${randomBytes(6).toString('hex')}`;
  // The signing key of a PostgreSQL store is a file of its own (kept off the database).
  const keyDir = mkdtempSync(join(tmpdir(), 'aidr-key-'));
  const signingKey = join(keyDir, 'signing.key');
  const options: StoreOptions = { databaseUrl: DATABASE_URL, schema, signingKey };
  return {
    name, options,
    env: { DATABASE_URL, AIDR_PG_SCHEMA: schema, AIDR_SIGNING_KEY: signingKey },
    open: (extra = {}) => openStore({ ...options, ...extra }),
    destroy: async () => {
      rmSync(keyDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
        // Screening jobs on this store keep pg-boss's tables in a schema of their own.
        await c.query(`drop schema if exists pgboss_${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The back ends to run: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const BACKENDS: { name: BackendName; skip: boolean }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !DATABASE_URL },
];

/**
 * One store for a describe block: opened (migrated) before its tests and handed to `set`, closed
 * and dropped after them. Nothing happens for a skipped back end.
 */
export function storeForSuite(name: BackendName, skip: boolean, set: (b: Backend, store: Store) => void): void {
  let b: Backend | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    if (skip) return;
    b = backend(name);
    store = await b.open();
    set(b, store);
  });
  afterAll(async () => {
    await store?.close();
    await b?.destroy();
  });
}

/** Run raw SQL with the append-only triggers out of the way, as someone with DDL rights could. */
export async function tamper(store: Store, statements: string[]): Promise<void> {
  const { sql } = await import('kysely');
  if (store.dialect === 'sqlite') {
    for (const t of ['audit_log_no_update', 'audit_log_no_delete']) await sql.raw(`drop trigger if exists ${t}`).execute(store.db);
  } else {
    await sql.raw('alter table audit_log disable trigger user').execute(store.db);
  }
  for (const s of statements) await sql.raw(s).execute(store.db);
}
