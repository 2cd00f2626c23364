/**
 * The HTTP service: `buildServer({ store, auth, limits, logger })` returns a Fastify instance
 * (not yet listening) that tests drive with `inject` and `aidr serve` binds to a port.
 *
 * Request lifecycle, and why in this order:
 * 1. onRequest: authenticate (Bearer token → key id and role, or the local anonymous officer
 *    when authentication is off), check the route's role, take a rate-limit token. All before
 *    the body is read: an unauthenticated client cannot make the server parse 1 MiB of JSON.
 * 2. Fastify parses the JSON body once (size limit → 413, wrong type → 415, bad JSON → 400).
 * 3. The handler validates with the contract's zod schemas (one pass; errors name field paths),
 *    runs the engine or the ledger, and sends `JSON.stringify` of the result: response schemas
 *    are for the OpenAPI document only.
 * 4. onResponse: metrics and one structured log line (key id, never the key).
 *
 * Every error, whatever throws it, goes through one error handler that answers with RFC 9457
 * problem details; only a fault of the service itself (a database outage, a bug) is a 5xx.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyCompress from '@fastify/compress';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from 'pino';
import { InputError } from '../engine/context.js';
import { storeFault } from '../store/errors.js';
import { LedgerError, CapExceededError } from '../ledger/errors.js';
import type { Store } from '../store/open.js';
import { registerJsonParser } from './body.js';
import { DEFAULT_LIMITS, type Limits } from './config.js';
import { checkLocalRequest, closeAfterAnswer } from './guard.js';
import { ANONYMOUS, KeyVerifier, PUBLIC, hasRole, type Principal, type Role } from './keys.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ApiProblem, cut, joinPath, problemBody, sendProblem, validationProblem } from './problem.js';
import { RateLimiter } from './rate-limit.js';
import { COMPONENTS } from './schemas.js';
import { registerDeterminationRoutes } from './routes/determinations.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerLedgerRoutes } from './routes/ledger.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerMetaRoutes } from './routes/meta.js';
import { sessionPrincipal } from './sessions.js';
import { registerWorkbench } from './web.js';
import { registerScreeningRoutes } from './routes/screenings.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** The route's pattern ("unmatched" for none), read once per request (Fastify's routeOptions getter builds an object each time). */
    routeUrl: string;
  }
  interface FastifyContextConfig {
    /** The least role that may call the route; 'public' needs no key. */
    role?: Role | 'public';
  }
}

export interface ServerOptions {
  store: Store;
  /** required: every route but the public ones needs a key. Default true; `aidr serve` turns it off on loopback unless --auth. */
  auth?: { required: boolean };
  limits?: Partial<Limits>;
  /** A pino logger; false or absent: no logging. */
  logger?: Logger | false;
  metrics?: Metrics;
  /** Collect Node process metrics (default true). */
  processMetrics?: boolean;
  /**
   * Screening jobs: on SQLite the runner always starts with the server (it marks jobs cut off by a
   * restart as interrupted and runs queued ones). On PostgreSQL `true` starts pg-boss now, so this
   * instance claims and takes over jobs (aidr serve); otherwise it starts with the first job.
   */
  jobs?: boolean;
  /** PostgreSQL: the database URL pg-boss connects with (default DATABASE_URL). */
  databaseUrl?: string;
}

export interface ApiContext {
  store: Store;
  limits: Limits;
  metrics: Metrics;
  keys: KeyVerifier;
  authRequired: boolean;
  databaseUrl?: string;
  /** The service's logger (Fastify itself has none, so `request.log` writes nothing): routes and plugins log here. */
  logger: Logger | undefined;
}

/** Shared by every route module: send a JSON value without going through a schema serializer. */
export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return sendJsonText(reply, status, JSON.stringify(value));
}

/** A body already serialised as JSON. */
export function sendJsonText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

/** Validate one request part with a zod schema; a 400 naming every offending field otherwise. */
export function parsePart<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationProblem(r.error.issues, prefix);
}

/** The role a route needs, checked again in handlers whose need depends on the body (commit). */
export function requireRole(request: FastifyRequest, role: Role, what: string): void {
  if (!hasRole(request.principal.role, role)) {
    throw new ApiProblem('forbidden', `${what} needs role ${role}; this key (${request.principal.keyId}) has role ${request.principal.role}`);
  }
}

const LEDGER_STATUS = {
  cap_exceeded: 'cap-exceeded',
  idempotency_conflict: 'idempotency-conflict',
  reservation_state: 'conflict',
  uveu_limit: 'conflict',
  not_found: 'not-found',
  not_eligible: 'unprocessable',
} as const;

