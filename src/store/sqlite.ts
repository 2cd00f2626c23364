/**
 * SQLite for aidr: a Kysely dialect over better-sqlite3 whose waits never block the event loop.
 *
 * better-sqlite3 is synchronous: with a busy timeout, a statement waiting for another process's
 * write lock (a `ledger import` holding it for seconds) sleeps inside the call and freezes the
 * whole process, `/healthz` included. Here the busy timeout is 0: a lock that is taken fails at
 * once with SQLITE_BUSY, and the wait happens here, asynchronously, by retrying with back-off until
 * the deadline (`busyTimeoutMs`), past which the caller gets a StoreBusyError (503 with
 * Retry-After in the HTTP service). Statements themselves take microseconds; the one remaining
 * synchronous wait is the disk flush at COMMIT (a fraction of a millisecond, once per group
 * commit).
 *
 * Two connections to the file:
 * - the writer, for transactions (BEGIN IMMEDIATE: the write lock is taken at the start, so two
 *   processes never both read a balance and then race to write it), one transaction at a time;
 * - the reader, for statements outside a transaction (reads, and single-statement writes such as
 *   creating an account): in WAL mode reads never wait for writers, so a read is never stuck
 *   behind a transaction that waits for the lock.
 * Prepared statements are cached per connection (preparing costs more than running most of ours).
 *
 * The flush to disk of a transaction runs in Node's thread pool, not on the event loop: the writer
 * commits with synchronous=NORMAL (WAL frames written, not yet flushed), releases the write lock,
 * and then waits for an fdatasync of the write-ahead log before the transaction counts as
 * committed for its caller. The caller is answered only once its frames are on disk: the same
 * durability as synchronous=FULL, without a blocked event loop (a flush stalled for hundreds of
 * milliseconds on a busy disk froze every request). The log is written in order, so a later
 * transaction that read this one's rows is durable only after it. (Other connections may see a
 * transaction a moment before its flush completes; if the machine loses power in that moment,
 * whatever depended on it is lost with it, and none of it was acknowledged.) Checkpoints flush the
 * log before copying it, and the database file after. Statements outside a transaction (the reader)
 * keep synchronous=FULL.
 *
 * A query-level worker thread was measured and rejected: a message round trip costs ~33 µs of
 * latency and ~37 µs of main-thread CPU, and a commit runs about fifteen statements.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type Kysely, type QueryCompiler, type QueryResult,
} from 'kysely';
import { StoreBusyError } from './errors.js';

type Statement = BetterSqlite3.Statement<unknown[]>;

/** Statements kept prepared per connection (ours are a few dozen distinct texts). */
const STATEMENT_CACHE = 500;
/** Back-off between attempts to take a lock: short at first (locks are usually held for a millisecond), then up to 50 ms. */
const BACKOFF_MS = [1, 1, 2, 3, 5, 8, 13, 20, 30, 50];

const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_BUSY_RECOVERY' || code === 'SQLITE_LOCKED';
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One better-sqlite3 connection with a statement cache. */
class Connection {
  private readonly cache = new Map<string, Statement>();
  /**
   * Statements run that may write (not read-only: INSERT … RETURNING included). PRAGMA
   * data_version does not count a connection's own writes; this does, without asking SQLite.
   */
  private ownWrites = 0;
  private dataVersionStmt: Statement | undefined;
  constructor(readonly db: BetterSqlite3.Database) {}

  run(sql: string, parameters: readonly unknown[]): QueryResult<unknown> {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= STATEMENT_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, stmt);
    }
    if (!stmt.readonly) this.ownWrites++;
    if (stmt.reader) return { rows: stmt.all(parameters as unknown[]) };
    const { changes, lastInsertRowid } = stmt.run(parameters as unknown[]);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT: not worth caching (and COMMIT must not be a cached reader). */
  exec(sql: string): void {
    this.ownWrites++;
    this.db.exec(sql);
  }

  /** Changes by other connections (PRAGMA data_version) and statements of this one that may have written. */
  dataVersion(): string {
    this.dataVersionStmt ??= this.db.prepare('pragma data_version').pluck();
    return `${String(this.dataVersionStmt.get())}:${this.ownWrites}`;
  }
}

