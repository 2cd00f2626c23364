/**
 * API keys: creation, listing, revocation and the per-request check.
 *
 * A token reads `aidr_<keyId>_<secret>`: the key id (16 hex characters, 64 bits) is public and
 * is what logs and audit records name; the secret is 32 random bytes (base64url). Only
 * SHA-256(token) is stored (migration 003), and it is compared in constant time. Looking a key
 * up by its id first means a wrong secret costs one indexed read, never a scan.
 *
 * Roles are ordered: viewer (read) < analyst (evaluate) < officer (commit, ledger writes) <
 * admin (manage keys); each includes the ones before it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../store/open.js';

export const ROLES = ['viewer', 'analyst', 'officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const hasRole = (have: Role, need: Role): boolean => roleRank(have) >= roleRank(need);
export const isRole = (s: unknown): s is Role => typeof s === 'string' && (ROLES as readonly string[]).includes(s);

/** Who is calling: a key, or the local anonymous officer when authentication is off. */
export interface Principal {
  keyId: string;
  role: Role;
  name: string;
  anonymous: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ keyId: 'local', role: 'officer', name: 'local anonymous officer', anonymous: true });

/** Whoever calls a route that needs no key (health, readiness, the OpenAPI document) or a path that does not exist. */
export const PUBLIC: Principal = Object.freeze({ keyId: 'public', role: 'viewer', name: 'unauthenticated caller', anonymous: true });

export interface ApiKeyRow {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** What listing shows: never the hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

type KeysDb = Kysely<{ api_keys: ApiKeyRow }>;
const keysDb = (store: Store): KeysDb => store.db as unknown as KeysDb;

const TOKEN = /^aidr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export function newToken(): { keyId: string; token: string } {
  const keyId = randomBytes(8).toString('hex');
  return { keyId, token: `aidr_${keyId}_${randomBytes(32).toString('base64url')}` };
}

/** The key id of a well-formed token, else undefined. */
export function parseToken(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

const info = (r: ApiKeyRow): ApiKeyInfo => ({
  id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at, createdBy: r.created_by, revokedAt: r.revoked_at, revokedBy: r.revoked_by,
});

export async function createKey(store: Store, opts: { role: Role; name?: string; createdBy: string }): Promise<ApiKeyInfo & { token: string }> {
  if (!isRole(opts.role)) throw new Error(`unknown role ${String(opts.role)}`);
  const { keyId, token } = newToken();
  const row: ApiKeyRow = {
    id: keyId, name: opts.name ?? '', role: opts.role, hash: tokenHash(token), created_at: new Date().toISOString(),
    created_by: opts.createdBy, revoked_at: null, revoked_by: null,
  };
  await keysDb(store).insertInto('api_keys').values(row).execute();
  return { ...info(row), token };
}

export async function listKeys(store: Store): Promise<ApiKeyInfo[]> {
  const rows = await keysDb(store).selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(info);
}

export async function getKey(store: Store, id: string): Promise<ApiKeyInfo | undefined> {
  const row = await keysDb(store).selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? info(row) : undefined;
}

/** Revoke a key (idempotent: revoking twice keeps the first revocation). Undefined when there is no such key. */
export async function revokeKey(store: Store, id: string, by: string): Promise<ApiKeyInfo | undefined> {
  await keysDb(store).updateTable('api_keys').set({ revoked_at: new Date().toISOString(), revoked_by: by })
    .where('id', '=', id).where('revoked_at', 'is', null).execute();
  return getKey(store, id);
}

interface Cached {
  row: Pick<ApiKeyRow, 'hash' | 'role' | 'name' | 'revoked_at'> | null;
  until: number;
}

/** The largest number of key lookups kept in memory (bounds memory under a flood of random key ids). */
const CACHE_ENTRIES = 10_000;
/** How long a verified key id counts as known (see `verify`'s knownOnly). */
const KNOWN_MS = 10 * 60_000;

/**
 * Checks tokens against the store, remembering each lookup (found or not) for `cacheMs`, so a
 * hot client costs one hash per request and no database read. Revocations through this
 * process take effect at once (`forget`); those made elsewhere (another instance, the CLI)
 * within `cacheMs`.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, Cached>();
  /**
   * Tokens verified, until their key's lookup expires: a request with one costs a map lookup, not
   * a SHA-256 and a comparison. Tokens are held in this process's memory for at most cacheMs after
   * their last verification, as they are while their requests run.
   */
  private readonly tokens = new Map<string, { principal: Principal; until: number }>();
  /** Key ids verified in the last KNOWN_MS: still served from an address that is over its failure limit. */
  private readonly known = new Map<string, number>();
  constructor(private readonly store: Store, private readonly cacheMs: number) {}

  /**
   * The principal for a token, or undefined when the token is malformed, unknown, wrong or revoked.
   * `knownOnly` (an address past its limit of failed authentications): look up only key ids this
   * process has verified recently, so a flood of invented ones costs no database reads.
   */
  async verify(token: string, knownOnly = false): Promise<Principal | undefined> {
    const now = Date.now();
    // A token verified within cacheMs: no hash, no lookup (the hot path of every request).
    const seen = this.tokens.get(token);
    if (seen && seen.until > now) return seen.principal;
    const keyId = parseToken(token);
    if (!keyId) return undefined;
    if (knownOnly && !((this.known.get(keyId) ?? 0) > now)) return undefined;
    let c = this.cache.get(keyId);
    if (!c || c.until <= now) {
      const row = await keysDb(this.store).selectFrom('api_keys').select(['hash', 'role', 'name', 'revoked_at']).where('id', '=', keyId).executeTakeFirst();
      c = { row: row ?? null, until: now + this.cacheMs };
      if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(keyId, c);
    }
    const row = c.row;
    if (!row || row.revoked_at !== null || !isRole(row.role)) return undefined;
    const given = Buffer.from(tokenHash(token), 'hex');
    const stored = Buffer.from(row.hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
    if (this.known.size >= CACHE_ENTRIES) this.known.delete(this.known.keys().next().value!);
    this.known.set(keyId, now + KNOWN_MS);
    const principal: Principal = { keyId, role: row.role, name: row.name, anonymous: false };
    if (this.tokens.size >= CACHE_ENTRIES) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, { principal, until: c.until });
    return principal;
  }

  forget(keyId: string): void {
    this.cache.delete(keyId);
    for (const [token, t] of this.tokens) if (t.principal.keyId === keyId) this.tokens.delete(token);
  }
}
