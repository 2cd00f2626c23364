/**
 * Concurrency, with real processes on one store (SQLite file or PostgreSQL schema): reservations
 * and commits racing for the last room under a cap, retried requests, and migrations run by
 * several processes at once. Uses the built library (npm test builds first).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from '../../src/store/open.js';
import { getAccount, reserve, verifyLedger } from '../../src/ledger/index.js';
import { verifyAudit } from '../../src/store/audit.js';
import { migrations } from '../../src/store/migrations/index.js';
import { BACKENDS, backend, storeForSuite, type Backend } from '../store/backends.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'worker.mjs');

export function runWorker(env: Record<string, string>, job: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env, AIDR_WORKER: JSON.stringify(job) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Outcome { ok: boolean; id?: string; replayed?: boolean; exception?: string | null; error?: string }

describe.each(BACKENDS)('races on one store: $name', ({ name, skip }) => {
  let b: Backend;
  let store: Store;
  storeForSuite(name, skip, (x, y) => {
    b = x;
    store = y;
  });

  it.skipIf(skip)('64 concurrent reservations for room for exactly 10: exactly 10 succeed, retries never count twice', async () => {
    const account = 'lpp:2025:ultimate_parent:race';
    // 26,900,000 − 16,400,000 = 10,500,000 TPP of room: ten reservations of 1,000,000, then 500,000 left.
    await reserve(store, { account, tpp: '16400000', actor: 'setup' });
    const startAt = Date.now() + 2500;
    const workers = Array.from({ length: 8 }, (_, w) => runWorker(b.env, {
      mode: 'reserve', account, tpp: '1000000', startAt, poolSize: 8,
      keys: Array.from({ length: 8 }, (_, i) => `race-${w}-${i}`),
    }));
    const runs = await Promise.all(workers);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const parsed = runs.map((r) => JSON.parse(r.stdout) as { first: Outcome[]; retry: Outcome[] });
    const first = parsed.flatMap((p) => p.first);
    const retry = parsed.flatMap((p) => p.retry);
    expect(first).toHaveLength(64);
    const won = first.filter((o) => o.ok);
    expect(won).toHaveLength(10);
    for (const o of first.filter((x) => !x.ok)) expect(o.error).toMatch(/cap exceeded .*requested 1000000 TPP, 500000 TPP left of 26900000/);
    // The retries: the ten winners get their own reservation back, the losers are refused again.
    expect(retry.filter((o) => o.ok)).toHaveLength(10);
    expect(retry.filter((o) => o.ok).every((o) => o.replayed)).toBe(true);
    expect(new Set(retry.filter((o) => o.ok).map((o) => o.id))).toEqual(new Set(won.map((o) => o.id)));
    const a = await getAccount(store, account);
    expect(a).toMatchObject({ reservedTpp: '26400000', leftTpp: '500000' });
    const n = await store.db.selectFrom('ledger_reservations').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(11);
    expect((await verifyLedger(store)).ok).toBe(true);
  });

  it.skipIf(skip)('24 concurrent LPP commits for room for exactly 16: never over the cap, audit and ledger agree', async () => {
    const tx = (i: number) => ({ date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 100, consignee: { id: `rc-${i}`, ultimateParentId: 'race-parent', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } });
    const startAt = Date.now() + 2500;
    const runs = await Promise.all(Array.from({ length: 4 }, (_, w) => runWorker(b.env, {
      mode: 'commit-race', startAt, poolSize: 6,
      txs: Array.from({ length: 6 }, (_, i) => tx(w * 6 + i)),
      keys: Array.from({ length: 6 }, (_, i) => `commit-race-${w}-${i}`),
    })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const results = runs.flatMap((r) => (JSON.parse(r.stdout) as { results: Outcome[] }).results);
    const lpp = results.filter((o) => o.ok && o.exception === 'LPP');
    // 16 × 1,583,200 = 25,331,200 ≤ 26,900,000 < 17 × 1,583,200.
    expect(lpp).toHaveLength(16);
    for (const o of results.filter((x) => !x.ok)) expect(o.error).toMatch(/cap exceeded|no longer eligible/);
    expect((await getAccount(store, 'lpp:2025:ultimate_parent:race-parent'))?.usedTpp).toBe('25331200');
    const audited = await sql<{ n: string | number | bigint }>`select count(*) as n from audit_log where effects like '%"exception":"LPP"%'`.execute(store.db);
    expect(Number(audited.rows[0]!.n)).toBe(16);
    expect((await verifyAudit(store)).ok).toBe(true);
    expect((await verifyLedger(store)).ok).toBe(true);
  });
});

describe.each(BACKENDS)('migrations by several processes at once: $name', ({ name, skip }) => {
  let b: Backend;
  afterAll(async () => {
    if (!skip) await b?.destroy();
  });
  it.skipIf(skip)('four processes open a fresh store together; the schema is created once', async () => {
    b = backend(name);
    const runs = await Promise.all(Array.from({ length: 4 }, () => runWorker(b.env, { mode: 'open', poolSize: 2 })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const store = await b.open();
    try {
      const m = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
      expect(m.rows.map((r) => r.name).sort()).toEqual(Object.keys(migrations(name)).sort());
      const head = await store.db.selectFrom('audit_head').selectAll().execute();
      expect(head).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
