/**
 * Workbench sessions: a person signs in once with an API key and gets a session cookie that
 * authenticates the same routes with the same role as the key (migration 009).
 *
 * - The cookie `aidr_session` holds `aidrs_<id>_<secret>`; only SHA-256 of it is stored. It is
 *   HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/, and
 *   Secure when the request came over TLS.
 * - A session expires (SESSION_TTL_MS after sign-in, or AIDR_SESSION_TTL_MS) and can be revoked
 *   (sign-out, or an admin); revoking its API key ends it too.
 * - CSRF: a request with the cookie that changes state (anything but GET, HEAD, OPTIONS) must
 *   carry `X-CSRF-Token`, which the page learns from `GET /v1/session` (same-origin JSON another
 *   site cannot read). The token is derived from the cookie's secret (HMAC-like SHA-256), so it
 *   needs no storage and dies with the session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/open.js';
import { isRole, type Principal, type Role } from './keys.js';
import { ApiProblem } from './problem.js';

export const SESSION_COOKIE = 'aidr_session';
export const CSRF_HEADER = 'x-csrf-token';
/** How long a session lasts after sign-in: a working day. An operating setting, not a legal figure. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long a looked-up session is trusted before it is read again (bounds how late a revocation made elsewhere takes effect). */
const CACHE_MS = 2_000;
const CACHE_ENTRIES = 10_000;

export interface SessionRow {
  id: string;
  hash: string;
  key_id: string;
  role: string;
  name: string;
  created_at: string;
  expires_at: string;
  user_agent: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface SessionInfo {
  id: string;
  keyId: string;
  role: Role;
  name: string;
  createdAt: string;
  expiresAt: string;
  userAgent: string;
  revokedAt: string | null;
  revokedBy: string | null;
  /** Neither expired nor revoked (nor its key revoked). */
  active: boolean;
}

type Db = Kysely<{ web_sessions: SessionRow; api_keys: { id: string; revoked_at: string | null } }>;
const db = (store: Store): Db => store.db as unknown as Db;

const TOKEN = /^aidrs_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** The CSRF token of a session: derived from its secret, so a page that cannot read the cookie cannot compute it. */
export const csrfToken = (token: string): string => createHash('sha256').update(`csrf\0${token}`).digest('base64url');

export function sessionTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.AIDR_SESSION_TTL_MS);
  return Number.isInteger(v) && v > 0 ? v : SESSION_TTL_MS;
}

function info(r: SessionRow, keyRevoked: boolean, now: number): SessionInfo {
  return {
    id: r.id, keyId: r.key_id, role: r.role as Role, name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, userAgent: r.user_agent,
    revokedAt: r.revoked_at, revokedBy: r.revoked_by, active: r.revoked_at === null && !keyRevoked && Date.parse(r.expires_at) > now,
  };
}

/** Open a session for a verified key; the token goes in the cookie and is not kept. */
export async function createSession(store: Store, who: Principal, userAgent: string, ttlMs = sessionTtlMs()): Promise<{ token: string; session: SessionInfo }> {
  const id = randomBytes(8).toString('hex');
  const token = `aidrs_${id}_${randomBytes(32).toString('base64url')}`;
  const now = Date.now();
  const row: SessionRow = {
    id, hash: hash(token), key_id: who.keyId, role: who.role, name: who.name, created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttlMs).toISOString(), user_agent: userAgent.slice(0, 200), revoked_at: null, revoked_by: null,
  };
  await db(store).insertInto('web_sessions').values(row).execute();
  return { token, session: info(row, false, now) };
}

export async function listSessions(store: Store): Promise<SessionInfo[]> {
  const rows = await db(store).selectFrom('web_sessions').selectAll().orderBy('created_at', 'desc').limit(1000).execute();
  const keys = await db(store).selectFrom('api_keys').select(['id', 'revoked_at']).execute();
  const revoked = new Set(keys.filter((k) => k.revoked_at !== null).map((k) => k.id));
  const now = Date.now();
  return rows.map((r) => info(r, revoked.has(r.key_id), now));
}

/** Revoke (idempotent); undefined when there is no such session. */
export async function revokeSession(store: Store, id: string, by: string): Promise<SessionInfo | undefined> {
  await db(store).updateTable('web_sessions').set({ revoked_at: new Date().toISOString(), revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  forget(store, id);
  return (await listSessions(store)).find((s) => s.id === id);
}

interface Cached { row: SessionRow | null; keyRevoked: boolean; until: number }
const caches = new WeakMap<Store, Map<string, Cached>>();

function forget(store: Store, id: string): void {
  caches.get(store)?.delete(id);
}

/** Forget every cached session of a store: an API key was revoked here, and its sessions end with it at once. */
export function forgetAllSessions(store: Store): void {
  caches.get(store)?.clear();
}

/** The session a cookie token names, if it is well formed, known, unexpired and unrevoked (and so is its key). */
export async function verifySession(store: Store, token: string): Promise<{ principal: Principal; session: SessionInfo } | undefined> {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const id = m[1]!;
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const now = Date.now();
  let c = cache.get(id);
  if (!c || c.until <= now) {
    const row = await db(store).selectFrom('web_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    const key = row ? await db(store).selectFrom('api_keys').select(['revoked_at']).where('id', '=', row.key_id).executeTakeFirst() : undefined;
    c = { row: row ?? null, keyRevoked: !key || key.revoked_at !== null, until: now + CACHE_MS };
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(id, c);
  }
  const row = c.row;
  if (!row || !isRole(row.role)) return undefined;
  const given = Buffer.from(hash(token), 'hex');
  const stored = Buffer.from(row.hash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
  const session = info(row, c.keyRevoked, now);
  if (!session.active) return undefined;
  return { principal: { keyId: row.key_id, role: row.role, name: row.name, anonymous: false }, session };
}

/** The session cookie's value, if the request carries one. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    // Taken as sent: a session token is plain base64url, never percent-encoded, so nothing is decoded (and nothing can fail to decode).
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticate by the session cookie (the server's hook calls this when no Authorization header
 * is sent): the principal, undefined when there is no cookie, or 401/403 problems for a dead
 * session or a state-changing request without the CSRF token.
 */
export async function sessionPrincipal(request: FastifyRequest, store: Store): Promise<Principal | undefined> {
  const token = sessionCookie(request);
  if (token === undefined) return undefined;
  const s = await verifySession(store, token);
  if (!s) throw new ApiProblem('unauthorized', 'the session has expired or was revoked: sign in again', undefined, undefined, { 'set-cookie': clearCookie(request) });
  if (!SAFE_METHODS.has(request.method)) checkCsrf(request, token);
  return s.principal;
}

export function checkCsrf(request: FastifyRequest, token: string): void {
  const sent = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfToken(token));
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ApiProblem('forbidden', `a request with the session cookie that changes state needs the ${CSRF_HEADER} header of GET /v1/session (cross-site request refused)`);
  }
}

const secure = (request: FastifyRequest) => (request.protocol === 'https' ? '; Secure' : '');

export function setCookie(reply: FastifyReply, request: FastifyRequest, token: string, ttlMs: number): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}${secure(request)}`);
}

export function clearCookie(request: FastifyRequest): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(request)}`;
}
