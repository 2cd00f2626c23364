/**
 * Opening the store: PostgreSQL when a database URL is given (option or `DATABASE_URL`), otherwise
 * SQLite in a data directory (`dataDir`, else `AIDR_DATA_DIR`, else `./.aidr`). Pending migrations
 * run on open, under a lock, so two processes opening one store at once are safe; then the
 * signing key is loaded, or created with the store (signing.ts).
 *
 * SQLite settings and why:
 * - WAL: readers never block the writer, and a killed process leaves a consistent file (the
 *   uncommitted tail of the WAL is ignored on the next open).
 * - a commit is on disk before it is reported; compliance records must survive a power cut, not
 *   only a crash of the process: synchronous=FULL for single statements, and for transactions an
 *   fdatasync of the write-ahead log in the thread pool before the caller is answered (sqlite.ts).
 * - BEGIN IMMEDIATE for every transaction: the write lock is taken at the start, so two processes
 *   never both read a balance and then race to write it; the second waits, without blocking the
 *   event loop (sqlite.ts), up to `busyTimeoutMs`.
 * - foreign_keys=ON: a reservation or movement cannot name an account that does not exist.
 * - safe integers: BIGINT amounts come back as bigint, never as a rounded float.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { AsyncSqliteDialect, AsyncSqliteDriver } from './sqlite.js';
import { createPool, ensureSchema, redact } from './postgres.js';
import { connectionLost } from './errors.js';
import { createSigner, loadSigner, type Signer } from './signing.js';
import { movementDigest } from './digest.js';
import { SqliteBackground } from './background.js';

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
  /** PostgreSQL application_name (default PGAPPNAME, else "aidr"). */
  applicationName?: string;
  /** SQLite: how long to wait for another process's write lock (default AIDR_BUSY_TIMEOUT_MS, else 30000 ms); past it, StoreBusyError. */
  busyTimeoutMs?: number;
  /** The signing key file (default AIDR_SIGNING_KEY, else `aidr-signing.key` in the data directory). */
  signingKey?: string;
  /** Create the signing key when the store has none yet (default true). */
  createSigningKey?: boolean;
  /** Told about database errors no request was waiting for (a pooled connection that went away). Default: one line on stderr. */
  onError?: (what: string, e: Error) => void;
  /** SQLite: how often `check()` runs a full integrity check of the file (default 60000 ms). */
  integrityCheckIntervalMs?: number;
  /** SQLite: checkpoint the write-ahead log in a worker thread instead of inside COMMITs (long-running servers). */
  backgroundCheckpoints?: boolean;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Signs audit records and MACs movements; undefined when the key cannot be used (`signingProblem` says why). */
  readonly signer: Signer | undefined;
  readonly signingProblem?: string;
  readonly signingKeyPath: string;
  /**
   * SQLite only: a token that changes whenever the stored data may have changed (a commit by any
   * connection of any process, a write outside a transaction); equal tokens mean nothing changed.
   */
  dataVersion?(): Promise<string>;
  /** Does the database really answer? Throws with the reason when it does not (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const url = opts.databaseUrl ?? (opts.dataDir === undefined ? process.env.DATABASE_URL || undefined : undefined);
  const dataDir = resolve(opts.dataDir ?? process.env.AIDR_DATA_DIR ?? '.aidr');
  const base = url ? await openPostgres(url, opts) : openSqlite(dataDir, opts);
  try {
    const keyPath = resolve(opts.signingKey ?? (process.env.AIDR_SIGNING_KEY || join(dataDir, 'aidr-signing.key')));
    // A migration that writes ledger movements (010) signs them with the store's key when it has one.
    await migrate(base, loadSigner(keyPath));
    const signing = await setUpSigning(base, keyPath, opts.createSigningKey ?? true);
    return { ...base, signer: signing.signer, ...(signing.signingProblem ? { signingProblem: signing.signingProblem } : {}), signingKeyPath: keyPath };
  } catch (e) {
    await base.close();
    throw e;
  }
}

type BaseStore = Omit<Store, 'signer' | 'signingProblem' | 'signingKeyPath'>;

const stderrOnError = (what: string, e: Error) => process.stderr.write(`aidr: ${what}: ${e.message}\n`);

function openSqlite(dir: string, opts: StoreOptions): BaseStore {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'aidr.sqlite');
  const busy = Math.max(0, Math.floor(opts.busyTimeoutMs ?? Number(process.env.AIDR_BUSY_TIMEOUT_MS ?? DEFAULT_BUSY_TIMEOUT_MS)));
  const configure = (db: BetterSqlite3.Database) => {
    // Opening may wait for a lock (a fresh file switching to WAL); afterwards nothing sleeps inside a call.
    db.pragma(`busy_timeout = ${busy}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.defaultSafeIntegers(true);
    if (opts.backgroundCheckpoints) db.pragma('wal_autocheckpoint = 0');
    db.pragma('busy_timeout = 0');
  };
  const driver = new AsyncSqliteDriver(file, busy, configure);
  const db = new Kysely<Database>({ dialect: new AsyncSqliteDialect(driver) });
  const health = new SqliteBackground(file, opts.integrityCheckIntervalMs ?? 60_000);
  if (opts.backgroundCheckpoints) health.startCheckpoints();
  return {
    db, dialect: 'sqlite', location: file,
    dataVersion: () => driver.dataVersion(),
    check: async () => {
      await sql`select seq from audit_head where id = 1`.execute(db);
      await health.check();
    },
    close: async () => {
      await health.close();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, opts: StoreOptions): Promise<BaseStore> {
  const schema = opts.schema ?? process.env.AIDR_PG_SCHEMA;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`aidr: invalid PostgreSQL schema name "${schema}"`);
  if (schema) await ensureSchema(url, schema);
  const pool = createPool({ url, schema, max: opts.poolSize ?? 10, applicationName: opts.applicationName, onError: opts.onError ?? stderrOnError });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db, dialect: 'postgres', location: redact(url) + (schema ? ` (schema ${schema})` : ''),
    check: async () => {
      const r = await sql<{ seq: string }>`select seq from audit_head where id = 1`.execute(db);
      if (r.rows.length !== 1) throw new Error('the audit log head is missing');
    },
    close: () => db.destroy(),
  };
}

/**
 * The signing key: loaded from its file, or created when the store has no signed record yet
 * (a new store, or one from before signing). A store whose records are signed with a key this
 * process does not have can be read but not written.
 */