/** Waits its turn for the writer connection (one transaction at a time per process). */
class Mutex {
  private locked = false;
  private readonly waiting: (() => void)[] = [];
  async lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  unlock(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** What Kysely holds while it runs a query or a transaction: which connection it is on. */
class Handle implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly driver: AsyncSqliteDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.driver.writer.run(q.sql, q.parameters) as QueryResult<R>;
    // Outside a transaction: one statement on the reader, retried while another connection
    // (another process, or this process's writer) holds the lock it needs.
    return this.driver.retryWhileBusy(() => this.driver.reader.run(q.sql, q.parameters)) as Promise<QueryResult<R>>;
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(q);
  }
}

export class AsyncSqliteDriver implements Driver {
  readonly writer: Connection;
  readonly reader: Connection;
  private readonly mutex = new Mutex();

  private walFd: number | undefined;

  constructor(private readonly file: string, private readonly busyTimeoutMs: number, configure: (db: BetterSqlite3.Database) => void) {
    this.writer = new Connection(open(file, configure));
    this.writer.db.pragma('synchronous = NORMAL');
    this.reader = new Connection(open(file, configure));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Handle(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.mutex.lock();
    try {
      await this.retryWhileBusy(() => this.writer.exec('begin immediate'));
    } catch (e) {
      this.mutex.unlock();
      throw e;
    }
    (connection as Handle).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.writer.exec('commit');
    // The write lock is free; the next transaction may begin while this one's frames are flushed.
    const h = connection as Handle;
    h.inTransaction = false;
    this.mutex.unlock();
    await this.flushLog();
  }

  /** fdatasync of the write-ahead log, in the thread pool. */
  private flushLog(): Promise<void> {
    this.walFd ??= openSync(`${this.file}-wal`, 'r');
    const fd = this.walFd;
    return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT (or an error SQLite already rolled back) leaves no transaction to roll back.
    if ((connection as Handle).inTransaction && this.writer.db.inTransaction) this.writer.exec('rollback');
  }

  async savepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.writer.exec(`savepoint ${quoteName(name)}`);
  }

  async rollbackToSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.writer.exec(`rollback to savepoint ${quoteName(name)}`);
  }

  async releaseSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.writer.exec(`release savepoint ${quoteName(name)}`);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const h = connection as Handle;
    if (h.inTransaction) {
      h.inTransaction = false;
      this.mutex.unlock();
    }
  }

  async destroy(): Promise<void> {
    this.writer.db.close();
    this.reader.db.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
  }

  /**
   * A token that changes whenever what the reader sees may have changed: a commit by any other
   * connection (this process's writer, another process) or a write on the reader itself. One
   * prepared statement, without the query builder's machinery (it is asked on every HTTP
   * evaluation: src/api/ledger-snapshot.ts).
   */
  dataVersion(): Promise<string> {
    return this.retryWhileBusy(() => this.reader.dataVersion());
  }

  /** Run `f`; while it fails with SQLITE_BUSY, wait (without blocking) and try again until the deadline. */
  async retryWhileBusy<T>(f: () => T): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return f();
      } catch (e) {
        if (!isBusy(e)) throw e;
        const waited = Date.now() - started;
        if (waited >= this.busyTimeoutMs) throw new StoreBusyError(this.busyTimeoutMs);
        await sleep(Math.min(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!, Math.max(1, this.busyTimeoutMs - waited)));
      }
    }
  }
}

function open(file: string, configure: (db: BetterSqlite3.Database) => void): BetterSqlite3.Database {
  // timeout 0: never sleep inside a call (see above).
  const db = new BetterSqlite3(file, { timeout: 0 });
  configure(db);
  return db;
}

function quoteName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid savepoint name ${name}`);
  return name;
}

/** SQLite runs DDL inside transactions, so a migration is all-or-nothing and, with BEGIN IMMEDIATE, exclusive across processes. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class AsyncSqliteDialect implements Dialect {
  constructor(private readonly driver: AsyncSqliteDriver) {}
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
