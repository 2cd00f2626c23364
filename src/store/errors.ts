/**
 * When the store itself cannot answer: the database is down, a connection was lost, another
 * process holds the write lock past the deadline, the file is damaged. These are ordinary events
 * of a deployment, not bugs: the HTTP service answers 503 with Retry-After and `/readyz` says so
 * until the database answers again; the command line prints one line and exits 1.
 *
 * `storeFault(e)` recognises them whatever raised them (the pg driver, the pool, better-sqlite3,
 * Node's sockets), so callers need not know the back end.
 */

/** Why the store could not serve a request, and when to try again. */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds after which a retry may succeed (the Retry-After of a 503). */
    readonly retryAfterSeconds = 1,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** Waited past the deadline for another process's write lock (SQLite). */
export class StoreBusyError extends StoreUnavailableError {
  constructor(waitedMs: number) {
    super(`the database is busy: another process has held its write lock for more than ${waitedMs} ms (e.g. a long ledger import); try again`, 1, 'SQLITE_BUSY');
    this.name = 'StoreBusyError';
  }
}

/** A verification found something wrong (the audit chain, a signature, a checkpoint, a balance); the CLI exits 5. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** PostgreSQL SQLSTATE classes and codes that mean "the server or the connection is gone". */
const PG_UNAVAILABLE = /^(08...|57P0[1-5]|53300|53400)$/;
/** Node and driver errors of a lost or refused connection. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const PG_MESSAGES = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|Connection ended unexpectedly|the database system is (starting up|shutting down|in recovery mode)/i;
/** SQLite result codes of a damaged, missing or full file, or of a lock held past the deadline. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CORRUPT|NOTADB|IOERR|CANTOPEN|FULL|PROTOCOL|READONLY)/;

/** The store fault `e` is, or undefined when it is something else (a refusal, bad input, a bug). */
export function storeFault(e: unknown): StoreUnavailableError | undefined {
  if (e instanceof StoreUnavailableError) return e;
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (PG_UNAVAILABLE.test(code)) return new StoreUnavailableError(`the database connection was lost or refused (${code}: ${firstLine(e.message)})`, 1, code);
    if (NET_CODES.has(code)) return new StoreUnavailableError(`the database cannot be reached (${code})`, 1, code);
    if (SQLITE_UNAVAILABLE.test(code)) {
      const damaged = /CORRUPT|NOTADB/.test(code);
      return new StoreUnavailableError(damaged ? `the database file is damaged (${code}: ${firstLine(e.message)}); restore it from a backup` : `the database cannot be used right now (${code}: ${firstLine(e.message)})`, damaged ? 60 : 1, code);
    }
  }
  if (PG_MESSAGES.test(e.message)) return new StoreUnavailableError(`the database connection was lost (${firstLine(e.message)})`);
  return undefined;
}

/** A lost connection (as opposed to a damaged file or a busy lock): a transaction that failed before COMMIT may simply be run again. */
export function connectionLost(e: unknown): boolean {
  const f = storeFault(e);
  return f !== undefined && !(f instanceof StoreBusyError) && !/^SQLITE_/.test(f.code ?? '');
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
