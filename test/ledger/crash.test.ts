/**
 * Crash safety: a process committing shipments is killed with SIGKILL midway; on reopening, the
 * audit chain verifies and every ledger total equals the sum of the committed audit records.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open.js';
import { auditRecords, verifyAudit } from '../../src/store/audit.js';
import { verifyLedger } from '../../src/ledger/index.js';
import { BACKENDS, backend, type Backend } from '../store/backends.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'worker.mjs');
const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
const TXS = [
  { date: '2025-06-02', to: 'DE', item: H100, quantity: 10, consignee: { id: 'crash-aia', country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US' } },
  { date: '2025-06-02', to: 'BR', item: H100, quantity: 1, consignee: { id: 'crash-c', ultimateParentId: 'crash-p', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } },
];

/** Run the 1,000-commit worker and SIGKILL it once it has reported `killAfter` commits. */
function commitThenKill(env: Record<string, string>, killAfter: number): Promise<{ reported: number; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env, AIDR_WORKER: JSON.stringify({ mode: 'commits', count: 1000, txs: TXS, poolSize: 2 }) } });
    let reported = 0;
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.trim()) reported = Number(l);
      if (reported >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (_code, signal) => resolve({ reported, signal, stderr }));
  });
}

describe.each(BACKENDS)('kill -9 during 1,000 commits: $name', ({ name, skip }) => {
  let b: Backend;
  afterAll(async () => {
    if (!skip) await b?.destroy();
  });

  it.skipIf(skip)('leaves a verifiable audit log whose records sum to the ledger totals', async () => {
    b = backend(name);
    const first: Store = await b.open();
    await first.close();
    const killAfter = 150 + Math.floor(Math.random() * 200);
    const run = await commitThenKill(b.env, killAfter);
    expect(run.signal, run.stderr).toBe('SIGKILL');
    expect(run.reported).toBeGreaterThanOrEqual(killAfter);
    expect(run.reported).toBeLessThan(1000);

    const store = await b.open();
    try {
      const v = await verifyAudit(store);
      expect(v.ok, v.problem?.message).toBe(true);
      // Every commit the worker reported is there; at most the one in flight when it died may be too.
      expect(v.records).toBeGreaterThanOrEqual(run.reported);
      expect(v.records).toBeLessThanOrEqual(run.reported + 1);
      const fromAudit = new Map<string, bigint>();
      for await (const r of auditRecords(store)) {
        const effects = JSON.parse(r.effects) as { movements: { account: string; amountMilli: string }[] };
        for (const m of effects.movements) fromAudit.set(m.account, (fromAudit.get(m.account) ?? 0n) + BigInt(m.amountMilli));
      }
      const accounts = await store.db.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).execute();
      expect(accounts.length).toBeGreaterThan(0);
      for (const a of accounts) {
        expect(BigInt(a.used), a.id).toBe(fromAudit.get(a.id) ?? 0n);
        expect(BigInt(a.reserved), a.id).toBe(0n);
      }
      expect(fromAudit.get('aia:crash-aia')).toBe(BigInt(Math.ceil(v.records / 2)) * 158320000n);
      expect((await verifyLedger(store)).ok).toBe(true);
      console.log(`[${name}] SIGKILL after ${run.reported} reported commits: ${v.records} audit records, chain verified, ${accounts.length} account totals equal the audit sums`);
    } finally {
      await store.close();
    }
  }, 120_000);
});
