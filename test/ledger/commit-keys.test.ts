/**
 * Default idempotency keys and what a retry must repeat (red team 2, D1 and D6):
 * - two transactions of one input with one id (order lines of one PO) are two shipments: each
 *   draws (ID, then ID#2), and a re-run of the same input replays both;
 * - a retry that asks for more or less output detail (--lean, --sensitivity) is the same commit and
 *   replays it; another regime is another request and is refused (it decides the exception drawn).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DefaultKeys } from '../../src/ledger/default-keys.js';
import { commitTransaction } from '../../src/ledger/index.js';
import { requestHash } from '../../src/ledger/once.js';
import { recordedText } from '../../src/ledger/recorded-text.js';
import { parseTransaction } from '../../src/contract/parse.js';
import { BACKENDS, backend, type Backend } from '../store/backends.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
/** 500 H100: 7,916,000 TPP, LPP-eligible in BR (cap 26,900,000 per ultimate consignee). */
const shipment = (id: string, consignee: string) => ({ id, date: '2025-06-02', to: 'BR', item: H100, quantity: 500, consignee: { id: consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', sector: 'private' } });

describe('DefaultKeys', () => {
  it('the id first, then ID#2, ID#3 for its later occurrences; never a key an earlier line holds', () => {
    const k = new DefaultKeys();
    expect(['A', 'B', 'A', 'A', 'B'].map((id) => k.keyFor(id))).toEqual(['A', 'B', 'A#2', 'A#3', 'B#2']);
    const l = new DefaultKeys();
    expect(['A#2', 'A', 'A', 'A#2'].map((id) => l.keyFor(id))).toEqual(['A#2', 'A', 'A#3', 'A#2#2']);
  });
});

describe.each(BACKENDS)('default keys and retries: $name', ({ name, skip }) => {
  const made: Backend[] = [];
  afterAll(async () => {
    for (const b of made) await b.destroy();
  });
  const runner = () => {
    const b = backend(name);
    made.push(b);
    const env = { ...process.env, ...b.env, AIDR_ACTOR: 'keys-test' };
    return (args: string[], input?: unknown, cwd?: string) => {
      const r = spawnSync(bin, args, { env, cwd, encoding: 'utf8', input: input === undefined ? undefined : typeof input === 'string' ? input : JSON.stringify(input) });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
  };
  const used = (run: ReturnType<typeof runner>, account: string) => JSON.parse(run(['ledger', 'show', account, '--format', 'json']).stdout).usedTpp as string;

  it.skipIf(skip)('check --commit of two shipments with one id draws twice; the same input again replays both', () => {
    const run = runner();
    const t = shipment('PO-2', 'dup-c');
    const first = run(['check', '-', '--commit', '--lean'], [t, t]);
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { commit: { seq: number; exception: string; replayed: boolean } }[];
    expect(out.map((o) => [o.commit.seq, o.commit.exception, o.commit.replayed])).toEqual([[1, 'LPP', false], [2, 'LPP', false]]);
    expect(used(run, 'lpp:2025:ultimate_parent:dup-c')).toBe('15832000');
    const again = JSON.parse(run(['check', '-', '--commit', '--lean'], [t, t]).stdout) as { commit: { seq: number; replayed: boolean } }[];
    expect(again.map((o) => [o.commit.seq, o.commit.replayed])).toEqual([[1, true], [2, true]]);
    expect(used(run, 'lpp:2025:ultimate_parent:dup-c')).toBe('15832000');
    // The second occurrence's key is PO-2#2: committing it alone replays it.
    expect(JSON.parse(run(['check', '-', '--commit', '--lean', '--idempotency-key', 'PO-2#2'], t).stdout).commit).toMatchObject({ seq: 2, replayed: true });
  });

  it.skipIf(skip)('screen --commit of two identical order lines (one PO) draws once, the second is past the cap (recorded, no draw); a re-run replays both', () => {
    const run = runner();
    const dir = mkdtempSync(join(tmpdir(), 'aidr-keys-'));
    const line = 'PO-7,2025-06-02,BR,nvidia-h100-sxm,1000,dup-s,BR,BR,BR,private';
    writeFileSync(join(dir, 'po.csv'), `po number,date,to,model,quantity,consignee_id,consignee_country,consignee_hq,consignee_parent_hq,consignee_sector\n${line}\n${line}\n`);
    const r = run(['screen', 'po.csv', '--commit', '-o', 'out.jsonl'], undefined, dir);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { commit: { auditSeq: number; exception: string | null; replayed: boolean }; determination: { outcome: string } });
    // 15,832,000 each: the second would make 31,664,000 > 26,900,000, so it is license_required (no draw).
    expect(rows.map((x) => [x.commit.auditSeq, x.commit.exception, x.determination.outcome])).toEqual([[1, 'LPP', 'license_exception'], [2, null, 'license_required']]);
    expect(used(run, 'lpp:2025:ultimate_parent:dup-s')).toBe('15832000');
    const again = run(['screen', 'po.csv', '--commit', '-o', 'again.jsonl'], undefined, dir);
    expect(again.status, again.stderr).toBe(0);
    const replayed = readFileSync(join(dir, 'again.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).commit);
    expect(replayed.map((c: { auditSeq: number; replayed: boolean }) => [c.auditSeq, c.replayed])).toEqual([[1, true], [2, true]]);
  });

  it.skipIf(skip)('a retry with other output detail replays (check and screen); another regime is refused', () => {
    const run = runner();
    const t = shipment('K1', 'retry-c');
    const first = run(['check', '-', '--commit'], t);
    expect(first.status, first.stderr).toBe(0);
    const seq = JSON.parse(first.stdout).commit.seq;
    for (const extra of [['--lean'], ['--lean', '--sensitivity'], ['--regime', 'codified']]) {
      const r = run(['check', '-', '--commit', ...extra], t);
      expect(r.status, `${extra.join(' ')}: ${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.commit).toMatchObject({ seq, replayed: true });
      // The determination as recorded (full: the first commit asked for the explanation).
      expect(out.determination.explanation?.length).toBeGreaterThan(0);
    }
    const other = run(['check', '-', '--commit', '--regime', 'enforced'], t);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/idempotency key "K1" was already used for a different request: options differs/);
    const dir = mkdtempSync(join(tmpdir(), 'aidr-keys-'));
    writeFileSync(join(dir, 'k.jsonl'), `${JSON.stringify(t)}\n`);
    const s = run(['screen', 'k.jsonl', '--commit', '-o', 'k.out.jsonl'], undefined, dir);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'k.out.jsonl'), 'utf8')).commit).toMatchObject({ auditSeq: seq, replayed: true });
    expect(used(run, 'lpp:2025:ultimate_parent:retry-c')).toBe('7916000');
  });

  it.skipIf(skip)('a commit and its replay carry the text the determination was recorded as: the audit row\'s output, and JSON.stringify of it', async () => {
    const b = backend(name);
    made.push(b);
    const store = await b.open();
    try {
      const tx = parseTransaction(shipment('T1', 'text-c'));
      const first = await commitTransaction(store, tx, {}, { actor: 't', idempotencyKey: 'text-1' });
      const row = await store.db.selectFrom('audit_log').select('output').where('id', '=', first.auditId).executeTakeFirstOrThrow();
      // HTTP sends this text in place of JSON.stringify(determination): the two must be the same bytes.
      expect(recordedText(first.determination)).toBe(row.output);
      expect(row.output).toBe(JSON.stringify(first.determination));
      const replay = await commitTransaction(store, tx, {}, { actor: 't', idempotencyKey: 'text-1' });
      expect(replay.replayed).toBe(true);
      expect(recordedText(replay.determination)).toBe(row.output);
      // A determination that was never recorded has no text.
      expect(recordedText({ ...first.determination })).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('a key recorded before output detail left the request (explain in it) still replays a lean retry', async () => {
    const b = backend(name);
    made.push(b);
    const store = await b.open();
    try {
      const tx = parseTransaction(shipment('L1', 'legacy-c'));
      const first = await commitTransaction(store, tx, { explain: true }, { actor: 't', idempotencyKey: 'legacy-1' });
      // The row as an older aidr wrote it: the options with explain and sensitivity, hashed so.
      const row = await store.db.selectFrom('ledger_idempotency').select('request').where('key', '=', 'legacy-1').executeTakeFirstOrThrow();
      const old = JSON.parse(row.request!) as { options: Record<string, unknown> };
      old.options = { ...old.options, explain: true, sensitivity: true, regime: 'codified' };
      await store.db.updateTable('ledger_idempotency').set({ request: JSON.stringify(old), request_hash: requestHash(old) }).where('key', '=', 'legacy-1').execute();
      const retry = await commitTransaction(store, tx, { explain: false }, { actor: 't', idempotencyKey: 'legacy-1' });
      expect(retry).toMatchObject({ replayed: true, seq: first.seq });
      await expect(commitTransaction(store, tx, { regime: 'enforced' }, { actor: 't', idempotencyKey: 'legacy-1' })).rejects.toThrow(/options differs/);
    } finally {
      await store.close();
    }
  });
});
