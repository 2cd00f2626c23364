/**
 * `aidr serve`: the HTTP service (src/api). Zero setup: SQLite in AIDR_DATA_DIR (default ./.aidr),
 * or PostgreSQL when DATABASE_URL is set. Authentication is on whenever the server listens beyond
 * loopback, and with --auth; otherwise requests act as a local anonymous officer (said at
 * startup). SIGTERM / SIGINT: stop accepting connections; requests that arrive on open keep-alive
 * connections are still answered, with Connection: close; in-flight requests (commits) finish;
 * then the database is closed and the process exits 0.
 *
 * Fastify, pino and the database drivers load only here (dynamic imports), so `aidr check`
 * stays fast.
 */
import type { Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RATE_PER_MINUTE, isLoopback, limitsFromEnv, type Limits } from '../api/config.js';
import { reportAndExit, UsageError } from './io.js';

interface ServeFlags {
  host: string;
  port: string;
  auth?: boolean;
  bodyLimit?: string;
  maxBatch?: string;
  rateLimit?: string | boolean;
  authFailureLimit?: string;
  requestTimeout?: string;
  logLevel: string;
}

/** How long a request waits for another process's write lock on SQLite before 503 (AIDR_BUSY_TIMEOUT_MS overrides). */
const SERVE_BUSY_TIMEOUT_MS = 5_000;

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP service (OpenAPI at /openapi.json); PostgreSQL when DATABASE_URL is set, else SQLite in AIDR_DATA_DIR')
    .option('--host <host>', 'address to listen on; anything but loopback turns authentication on', process.env.AIDR_HOST ?? DEFAULT_HOST)
    .option('--port <port>', 'port (0: any free port)', process.env.AIDR_PORT ?? String(DEFAULT_PORT))
    .option('--auth', 'require API keys even on loopback')
    .option('--body-limit <bytes>', 'largest request body (default 1048576, or AIDR_BODY_LIMIT)')
    .option('--max-batch <n>', 'most transactions per request (default 1000, or AIDR_MAX_BATCH)')
    .option('--rate-limit [perMinute]', `per-key rate limit (default off, or AIDR_RATE_LIMIT; alone: ${DEFAULT_RATE_PER_MINUTE} a minute)`)
    .option('--auth-failure-limit <perMinute>', 'failed authentications per client address a minute before 429 (default 60, or AIDR_AUTH_FAILURE_LIMIT; 0: off)')
    .option('--request-timeout <ms>', 'time allowed to receive a request (default 30000, or AIDR_REQUEST_TIMEOUT_MS)')
    .option('--log-level <level>', 'pino log level: trace, debug, info, warn, error, silent', process.env.AIDR_LOG_LEVEL ?? 'info')
    .action(async (flags: ServeFlags) => {
      try {
        await serve(flags);
      } catch (e) {
        reportAndExit(e);
      }
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const limits: Limits = limitsFromEnv();
  const port = int('--port', flags.port, 0, 65535);
  if (flags.bodyLimit !== undefined) limits.bodyLimitBytes = int('--body-limit', flags.bodyLimit, 1, 1024 ** 3);
  if (flags.maxBatch !== undefined) limits.maxBatch = int('--max-batch', flags.maxBatch, 1, 1_000_000);
  if (flags.requestTimeout !== undefined) limits.requestTimeoutMs = int('--request-timeout', flags.requestTimeout, 0, 3_600_000);
  if (flags.rateLimit !== undefined) {
    limits.rateLimit = { perMinute: flags.rateLimit === true ? DEFAULT_RATE_PER_MINUTE : int('--rate-limit', flags.rateLimit as string, 1, 10_000_000) };
  }
  if (flags.authFailureLimit !== undefined) {
    const n = int('--auth-failure-limit', flags.authFailureLimit, 0, 10_000_000);
    limits.authFailureLimit = n === 0 ? null : { perMinute: n, burst: n };
  }
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  if (!levels.includes(flags.logLevel)) throw new UsageError(`--log-level must be one of ${levels.join(', ')}`);
  const authRequired = flags.auth === true || !isLoopback(flags.host);

  const { pino } = await import('pino');
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = pino({
    level: flags.logLevel,
    base: { pid: process.pid },
    // Belt and braces: nothing logs request headers, and if something ever does, no key leaks.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], censor: '[redacted]' },
  }, destination);
  // Lines written while a write is pending go out together (one system call for many requests);
  // what is still buffered is written before the process exits.
  process.on('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing buffered, or stdout already closed.
    }
  });
  const { openStore } = await import('../store/open.js');
  const { buildServer } = await import('../api/server.js');
  const busy = process.env.AIDR_BUSY_TIMEOUT_MS ? undefined : SERVE_BUSY_TIMEOUT_MS;
  const store = await openStore({
    ...(busy !== undefined ? { busyTimeoutMs: busy } : {}),
    // SQLite: checkpoints in a worker thread, not inside a COMMIT on the event loop.
    backgroundCheckpoints: true,
    // A pooled connection that the database closed while idle: logged, dropped, replaced on demand.
    onError: (what, e) => logger.warn({ reason: e.message }, what),
  });
  let app;
  try {
    // Every commit appends a signed audit record: refuse to start rather than fail each one.
    if (!store.signer) throw new UsageError(`cannot serve this store: ${store.signingProblem}`);
    app = await buildServer({ store, auth: { required: authRequired }, limits, logger, jobs: true });
  } catch (e) {
    await store.close();
    throw e;
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: no new requests; waiting for in-flight requests');
    process.stderr.write(`aidr serve: ${signal}: finishing in-flight requests, then closing the database\n`);
    const force = setTimeout(() => {
      process.stderr.write(`aidr serve: requests still running after ${limits.shutdownTimeoutMs} ms; exiting\n`);
      process.exit(1);
    }, limits.shutdownTimeoutMs);
    force.unref();
    app.close()
      .then(() => store.close())
      .then(() => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      })
      .catch((e: unknown) => {
        process.stderr.write(`aidr serve: shutdown failed: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const address = await app.listen({ host: flags.host, port });
  const authText = authRequired
    ? `authentication: on (API keys required${isLoopback(flags.host) ? ', --auth' : ': listening beyond loopback'})`
    : 'authentication: OFF (loopback only): requests without a key act as a local anonymous officer (evaluate, commit, ledger writes); use --auth to require keys';
  logger.info({ address, store: store.dialect, location: store.location, authRequired, limits }, 'listening');
  process.stderr.write(`aidr serve: listening on ${address}\n  store: ${store.dialect} ${store.location}\n  signing key: ${store.signingKeyPath} (key id ${store.signer!.keyId})\n  ${authText}\n  workbench: ${address}/\n  OpenAPI: ${address}/openapi.json\n`);
}
