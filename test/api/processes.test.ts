/**
 * `aidr serve` as real processes: startup (auth off on loopback and said so; on beyond
 * loopback), `aidr keys` from the CLI, two instances on one store hammered with concurrent
 * commits against one account (never over its cap), and graceful shutdown during in-flight
 * commits (they complete, exit code 0, the audit chain verifies). Uses the built CLI (npm test
 * builds first).
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getAccount, verifyLedger } from '../../src/ledger/index.js';
import { verifyAudit } from '../../src/store/audit.js';
import type { Store } from '../../src/store/open.js';
import { BACKENDS, storeForSuite, type Backend } from '../store/backends.js';
import { call, LPP_CAP, LPP_PER_SHIPMENT, lppAccount, lppTx, spawnServe, type Running } from './helpers.js';

const AIDR = join(import.meta.dirname, '..', '..', 'bin', 'aidr');

const serve = spawnServe;

function cli(env: Record<string, string>, args: string[]) {
  return spawnSync(process.execPath, [AIDR, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe.each(BACKENDS)('aidr serve processes: $name', ({ name, skip }) => {
  let b: Backend;
  let store: Store;
  const running: Running[] = [];
  storeForSuite(name, skip, (x, y) => {
    b = x;
    store = y;
  });
  afterAll(() => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  });

  it.skipIf(skip)('keys from the CLI; auth off on loopback (said at startup), on with --auth', async () => {
    const created = cli(b.env, ['keys', 'create', '--role', 'officer', '--name', 'ci']);
    expect(created.status, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^aidr_[0-9a-f]{16}_/);
    expect(created.stderr).toMatch(/shown once/);
    const id = token.split('_')[1]!;
    const listed = cli(b.env, ['keys', 'list', '--format', 'json']);
    expect(JSON.parse(listed.stdout).find((k: { id: string }) => k.id === id)).toMatchObject({ role: 'officer', name: 'ci', revokedAt: null });
    expect(listed.stdout).not.toContain(token.slice(-20));

    const open = await serve(b.env);
    running.push(open);
    expect(open.stderr()).toMatch(/authentication: OFF .*local anonymous officer/);
    expect((await call(open.url, 'POST', '/v1/determinations', { body: lppTx(1, 'proc-open') })).status).toBe(200);
    open.child.kill('SIGTERM');
    expect(await open.exited).toBe(0);

    const locked = await serve(b.env, ['--auth']);
    running.push(locked);
    expect(locked.stderr()).toMatch(/authentication: on/);
    expect((await call(locked.url, 'GET', '/v1/chips')).status).toBe(401);
    expect((await call(locked.url, 'GET', '/v1/chips', { token })).status).toBe(200);
    const revoked = cli(b.env, ['keys', 'revoke', id]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id, revokedBy: expect.stringMatching(/^cli:/) });
    const unknown = cli(b.env, ['keys', 'revoke', '0123456789abcdef']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no API key 0123456789abcdef/);
    expect(cli(b.env, ['keys', 'create', '--role', 'root']).status).toBe(2);
    // Another process revoked it: this server notices within its key cache time (2 s by default).
    await new Promise((r) => setTimeout(r, 2200));
    expect((await call(locked.url, 'GET', '/v1/chips', { token })).status).toBe(401);
    locked.child.kill('SIGTERM');
    expect(await locked.exited).toBe(0);
  }, 60_000);

  it.skipIf(skip)('listening beyond loopback turns authentication on', async () => {
    const wide = await serve(b.env, ['--host', '0.0.0.0']);
    running.push(wide);
    expect(wide.stderr()).toMatch(/authentication: on .*beyond loopback/);
    const url = wide.url.replace('0.0.0.0', '127.0.0.1');
    expect((await call(url, 'POST', '/v1/determinations', { body: lppTx(1) })).status).toBe(401);
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
    wide.child.kill('SIGTERM');
    expect(await wide.exited).toBe(0);
  }, 60_000);

  it.skipIf(skip)('two instances, 80 concurrent commits for room for exactly 16: exactly 16 succeed, never over the cap', async () => {
    const token = cli(b.env, ['keys', 'create', '--role', 'officer']).stdout.trim();
    const [s1, s2] = await Promise.all([serve(b.env, ['--auth']), serve(b.env, ['--auth'])]);
    running.push(s1!, s2!);
    const parent = 'two-instances';
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) =>
      call(i % 2 ? s1!.url : s2!.url, 'POST', '/v1/determinations', { token, body: { transaction: lppTx(1000 + i, parent), commit: true, exception: 'LPP', idempotencyKey: `two-${i}` } })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), JSON.stringify(results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.text))).toHaveLength(16);
    expect(statuses.filter((s) => s === 409)).toHaveLength(64);
    const left = LPP_CAP - 16 * LPP_PER_SHIPMENT;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.json.type).toBe('urn:aidr:problem:cap-exceeded');
      expect(r.json.leftTpp).toBe(String(left));
    }
    const a = await getAccount(store, lppAccount(parent));
    expect(a).toMatchObject({ usedTpp: String(16 * LPP_PER_SHIPMENT), leftTpp: String(left) });
    expect((await verifyLedger(store)).ok).toBe(true);
    expect((await verifyAudit(store)).ok).toBe(true);
    for (const s of [s1!, s2!]) s.child.kill('SIGTERM');
    expect(await s1!.exited).toBe(0);
    expect(await s2!.exited).toBe(0);
  }, 120_000);

  it.skipIf(skip)('SIGTERM during in-flight commits: they complete, the process exits 0, the audit chain verifies', async () => {
    const token = cli(b.env, ['keys', 'create', '--role', 'officer']).stdout.trim();
    const s = await serve(b.env, ['--auth']);
    running.push(s);
    const before = Number((await store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    // A batch of 200 commits (each its own database transaction) plus 20 single ones, all in
    // flight: each on its own connection, fully sent before the signal.
    const batch = Array.from({ length: 200 }, (_, i) => ({ ...lppTx(5000 + i, `shutdown-${i % 50}`), quantity: 1 }));
    const bodies = [
      { transactions: batch, commit: true },
      ...Array.from({ length: 20 }, (_, i) => ({ transaction: { ...lppTx(6000 + i, 'shutdown-single'), quantity: 1 }, commit: true })),
    ];
    const sent: Promise<void>[] = [];
    const inflight = bodies.map((body) => new Promise<{ status: number; json: any } | 'reset'>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = httpRequest(`${s.url}/v1/determinations`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      });
      // A request still unread in the kernel when the server stops is dropped with its
      // connection, as by any server; it must then have written nothing (checked below).
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve('reset') : reject(e)));
      sent.push(new Promise((r) => req.on('finish', () => r())));
      req.end(payload);
    }));
    await Promise.all(sent);
    // Signal once the server is demonstrably in the middle of them.
    for (;;) {
      const seq = Number((await store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
      if (seq > before + 20) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    s.child.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(/SIGTERM: finishing in-flight requests/);
    // The batch was in flight (its commits were being recorded): it completed, every item committed.
    const batchAnswer = answers[0]!;
    expect(batchAnswer).not.toBe('reset');
    if (batchAnswer === 'reset') return;
    expect(batchAnswer.status).toBe(200);
    expect(batchAnswer.json.filter((x: { commit?: unknown }) => x.commit)).toHaveLength(200);
    // Each single commit is either answered 201 and recorded, or was never read and left no trace.
    const ids = new Set((await store.db.selectFrom('audit_log').select('input').execute()).map((r) => (JSON.parse(r.input) as { id?: string }).id));
    let answered = 0;
    answers.slice(1).forEach((a, i) => {
      const id = `PO-${6000 + i}`;
      if (a === 'reset') {
        expect(ids.has(id), `${id} was reset but recorded`).toBe(false);
        return;
      }
      expect(a.status).toBe(201);
      expect(ids.has(id)).toBe(true);
      answered++;
    });
    const after = Number((await store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    expect(after - before).toBe(200 + answered);
    expect((await verifyAudit(store)).ok).toBe(true);
    expect((await verifyLedger(store)).ok).toBe(true);
    // Closed: nothing listens any more.
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  }, 120_000);
});