async function setUpSigning(store: BaseStore, path: string, create: boolean): Promise<{ signer?: Signer; signingProblem?: string }> {
  let signer = loadSigner(path);
  const lastSigned = await store.db.selectFrom('audit_log').select('key_id').where('key_id', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!signer) {
    if (lastSigned) return { signingProblem: `the audit log is signed with key ${lastSigned.key_id}, but there is no key file at ${path}: give this store's signing key (AIDR_SIGNING_KEY or --signing-key)` };
    if (!create) return { signingProblem: `there is no signing key at ${path}` };
    const head = await store.db.selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
    const legacy = await movementDigest(store.db, { unsignedOnly: true });
    signer = createSigner(path, { audit: Number(head.seq) + 1, legacyMovements: { count: legacy.count, digest: legacy.digest } }, store.location);
  }
  if (lastSigned && lastSigned.key_id !== signer.keyId) {
    return { signingProblem: `the audit log is signed with key ${lastSigned.key_id}, but the key at ${path} is ${signer.keyId}: give this store's signing key` };
  }
  return { signer };
}

const RETRYABLE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '23505', '42P07', '42710', '40001', '40P01']);

/** Apply pending migrations. Fast path: nothing to do when every migration is recorded. */
async function migrate(store: BaseStore, signer: Signer | undefined): Promise<void> {
  const all = migrations(store.dialect, signer);
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

async function applied(store: BaseStore, names: string[]): Promise<boolean> {
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

/** The signer of the store a transaction belongs to (set by `transaction`), for code that only holds the transaction. */
const signers = new WeakMap<Kysely<Database>, Signer>();

export function signerOf(trx: Kysely<Database>): Signer | undefined {
  return signers.get(trx);
}

/** Make a migration's transaction carry the store's signer (loaded before the migrations run). */
export function bindMigrationSigner(trx: Kysely<Database>, signer: Signer): void {
  signers.set(trx, signer);
}

/**
 * Make `trx` (a transaction of `store`) carry the store's signer. A store whose key this process
 * lacks is read-only: a write would leave movements and records nobody can vouch for.
 */
export function bindSigner(trx: Kysely<Database>, store: Store): void {
  if (store.signer) signers.set(trx, store.signer);
  else if (store.signingProblem) throw new Error(`aidr: cannot write to this store: ${store.signingProblem}`);
}

/**
 * Run `fn` in one database transaction: BEGIN IMMEDIATE on SQLite (serialised across processes),
 * READ COMMITTED on PostgreSQL (caps are held by conditional updates and row locks). Run again on
 * a serialisation failure or deadlock, and when the connection was lost before the transaction's
 * work was done (nothing can have been committed then; a stale pooled connection is the usual
 * cause). A connection lost at COMMIT is not retried: the outcome is unknown, and the caller's
 * idempotency key makes its retry safe.
 */
export async function transaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let workDone = false;
    try {
      return await store.db.transaction().execute(async (trx) => {
        bindSigner(trx, store);
        const r = await fn(trx);
        workDone = true;
        return r;
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (store.dialect === 'postgres' && code && PG_RETRY.has(code) && attempt < 10) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      if (!workDone && attempt < 3 && connectionLost(e)) continue;
      throw e;
    }
  }
}

/** A unique-constraint violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