/**
 * Any thrown value → a problem. Exported for the batch commit, which reports a refused item in
 * its place instead of failing the request.
 */
export function toProblem(err: unknown, prefix = 'body'): ApiProblem {
  if (err instanceof ApiProblem) return err;
  // The client closed the connection while its body was read (Node's 'aborted', code ECONNRESET):
  // not the database's connection, which the code alone would suggest (red team, 2026-12-06: each
  // aborted upload was logged as a database outage).
  if (err instanceof Error && err.message === 'aborted' && (err as { code?: unknown }).code === 'ECONNRESET') {
    return new ApiProblem('malformed-request', 'the request body was cut off: the client closed the connection');
  }
  // The database went away, or is busy past the deadline: an ordinary event, said as such.
  const fault = storeFault(err);
  if (fault) return new ApiProblem('unavailable', fault.message, undefined, { retryAfter: fault.retryAfterSeconds }, { 'retry-after': String(fault.retryAfterSeconds) });
  if (err instanceof InputError) {
    // The schema accepted the request; the engine or the ledger could not carry it out.
    const path = cut(joinPath(prefix, err.path), 300);
    const message = cut(err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err.message, 500);
    return new ApiProblem('unprocessable', `${path}: ${message}`, [{ path, message }]);
  }
  if (err instanceof LedgerError) {
    const extra: Record<string, unknown> = { code: err.code };
    if (err instanceof CapExceededError) Object.assign(extra, { account: err.account, requestedTpp: err.requestedTpp, leftTpp: err.leftTpp, capTpp: err.capTpp });
    return new ApiProblem(LEDGER_STATUS[err.code], err.message, undefined, extra);
  }
  const fe = err as Partial<FastifyError> & { status?: number };
  const status = fe.statusCode ?? fe.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const slug = status === 413 ? 'too-large' : status === 415 ? 'unsupported-media-type' : status === 404 ? 'not-found'
      : status === 408 ? 'request-timeout' : status === 429 ? 'rate-limited' : 'malformed-request';
    return new ApiProblem(slug, describeFastifyError(fe));
  }
  if (typeof status === 'number' && status === 503) return new ApiProblem('unavailable', fe.message ?? 'unavailable');
  return new ApiProblem('internal', 'the service failed to answer this request; it has been logged');
}

