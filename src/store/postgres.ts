/**
 * PostgreSQL for aidr: a pg pool whose lost connections are ordinary events.
 *
 * A backend that goes away (`idle_session_timeout`, `pg_terminate_backend` by an operator, a
 * restart, a failover, a pooler reset) makes the pg client emit 'error'. With no listener Node
 * treats that as a crash of the whole process; here every pool and every client has one, the dead
 * client is dropped from the pool (pg-pool does that when it is released), the request that was
 * using it fails with a StoreUnavailableError (503, Retry-After), and the next request opens a
 * fresh connection: the process recovers by itself when the server is back.
 */
import pg from 'pg';

export interface PgPoolOptions {
  url: string;
  schema?: string;
  max: number;
  /** application_name of the connections (default PGAPPNAME, else "aidr"): lets an operator find (and a test terminate) this process's backends. */
  applicationName?: string;
  /** Told about connection errors that no request was waiting for (logged by the caller). */
  onError: (what: string, e: Error) => void;
}

/** How long to wait for a connection before answering "unavailable" (ms). */
const CONNECT_TIMEOUT_MS = 10_000;

export function createPool(o: PgPoolOptions): pg.Pool {
  const options = [process.env.PGOPTIONS, o.schema ? `-c search_path=${o.schema}` : undefined].filter(Boolean).join(' ');
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: o.applicationName ?? process.env.PGAPPNAME ?? 'aidr',
    ...(options ? { options } : {}),
  });
  // An idle client whose backend went away: pg-pool removes it and re-emits the error here.
  pool.on('error', (e) => o.onError('an idle database connection was closed', e));
  // A client in use (e.g. inside a transaction, between two statements) gets the error on itself;
  // the statement that uses it next fails, and the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', (e) => o.onError('a database connection was closed', e)));
  return pool;
}

/** Create the schema if missing (two processes at once: the loser sees that it exists). */
export async function ensureSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  admin.on('error', () => {});
  await admin.connect();
  try {
    await admin.query(`create schema if not exists ${schema}`);
  } catch (e) {
    if ((e as { code?: string }).code !== '23505' && (e as { code?: string }).code !== '42P06') throw e;
  } finally {
    await admin.end();
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
