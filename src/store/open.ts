/**
 * Opening the store: PostgreSQL when a database URL is given (option or `DATABASE_URL`), otherwise
 * SQLite in a data directory (`dataDir`, else `AIDR_DATA_DIR`, else `./.aidr`). Pending migrations
 * run on open, under a lock, so two processes opening one store at once are safe.
 *
 * SQLite settings and why:
 * - WAL: readers never block the writer, and a killed process leaves a consistent file (the
 *   uncommitted tail of the WAL is ignored on the next open).
 * - synchronous=FULL: a commit is on disk before it is reported; compliance records must survive
 *   a power cut, not only a crash of the process.
 * - BEGIN IMMEDIATE for every transaction: the write lock is taken at the start, so two processes
 *   never both read a balance and then race to write it; the second waits (busy_timeout).
 * - foreign_keys=ON: a reservation or movement cannot name an account that does not exist.
 * - safe integers: BIGINT amounts come back as bigint, never as a rounded float.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver, sql,
  type DatabaseConnection, type Driver,
} from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** postgres://… (default: DATABASE_URL unless `dataDir` is given). */
  databaseUrl?: string;
  /** SQLite data directory (default: AIDR_DATA_DIR, else ./.aidr). */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); default AIDR_PG_SCHEMA, else the server's search_path. */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** SQLite: how long to wait for another process's write lock (default AIDR_BUSY_TIMEOUT_MS, else 30000 ms). */
  busyTimeoutMs?: number;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/** SQLite transactions start with BEGIN IMMEDIATE (see above). */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite runs DDL inside transactions, so a migration is all-or-nothing and, with BEGIN IMMEDIATE, exclusive across processes. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class AidrSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const url = opts.databaseUrl ?? (opts.dataDir === undefined ? process.env.DATABASE_URL || undefined : undefined);
  const store = url ? await openPostgres(url, opts) : openSqlite(opts);
  try {
    await migrate(store);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

function openSqlite(opts: StoreOptions): Store {
  const dir = resolve(opts.dataDir ?? process.env.AIDR_DATA_DIR ?? '.aidr');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'aidr.sqlite');
  const busy = opts.busyTimeoutMs ?? Number(process.env.AIDR_BUSY_TIMEOUT_MS ?? 30_000);
  const sqlite = new BetterSqlite3(file, { timeout: busy });
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busy))}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.defaultSafeIntegers(true);
  const db = new Kysely<Database>({ dialect: new AidrSqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

async function openPostgres(url: string, opts: StoreOptions): Promise<Store> {
  const schema = opts.schema ?? process.env.AIDR_PG_SCHEMA;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`aidr: invalid PostgreSQL schema name "${schema}"`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } catch (e) {
      // Two processes creating the schema at once: the loser sees a duplicate; the schema exists.
      if ((e as { code?: string }).code !== '23505' && (e as { code?: string }).code !== '42P06') throw e;
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redact(url) + (schema ? ` (schema ${schema})` : ''), close: () => db.destroy() };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

const RETRYABLE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '23505', '42P07', '42710', '40001', '40P01']);

/** Apply pending migrations. Fast path: nothing to do when every migration is recorded. */
async function migrate(store: Store): Promise<void> {
  const all = migrations(store.dialect);
  const names = Object.keys(all);
  for (let attempt = 1; ; attempt++) {
    try {
      if (await applied(store, names)) return;
      // Kysely looks for its bookkeeping tables in every schema unless told which one: name the
      // schema this store lives in, or a second aidr schema on the server would mislead it.
      const schema = store.dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s
        : undefined;
      // Migrations are additive and independent of one another (see migrations/index.ts), so one
      // that sorts before an applied one (developed on a parallel branch) is applied, not refused.
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => all }, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= 20 || !code || !RETRYABLE.has(code)) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

async function applied(store: Store, names: string[]): Promise<boolean> {
  try {
    // Unqualified: the store's own schema (search_path) on PostgreSQL.
    const rows = await (store.db as unknown as Kysely<{ kysely_migration: { name: string } }>)
      .selectFrom('kysely_migration').select('name').execute();
    const done = new Set(rows.map((r) => r.name));
    return names.every((n) => done.has(n));
  } catch {
    return false;
  }
}

/** Postgres error codes that mean "run the transaction again". */
const PG_RETRY = new Set(['40001', '40P01']);

/**
 * Run `fn` in one database transaction: BEGIN IMMEDIATE on SQLite (serialised across processes),
 * READ COMMITTED on PostgreSQL (caps are held by conditional updates and row locks), retried on a
 * serialisation failure or deadlock.
 */
export async function transaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(fn);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (store.dialect === 'postgres' && code && PG_RETRY.has(code) && attempt < 10) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      throw e;
    }
  }
}

/** A unique-constraint violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
