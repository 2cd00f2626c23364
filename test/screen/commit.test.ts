/**
 * `aidr screen --commit`: kill -9 midway, then `--resume`: every line committed exactly once (no
 * line drawn twice, none skipped), ledger totals equal to the audit records and to a clean run's.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRecords, verifyAudit } from '../../src/store/audit.js';
import { verifyLedger } from '../../src/ledger/index.js';
import { BACKENDS, backend, type Backend } from '../store/backends.js';
import { aidr, aidrAsync, csv, rows, tempDir } from './helpers.js';

const HEAD = ['date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_parent_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq', 'end_use', 'id'];
const N = 160;
/** LPP lines for six consignees of three parents (BR), AIA lines (DE), lines with and without ids (an id on up to four lines: one PO, several lines). */
const LINES = Array.from({ length: N }, (_, i) => i % 4 === 3
  ? ['2025-06-02', 'DE', 'nvidia-h100-sxm', 5, `de-${i % 3}`, '', 'DE', 'US', 'US', 'datacenter', i % 2 ? `PO-${i % 50}` : '']
  : ['2025-06-02', 'BR', 'nvidia-h100-sxm', 40 + (i % 7), `br-${i % 6}`, `grp-${i % 3}`, 'BR', 'BR', 'BR', 'datacenter', i % 2 ? `PO-${i % 50}` : '']);

async function totals(b: Backend): Promise<{ accounts: Map<string, bigint>; audit: Map<string, bigint>; records: number }> {
  const store = await b.open();
  try {
    const v = await verifyAudit(store);
    expect(v.ok, v.problem?.message).toBe(true);
    expect((await verifyLedger(store)).ok).toBe(true);
    const audit = new Map<string, bigint>();
    for await (const r of auditRecords(store)) {
      const effects = JSON.parse(r.effects) as { movements?: { account: string; amountMilli: string }[] };
      for (const m of effects.movements ?? []) audit.set(m.account, (audit.get(m.account) ?? 0n) + BigInt(m.amountMilli));
    }
    const accounts = new Map((await store.db.selectFrom('ledger_accounts').select(['id', 'used']).execute()).map((a) => [a.id, BigInt(a.used)]));
    return { accounts, audit, records: v.records };
  } finally {
    await store.close();
  }
}

describe.each(BACKENDS)('screen --commit: $name', ({ name, skip }) => {
  const made: Backend[] = [];
  afterAll(async () => {
    for (const b of made) await b.destroy();
  });

  it.skipIf(skip)('kill -9 midway, then --resume: ledger totals equal the audit records and a clean run\'s', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'orders.csv'), csv([HEAD, ...LINES]));
    const clean = backend(name);
    const killed = backend(name);
    made.push(clean, killed);

    const full = aidr(['screen', 'orders.csv', '--commit', '-o', 'clean.csv', '--actor', 'test'], { cwd: dir, env: clean.env });
    expect(full.status, full.stderr).toBe(0);
    const cleanRows = rows(readFileSync(join(dir, 'clean.csv'), 'utf8'));
    expect(cleanRows.length).toBe(N);
    // The batch crosses LPP caps (three parents, 26,900,000 each): some lines are refused by the cap as license_required.
    expect(cleanRows.some((r) => r.outcome === 'license_required')).toBe(true);

    // The same file, killed after at least 40 rows are written.
    const child = aidrAsync(['screen', 'orders.csv', '--commit', '-o', 'out.csv', '--actor', 'test'], { cwd: dir, env: killed.env });
    const outFile = join(dir, 'out.csv');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (existsSync(outFile) && statSync(outFile).size > 0 && readFileSync(outFile, 'utf8').split('\n').length > 40) {
          child.kill('SIGKILL');
          clearInterval(t);
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        resolve();
      });
    });
    expect(child.signalCode).toBe('SIGKILL');
    const resumed = aidr(['screen', 'orders.csv', '--commit', '-o', 'out.csv', '--resume', '--actor', 'test'], { cwd: dir, env: killed.env });
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = rows(readFileSync(outFile, 'utf8'));
    // Every line once, in order.
    expect(out.map((r) => Number(r.line))).toEqual(Array.from({ length: N }, (_, i) => i + 2));
    expect(out.map((r) => [r.outcome, r.exception_used])).toEqual(cleanRows.map((r) => [r.outcome, r.exception_used]));

    const a = await totals(clean);
    const k = await totals(killed);
    for (const t of [a, k]) for (const [id, used] of t.accounts) expect(used, id).toBe(t.audit.get(id) ?? 0n);
    expect(Object.fromEntries(k.accounts)).toEqual(Object.fromEntries(a.accounts));
    expect(k.records).toBe(N);
    expect(a.records).toBe(N);

    // A re-run commits nothing new: every line is replayed by its key.
    const again = aidr(['screen', 'orders.csv', '--commit', '-o', 'again.csv', '--actor', 'test'], { cwd: dir, env: killed.env });
    expect(again.status, again.stderr).toBe(0);
    expect((await totals(killed)).records).toBe(N);
  }, 240_000);
});