/** Credentials have no place in a URL, but one put there must not reach the logs; long URLs are cut. */
const SECRET_PARAM = /([?&](?:token|key|api_?key|access_?token|auth(?:orization)?)=)[^&#]*/gi;
export function loggableUrl(url: string): string {
  // The usual case: a short path without a query or anything shaped like a key.
  if (url.length <= 200 && !url.includes('?') && !url.includes('aidr_')) return url;
  const clean = url.replace(SECRET_PARAM, '$1[redacted]').replace(/aidr_[0-9a-f]+_[A-Za-z0-9_-]+/g, '[redacted]');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** A route pattern (`/v1/ledger/accounts/:id`) as a RegExp matching the paths it serves. */
function routeRegExp(pattern: string): RegExp {
  const segment = (seg: string) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'));
  return new RegExp(`^${pattern.split('/').map(segment).join('/')}$`);
}

function describeFastifyError(e: Partial<FastifyError>): string {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the body as application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than this service accepts`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty; send a JSON document';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length does not match the body';
    default:
      // JSON.parse's message says where the JSON breaks; keep it short.
      return e.message ? `the body is not valid JSON or not acceptable: ${e.message.slice(0, 300)}` : 'malformed request';
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: opts.processMetrics });
  const logger = opts.logger || undefined;
  const ctx: ApiContext = {
    store: opts.store, limits, metrics, keys: new KeyVerifier(opts.store, limits.keyCacheMs), authRequired: opts.auth?.required ?? true, logger,
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
  };
  const app = Fastify({
    // Fastify gets no logger (it would make a child logger for every request): the service writes
    // its own lines (one per request, in onResponse, with the request id; errors) with `logger`.
    logger: false,
    // One line per request, written in onResponse with the key id (Fastify's own two lines carry neither).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks request and header deadlines only every connectionsCheckingInterval (30 s by
    // default): a stalled upload would outlive a 2 s timeout by half a minute. Check every second,
    // and give the headers no longer than the whole request.
    http: { connectionsCheckingInterval: 1000, headersTimeout: Math.min(60_000, limits.requestTimeoutMs) },
    // While draining, a request that already arrived on an open connection is served (with
    // Connection: close) rather than refused: it may be a commit its client is waiting for.
    return503OnClosing: false,
    forceCloseConnections: false,
    routerOptions: { maxParamLength: 500 },
    clientErrorHandler,
    frameworkErrors: (err, request, reply) => {
      sendProblem(request, reply, new ApiProblem('malformed-request', err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid (bad percent-encoding)' : err.message));
    },
  }) as unknown as FastifyInstance;

  // Schemas are documentation; validation happens in handlers (paths named) and serialization is
  // JSON.stringify. No validator at all (rather than one that accepts everything): Fastify then
  // skips its validation step for every request.
  app.setValidatorCompiler(() => undefined as unknown as (data: unknown) => { value: unknown });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('routeUrl', 'unmatched');
  registerJsonParser(app);

  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of COMPONENTS) registry.add(schema, { id });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'aidr',
        version: '1',
        description: 'The AI Diffusion rule (BIS IFR, 90 FR 4544) as a service: determinations with citations, ledgers, the audit log. Errors are RFC 9457 problem details (docs/http.md).',
      },
      servers: [{ url: '/', description: 'this aidr serve instance (default http://127.0.0.1:8080)' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key, aidr_<keyId>_<secret> (aidr keys create)' } } },
      security: [{ bearer: [] }],
    },
    transform: withOperationId(createJsonSchemaTransform({ schemaRegistry: registry, skipList: [] })),
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: registry }),
  });

  // Every route's pattern and methods, so that a known path asked with another method answers 405
  // with Allow rather than 404.
  const patterns: { re: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (r) => {
    const re = routeRegExp(r.url);
    let p = patterns.find((x) => x.re.source === re.source);
    if (!p) patterns.push((p = { re, methods: new Set() }));
    for (const m of [r.method].flat()) p.methods.add(m);
  });
  const methodsOf = (path: string): string[] => [...new Set(patterns.filter((p) => p.re.test(path)).flatMap((p) => [...p.methods]))].sort();

  const limiter = limits.rateLimit ? new RateLimiter(limits.rateLimit) : undefined;
  const authFailures = limits.authFailureLimit ? new RateLimiter(limits.authFailureLimit) : undefined;

  // Everything decided before the body is read: where the request comes from, who sends it, its
  // role and its rate. A refusal here closes the connection after the answer (guard.ts), so a
  // body nobody asked for is not read.
  let draining = false;
  app.addHook('onRequest', async (request, reply) => {
    if (draining) reply.header('connection', 'close');
    try {
      if (!ctx.authRequired) checkLocalRequest(request);
      const route = request.routeOptions;
      if (!request.is404 && route.url) request.routeUrl = route.url;
      const role = route.config.role;
      // Unmatched paths answer 404 without asking for a key; public routes need none.
      if (role === undefined || role === 'public' || request.is404) {
        request.principal = PUBLIC;
        return;
      }
      const address = `ip:${request.ip}`;
      // Past its limit of failed authentications, an address is refused before any key is looked
      // up, except with a key this process verified recently (a client sharing the address).
      const penalty = authFailures?.peek(address) ?? 0;
      try {
        request.principal = await authenticate(request, ctx, penalty > 0);
      } catch (e) {
        if (!(e instanceof ApiProblem && e.slug === 'unauthorized')) throw e;
        if (penalty > 0) throw new ApiProblem('rate-limited', `too many failed authentications from this address; retry in ${penalty} s`, undefined, { retryAfter: penalty }, { 'retry-after': String(penalty) });
        authFailures?.take(address);
        throw e;
      }
      if (!hasRole(request.principal.role, role)) {
        throw new ApiProblem('forbidden', `${request.method} ${request.routeUrl} needs role ${role}; this key (${request.principal.keyId}) has role ${request.principal.role}`);
      }
      if (limiter) {
        const wait = limiter.take(request.principal.anonymous ? address : request.principal.keyId);
        if (wait > 0) throw new ApiProblem('rate-limited', `rate limit of ${limits.rateLimit!.perMinute} requests a minute reached; retry in ${wait} s`, undefined, { retryAfter: wait }, { 'retry-after': String(wait) });
      }
    } catch (e) {
      closeAfterAnswer(request, reply);
      throw e;
    }
  });

  // Draining (SIGTERM): the listener stops accepting connections; a request that arrives on an
  // open keep-alive connection is still served, and its answer carries Connection: close, so the
  // client moves on cleanly. Node would close idle keep-alive connections at once (a client
  // sending on one at that moment gets a reset): they are left a grace period to send their next
  // request, then closed.
  // (The header is set in onRequest, which every request passes through: no onSend hook on the hot path.)
  app.addHook('preClose', async () => {
    draining = true;
    const server = app.server;
    const closeIdle = server.closeIdleConnections.bind(server);
    server.closeIdleConnections = () => {};
    setTimeout(closeIdle, limits.drainGraceMs).unref();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeUrl;
    const status = reply.statusCode;
    metrics.recordRequest(request.method, route, status, reply.elapsedTime / 1000);
    if (logger) {
      logger.info({
        reqId: request.id, method: request.method, route, url: loggableUrl(request.url),
        status, ms: Math.round(reply.elapsedTime * 100) / 100, keyId: request.principal?.keyId ?? null,
      }, 'request');
    }
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const p = toProblem(err);
    if (p.slug === 'unavailable') logger?.warn({ reqId: request.id, reason: p.message }, 'database unavailable');
    else if (p.status >= 500) logger?.error({ reqId: request.id, err }, 'request failed');
    return sendProblem(request, reply, p);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    const allowed = methodsOf(path);
    if (allowed.length > 0) {
      return sendProblem(request, reply, new ApiProblem('method-not-allowed', `${path.slice(0, 200)} answers ${allowed.join(', ')}, not ${request.method}`, undefined, { allow: allowed }, { allow: allowed.join(', ') }));
    }
    sendProblem(request, reply, new ApiProblem('not-found', `no route ${request.method} ${path.slice(0, 200)} (see GET /openapi.json)`));
  });

  // Content codings are case-insensitive (RFC 9110 §8.4.1): `GZIP` is gzip to the decompression below.
  app.addHook('onRequest', (request, _reply, done) => {
    const coding = request.headers['content-encoding'];
    if (typeof coding === 'string') request.headers['content-encoding'] = coding.toLowerCase();
    done();
  });
  // Compressed answers when the client accepts them (large result sets: screenings, listings, determinations).
  await app.register(fastifyCompress, { global: true, encodings: ['br', 'gzip'], threshold: 1024, customTypes: /^text\/|json/ });
  registerDeterminationRoutes(app, ctx);
  const screenings = registerScreeningRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerLedgerRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerMetaRoutes(app, ctx);
  registerWorkbench(app, ctx);
  app.addHook('onClose', async () => {
    if (jobsStarted) await (await screenings.runner()).stop();
  });
  await app.ready();
  let jobsStarted = false;
  if (opts.store.dialect === 'sqlite' || opts.jobs) {
    await screenings.runner();
    jobsStarted = true;
  }
  return app;
}

/**
 * Every operation gets an operationId (OpenAPI clients name their methods after it): the method
 * and the path's words, e.g. `getV1ScreeningsIdResults`, unless the route gives its own.
 */
type SchemaTransform = ReturnType<typeof createJsonSchemaTransform>;

function withOperationId(transform: SchemaTransform): SchemaTransform {
  return (arg) => {
    const out = transform(arg) as { schema: { operationId?: string; hide?: boolean } & Record<string, unknown>; url: string };
    if (out.schema && out.schema.operationId === undefined && !out.schema.hide) {
      const method = [arg.route.method].flat()[0]!.toLowerCase();
      const words = arg.url.split('/').filter(Boolean).map((w) => w.replace(/^:/, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')));
      out.schema = { ...out.schema, operationId: method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') };
    }
    return out as ReturnType<SchemaTransform>;
  };
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (a malformed request line, a bad
 * Content-Length, oversized headers, a request that took too long to arrive): answered as
 * problem documents too, then the connection is closed, as Node itself would.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const slug = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request-timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers-too-large' : 'malformed-request';
  const detail = slug === 'request-timeout' ? 'the request did not arrive in time' : slug === 'headers-too-large' ? 'the request headers are too large' : 'the HTTP request is malformed';
  const problem = problemBody(slug, detail, '/');
  const body = JSON.stringify(problem);
  const status = problem.status;
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

async function authenticate(request: FastifyRequest, ctx: ApiContext, cachedOnly = false): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined) {
    // The workbench's session cookie (CSRF-checked for state-changing requests), with its key's role.
    const session = await sessionPrincipal(request, ctx.store);
    if (session) return session;
    if (!ctx.authRequired) return ANONYMOUS;
    throw new ApiProblem('unauthorized', 'send an API key: Authorization: Bearer aidr_<keyId>_<secret> (create one with `aidr keys create`)', undefined, undefined, { 'www-authenticate': 'Bearer realm="aidr"' });
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const principal = m ? await ctx.keys.verify(m[1]!, cachedOnly) : undefined;
  if (!principal) {
    // A presented key is always checked, even when authentication is off: a wrong key is never silently ignored.
    throw new ApiProblem('unauthorized', m ? 'unknown, revoked or malformed API key' : 'expected Authorization: Bearer <API key>', undefined, undefined, { 'www-authenticate': 'Bearer realm="aidr", error="invalid_token"' });
  }
  return principal;
}
