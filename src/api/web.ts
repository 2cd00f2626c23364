/**
 * The workbench on `aidr serve`: the page at `/`, its assets, the rule-text page its citation
 * links open (`/rule`), sign-in and sign-out (`/v1/session`), session administration
 * (`/v1/sessions`), and the routes the pages use beyond the core API (what-if, reference data,
 * audit search, replay).
 *
 * The page is one HTML document, one script (and the chunks it loads on demand) and one
 * stylesheet, built by scripts/bundle-web.mjs into dist/web and served from memory (gzipped once,
 * sent gzipped when the client accepts it). Every page is
 * sent with a strict Content-Security-Policy: scripts, styles, images and requests from this
 * origin only, no inline script, no framing; nothing is loaded from anywhere else.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RULE_KEYS, ruleTextPage } from '../web/rule-text.js';
import { ANONYMOUS, hasRole } from './keys.js';
import { ApiProblem } from './problem.js';
import { IdParams, Problem } from './schemas.js';
import { checkCsrf, clearCookie, createSession, csrfToken, forgetAllSessions, listSessions, revokeSession, sessionCookie, sessionTtlMs, setCookie, verifySession } from './sessions.js';
import { registerWhatIfRoutes } from './routes/what-if.js';
import { registerWorkbenchRoutes } from './routes/workbench.js';
import { parsePart, sendJson, type ApiContext } from './server.js';

export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
  "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

interface Asset { body: Buffer; gzip: Buffer; type: string; etag: string }

/** The package root: the nearest folder above this module with aidr's package.json (source, dist or bundle alike). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'aidr') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('aidr: cannot find the package root to serve the workbench from');
    dir = up;
  }
}

function asset(body: Buffer | string, type: string): Asset {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: buf, gzip: gzipSync(buf, { level: 9 }), type, etag: `"${createHash('sha256').update(buf).digest('base64url').slice(0, 22)}"` };
}

function loadAssets(): { js: Asset; css: Asset; index: Asset; rule: Asset; chunks: Map<string, Asset> } | undefined {
  const dir = join(packageRoot(), 'dist', 'web');
  if (!existsSync(join(dir, 'app.js')) || !existsSync(join(dir, 'app.css'))) return undefined;
  const js = asset(readFileSync(join(dir, 'app.js')), 'text/javascript; charset=utf-8');
  const css = asset(readFileSync(join(dir, 'app.css')), 'text/css; charset=utf-8');
  // Code split off the page (the spreadsheet reader and writer): named by content hash, loaded on demand.
  const chunkDir = join(dir, 'chunks');
  const chunks = new Map((existsSync(chunkDir) ? readdirSync(chunkDir).filter((f) => /^[\w.-]+\.js$/.test(f)) : [])
    .map((f) => [f, asset(readFileSync(join(chunkDir, f)), 'text/javascript; charset=utf-8')]));
  const v = (a: Asset) => a.etag.slice(1, 13);
  const index = asset(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>aidr workbench</title><link rel="stylesheet" href="/assets/app.css?v=${v(css)}"><link rel="icon" href="data:,">
<script type="module" src="/assets/app.js?v=${v(js)}"></script></head>
<body><div id="app"><noscript><p>The aidr workbench needs JavaScript. The command line (<code>aidr check</code>) and the HTTP API answer the same questions.</p></noscript></div></body></html>
`, 'text/html; charset=utf-8');
  const rule = asset(ruleTextPage(`/assets/app.css?v=${v(css)}`), 'text/html; charset=utf-8');
  return { js, css, index, rule, chunks };
}

function send(request: FastifyRequest, reply: FastifyReply, a: Asset, cache: string): FastifyReply {
  reply.headers(PAGE_HEADERS).header('cache-control', cache).header('etag', a.etag).header('vary', 'accept-encoding').type(a.type);
  if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(a.gzip);
  return reply.send(a.body);
}

const NOT_BUILT = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aidr</title></head><body><p>The workbench is not built: run <code>npm run build</code> (or <code>npm ci</code>), then restart <code>aidr serve</code>.</p></body></html>';

const SignIn = z.strictObject({ token: z.string().min(1).max(200).describe('an API key: aidr_<keyId>_<secret>') });
const SessionState = z.object({
  authenticated: z.boolean(), authRequired: z.boolean(),
  principal: z.object({ keyId: z.string(), role: z.string(), name: z.string(), anonymous: z.boolean() }).nullable(),
  csrfToken: z.string().optional(), expiresAt: z.string().optional(), sessionId: z.string().optional(),
});
const SessionInfoSchema = z.object({
  id: z.string(), keyId: z.string(), role: z.string(), name: z.string(), createdAt: z.string(), expiresAt: z.string(), userAgent: z.string(),
  revokedAt: z.string().nullable(), revokedBy: z.string().nullable(), active: z.boolean(),
});

export function registerWorkbench(app: FastifyInstance, ctx: ApiContext): void {
  const assets = loadAssets();
  const page = { config: { role: 'public' as const }, schema: { hide: true } };

  app.get('/', page, async (request, reply) => (assets ? send(request, reply, assets.index, 'no-cache') : reply.code(503).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(NOT_BUILT)));
  app.get('/assets/app.js', page, async (request, reply) => (assets ? send(request, reply, assets.js, 'public, max-age=31536000, immutable') : reply.code(404).send()));
  app.get('/assets/app.css', page, async (request, reply) => (assets ? send(request, reply, assets.css, 'public, max-age=31536000, immutable') : reply.code(404).send()));
  app.get('/assets/chunks/:name', page, async (request, reply) => {
    const a = assets?.chunks.get((request.params as { name: string }).name);
    return a ? send(request, reply, a, 'public, max-age=31536000, immutable') : reply.code(404).headers(PAGE_HEADERS).send();
  });
  const rule = assets?.rule ?? asset(ruleTextPage('/assets/app.css'), 'text/html; charset=utf-8');
  app.get('/rule', page, async (request, reply) => send(request, reply, rule, 'no-cache'));
  const anchors = asset(JSON.stringify([...RULE_KEYS]), 'application/json; charset=utf-8');
  app.get('/rule/anchors.json', page, async (request, reply) => send(request, reply, anchors, 'no-cache'));

  app.get('/v1/session', {
    config: { role: 'public' },
    schema: { tags: ['sessions'], summary: 'Who this browser is signed in as, and the CSRF token its state-changing requests carry', security: [], response: { 200: SessionState } },
  }, async (request, reply) => {
    const token = sessionCookie(request);
    const s = token ? await verifySession(ctx.store, token) : undefined;
    if (s && token) {
      return sendJson(reply.header('cache-control', 'no-store'), 200, { authenticated: true, authRequired: ctx.authRequired, principal: s.principal, csrfToken: csrfToken(token), expiresAt: s.session.expiresAt, sessionId: s.session.id });
    }
    if (token) reply.header('set-cookie', clearCookie(request));
    return sendJson(reply.header('cache-control', 'no-store'), 200, { authenticated: false, authRequired: ctx.authRequired, principal: ctx.authRequired ? null : ANONYMOUS });
  });

  app.post('/v1/session', {
    config: { role: 'public' },
    schema: {
      tags: ['sessions'], summary: 'Sign in: exchange an API key for a session cookie (HttpOnly, SameSite=Strict, Secure over TLS) with the key\'s role',
      security: [], body: SignIn, response: { 201: SessionState, 400: Problem, 401: Problem },
    },
  }, async (request, reply) => {
    const { token } = parsePart(SignIn, request.body ?? {}, 'body');
    const principal = await ctx.keys.verify(token.trim());
    if (!principal) throw new ApiProblem('unauthorized', 'unknown, revoked or malformed API key');
    const ttl = sessionTtlMs();
    const s = await createSession(ctx.store, principal, String(request.headers['user-agent'] ?? ''), ttl);
    setCookie(reply, request, s.token, ttl);
    return sendJson(reply.header('cache-control', 'no-store'), 201, { authenticated: true, authRequired: ctx.authRequired, principal, csrfToken: csrfToken(s.token), expiresAt: s.session.expiresAt, sessionId: s.session.id });
  });

  app.delete('/v1/session', {
    config: { role: 'public' },
    schema: { tags: ['sessions'], summary: 'Sign out: revoke this browser\'s session and clear the cookie (needs X-CSRF-Token)', security: [], response: { 204: z.null(), 403: Problem } },
  }, async (request, reply) => {
    const token = sessionCookie(request);
    if (token) {
      checkCsrf(request, token);
      const s = await verifySession(ctx.store, token);
      if (s) await revokeSession(ctx.store, s.session.id, s.principal.keyId);
    }
    return reply.code(204).header('set-cookie', clearCookie(request)).send();
  });

  app.get('/v1/sessions', {
    config: { role: 'admin' },
    schema: { tags: ['sessions'], summary: 'Workbench sessions, newest first (never their tokens)', response: { 200: z.array(SessionInfoSchema), 401: Problem, 403: Problem } },
  }, async (_request, reply) => sendJson(reply, 200, await listSessions(ctx.store)));

  app.delete('/v1/sessions/:id', {
    config: { role: 'admin' },
    schema: { tags: ['sessions'], summary: 'Revoke a workbench session (revoking twice is harmless)', params: IdParams, response: { 200: SessionInfoSchema, 401: Problem, 403: Problem, 404: Problem } },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    if (!hasRole(request.principal.role, 'admin')) throw new ApiProblem('forbidden', 'revoking sessions needs role admin');
    const s = await revokeSession(ctx.store, id, request.principal.keyId);
    if (!s) throw new ApiProblem('not-found', `no session ${id.slice(0, 100)}`);
    return sendJson(reply, 200, s);
  });

  // A key revoked through this process ends its sessions before the revocation is answered
  // (revocations made elsewhere, e.g. by the CLI, take effect within the session cache's 2 s).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'DELETE' && request.routeOptions.url === '/v1/keys/:id' && reply.statusCode === 200) forgetAllSessions(ctx.store);
    return payload;
  });

  registerWhatIfRoutes(app, ctx);
  registerWorkbenchRoutes(app, ctx);
}
