/**
 * Test plumbing for the HTTP service: a server on a fresh store (SQLite temp dir, or a throwaway
 * PostgreSQL schema), API keys of every role plus a revoked one, and a small HTTP client for the
 * real-socket tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from '../../src/api/server.js';
import { createKey, revokeKey, type Role } from '../../src/api/keys.js';
import type { Store } from '../../src/store/open.js';
import { backend, type Backend, type BackendName } from '../store/backends.js';

export type KeyName = Role | 'revoked';

export interface TestServer {
  app: FastifyInstance;
  store: Store;
  backend: Backend;
  keys: Record<KeyName, string>;
  /** key ids by role (the actor recorded for that key) */
  ids: Record<KeyName, string>;
  close(): Promise<void>;
}

export async function testServer(name: BackendName, opts: Omit<ServerOptions, 'store'> = {}): Promise<TestServer> {
  const b = backend(name);
  const store = await b.open();
  const keys = {} as Record<KeyName, string>;
  const ids = {} as Record<KeyName, string>;
  for (const role of ['viewer', 'analyst', 'officer', 'admin'] as const) {
    const k = await createKey(store, { role, name: `test ${role}`, createdBy: 'test' });
    keys[role] = k.token;
    ids[role] = k.id;
  }
  const r = await createKey(store, { role: 'admin', name: 'revoked admin', createdBy: 'test' });
  await revokeKey(store, r.id, 'test');
  keys.revoked = r.token;
  ids.revoked = r.id;
  const app = await buildServer({ store, auth: { required: true }, processMetrics: false, ...opts });
  return {
    app, store, backend: b, keys, ids,
    close: async () => {
      await app.close();
      await store.close();
      await b.destroy();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An LPP-eligible shipment: 100 H100s (1,583,200 TPP) to a Brazilian consignee under one parent. 16 fit under the 26,900,000 TPP cap. */
export function lppTx(i: number, parent = 'acme-parent', extra: Record<string, unknown> = {}) {
  return {
    id: `PO-${i}`, date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 100,
    consignee: { id: `c-${i}`, ultimateParentId: parent, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
    ...extra,
  };
}
export const LPP_PER_SHIPMENT = 1_583_200;
export const LPP_CAP = 26_900_000;
export const lppAccount = (parent = 'acme-parent') => `lpp:2025:ultimate_parent:${parent}`;

export const GERMANY = {
  id: 'PO-4711', date: '2025-06-02', activity: 'export', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10000,
  consignee: { name: 'Example Rechenzentrum GmbH', country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US', sector: 'private' },
  endUses: ['datacenter'],
};

/** Ledger and audit state to compare before and after something that must not change them. */
export async function ledgerSnapshot(store: Store): Promise<string> {
  const accounts = await store.db.selectFrom('ledger_accounts').selectAll().orderBy('id').execute();
  const movements = await store.db.selectFrom('ledger_movements').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const reservations = await store.db.selectFrom('ledger_reservations').selectAll().orderBy('id').execute();
  const head = await store.db.selectFrom('audit_head').selectAll().execute();
  const idem = await store.db.selectFrom('ledger_idempotency').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return JSON.stringify({ accounts, movements: Number(movements.n), reservations, head, idem: Number(idem.n) }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** fetch against a listening server, JSON in and out. */
export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.token ? bearer(opts.token) : {}), ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// ---- real `aidr serve` processes (the built CLI: npm test builds first) ----------------------------

export const AIDR = join(import.meta.dirname, '..', '..', 'bin', 'aidr');

export interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Start `aidr serve` on a free port with `env`; resolves once it listens. */
export function spawnServe(env: Record<string, string>, args: string[] = []): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AIDR, 'serve', '--port', '0', '--log-level', 'warn', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]!, stderr: () => err, exited });
    });
    exited.then((code) => reject(new Error(`aidr serve exited ${code} before listening: ${err}`)));
  });
}

export function aidrCli(env: Record<string, string>, args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [AIDR, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
}
