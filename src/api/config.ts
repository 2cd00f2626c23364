/**
 * Operating limits of the HTTP service, in one place, with their defaults. None of these is a
 * legal threshold; they protect the service (memory, CPU, the database) and are configuration:
 * `aidr serve` flags and AIDR_* environment variables override them.
 */

export interface RateLimit {
  /** Requests per minute per API key (per client address when unauthenticated). */
  perMinute: number;
  /** How many requests may arrive at once before the per-minute pace applies (default: perMinute / 6, i.e. 10 s worth). */
  burst?: number;
}

export interface Limits {
  /** Largest request body accepted (bytes); larger → 413. */
  bodyLimitBytes: number;
  /** Most transactions in one request; more → 413. */
  maxBatch: number;
  /** Time allowed to receive a whole request (ms); Node's http server answers 408 past it. 0 disables. */
  requestTimeoutMs: number;
  /** Per-key rate limit; null = off. */
  rateLimit: RateLimit | null;
  /** Failed authentications per client address before its requests are refused with 429; null = off. */
  authFailureLimit: RateLimit | null;
  /** Largest transaction a commit records (characters of canonical JSON); larger → 413. */
  maxRecordedInputBytes: number;
  /** While shutting down, how long an idle keep-alive connection may still send its next request (answered with Connection: close). */
  drainGraceMs: number;
  /** How long a looked-up API key is trusted before it is read again (ms): bounds how late a revocation made by another process takes effect. */
  keyCacheMs: number;
  /** Longest graceful shutdown (ms): past it, the process exits with code 1 even if requests are still running. */
  shutdownTimeoutMs: number;
  /** Page size of the audit-log listing when the caller gives none, and the largest allowed. */
  defaultPageSize: number;
  maxPageSize: number;
  /** Largest order book accepted by POST /v1/screenings (bytes); larger → 413. */
  screeningBodyLimitBytes: number;
  /** Most lines a screening job reads; past it the job fails saying so (its results so far are kept). */
  screeningMaxRows: number;
  /**
   * Days a finished screening job (done, failed or interrupted) and its results are kept after its
   * last change; older ones are deleted when a job is submitted. A job's rows take about 7 KB a line.
   */
  screeningRetentionDays: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  bodyLimitBytes: 1024 * 1024,
  maxBatch: 1000,
  requestTimeoutMs: 30_000,
  rateLimit: null,
  authFailureLimit: { perMinute: 60, burst: 60 },
  maxRecordedInputBytes: 64 * 1024,
  drainGraceMs: 2_000,
  keyCacheMs: 2_000,
  shutdownTimeoutMs: 30_000,
  defaultPageSize: 100,
  maxPageSize: 1000,
  screeningBodyLimitBytes: 100 * 1024 * 1024,
  screeningMaxRows: 1_000_000,
  screeningRetentionDays: 30,
});

/** The default rate once rate limiting is switched on without a number (`--rate-limit` alone). */
export const DEFAULT_RATE_PER_MINUTE = 600;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got "${raw}")`);
  return n;
}

/** Limits from AIDR_* environment variables over the defaults (flags override these in turn). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  const set = <K extends keyof Limits>(key: K, name: string) => {
    const v = positiveInt(name, env[name]);
    if (v !== undefined) (out as unknown as Record<string, number>)[key] = v;
  };
  set('bodyLimitBytes', 'AIDR_BODY_LIMIT');
  set('maxBatch', 'AIDR_MAX_BATCH');
  set('requestTimeoutMs', 'AIDR_REQUEST_TIMEOUT_MS');
  set('keyCacheMs', 'AIDR_KEY_CACHE_MS');
  set('shutdownTimeoutMs', 'AIDR_SHUTDOWN_TIMEOUT_MS');
  set('screeningBodyLimitBytes', 'AIDR_SCREENING_BODY_LIMIT');
  set('screeningMaxRows', 'AIDR_SCREENING_MAX_ROWS');
  set('screeningRetentionDays', 'AIDR_SCREENING_RETENTION_DAYS');
  const rate = positiveInt('AIDR_RATE_LIMIT', env.AIDR_RATE_LIMIT);
  if (rate) out.rateLimit = { perMinute: rate };
  const failures = positiveInt('AIDR_AUTH_FAILURE_LIMIT', env.AIDR_AUTH_FAILURE_LIMIT);
  if (failures !== undefined) out.authFailureLimit = failures === 0 ? null : { perMinute: failures, burst: failures };
  set('maxRecordedInputBytes', 'AIDR_MAX_RECORDED_INPUT');
  return out;
}

/** Loopback addresses: a server bound only to these is reachable from this machine alone. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
