/**
 * The ledger, audit and commit commands end to end through bin/aidr, on both back ends:
 * exit codes (0 done, 4 refused by a limit, 1 failed check, 2 invalid input naming the field), output, and
 * what ends up in the store.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backend, tamper, type Backend } from '../store/backends.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
const lpp = (quantity: number, consignee: Record<string, string> = { id: 'cli-c', ultimateParentId: 'cli-p' }) =>
  ({ id: `PO-${quantity}`, date: '2025-06-02', to: 'BR', item: H100, quantity, consignee: { ...consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } });

describe.each(BACKENDS)('bin/aidr ledger, audit and check --commit: $name', ({ name, skip }) => {
  let b: Backend;
  let run: (args: string[], input?: unknown) => { status: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    if (skip) return;
    b = backend(name);
    const env = { ...process.env, ...b.env, AIDR_ACTOR: 'cli-test' };
    run = (args, input) => {
      const r = spawnSync(bin, args, { env, encoding: 'utf8', input: input === undefined ? undefined : typeof input === 'string' ? input : JSON.stringify(input) });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
  });
  afterAll(async () => {
    if (!skip) await b?.destroy();
  });

  it.skipIf(skip)('check --commit draws on the LPP cap once per idempotency key and records the audit', () => {
    const r = run(['check', '-', '--commit', '--idempotency-key', 'cli-1'], lpp(1000));
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.determination.outcome).toBe('license_exception');
    expect(out.commit).toMatchObject({ exception: 'LPP', seq: 1, actor: 'cli-test', replayed: false });
    const again = JSON.parse(run(['check', '-', '--commit', '--idempotency-key', 'cli-1'], lpp(1000)).stdout);
    expect(again.commit).toMatchObject({ auditId: out.commit.auditId, replayed: true });
    const shown = JSON.parse(run(['ledger', 'show', 'lpp:2025:ultimate_parent:cli-p', '--format', 'json']).stdout);
    expect(shown).toMatchObject({ usedTpp: '15832000', leftTpp: '11068000' });
  });

  it.skipIf(skip)('check --commit refuses a NUL character in the transaction (exit 2, the field named, nothing recorded)', () => {
    const r = run(['check', '-', '--commit'], { ...lpp(1), id: 'PO\u0000x' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/id: must not contain NUL/);
  });

  it.skipIf(skip)('surfaces the "LPP TPP Limit Reached" notice and refuses LPP once the cap is spent (exit 4, amount left)', () => {
    const r = run(['check', '-', '--commit'], lpp(699));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/NOTICE LPP TPP Limit Reached/);
    expect(JSON.parse(r.stdout).commit.notices[0]).toMatch(/LPP TPP Limit Reached/);
    const refused = run(['check', '-', '--commit', '--exception', 'LPP'], lpp(1));
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/cap exceeded.*room left 1432 TPP/);
    const text = run(['check', '-', '--commit', '--format', 'text'], lpp(1));
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/no license exception used \(recorded only\)/);
  });

  it.skipIf(skip)('refuses invalid input with the field path (exit 2) and records nothing', () => {
    const before = JSON.parse(run(['audit', 'verify', '--format', 'json']).stdout).records;
    const bad = run(['check', '-', '--commit'], { ...lpp(1), to: 'XX' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^aidr: invalid input: to:/);
    const noKey = run(['check', '-', '--commit'], lpp(1, { name: '' } as Record<string, string>));
    expect(noKey.status).toBe(2);
    expect(run(['check', '-', '--commit'], { ...lpp(10), consignee: { country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } }).stderr).toMatch(/consignee\.id/);
    expect(run(['check', '-', '--commit', '--exception', 'XYZ'], lpp(1)).status).toBe(2);
    expect(run(['check', '-', '--idempotency-key', 'k'], lpp(1)).status).toBe(2);
    for (const args of [['audit', 'export', '--since', '2026-13-01'], ['ledger', 'show', '--kind', 'foo']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--since|--kind/);
    }
    // A batch whose second shipment cannot be keyed is refused whole: the first is not committed either.
    const batch = run(['check', '-', '--commit'], [lpp(2), { ...lpp(3), consignee: { country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } }]);
    expect(batch.status).toBe(2);
    expect(batch.stderr).toMatch(/\[1\]\.consignee\.id/);
    expect(JSON.parse(run(['audit', 'verify', '--format', 'json']).stdout).records).toBe(before);
  });

  it.skipIf(skip)('ledger reserve, commit, release from the command line', () => {
    const r = run(['ledger', 'reserve', 'nveu:V9:AE', '--tpp', '1000000000', '--date', '2025-08-01', '--idempotency-key', 'nv-1']);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.balance).toMatchObject({ reservedTpp: '1000000000', capTpp: '1266000000', leftTpp: '266000000' });
    const over = run(['ledger', 'reserve', 'nveu:V9:AE', '--tpp', '300000000', '--date', '2025-08-01']);
    expect(over.status).toBe(4);
    expect(over.stderr).toMatch(/cap exceeded on nveu:V9:AE: requested 300000000 TPP, 266000000 TPP left of 1266000000/);
    expect(JSON.parse(run(['ledger', 'commit', res.reservationId]).stdout).state).toBe('committed');
    expect(run(['ledger', 'release', res.reservationId]).status).toBe(4);
    expect(run(['ledger', 'reserve', 'nveu:V9', '--tpp', '1']).status).toBe(2);
    expect(run(['ledger', 'reserve', 'nveu:V9:AE', '--tpp', 'abc']).status).toBe(2);
    const shown = run(['ledger', 'show', '--date', '2025-08-01']).stdout;
    expect(shown).toMatch(/nveu:V9:AE\s+1000000000\s+0\s+1266000000\s+266000000/);
    expect(shown).toMatch(/nveu:V9:AE: cap as of 2025-08-01: 2025Q3 limit of 15 CFR 748\.15\(a\)\(2\)\(iii\)\(B\), Table 1/);
  });

  it.skipIf(skip)('records licenses, BIS figures and imports, and answers veu check from the ledger', () => {
    expect(run(['ledger', 'record-license', '--country', 'ae', '--tpp', '700000000', '--date', '2025-04-01', '--license', 'D100']).status).toBe(0);
    expect(JSON.parse(run(['ledger', 'record-license', '--country', 'AE', '--tpp', '700000000', '--date', '2025-04-01', '--license', 'D100']).stdout).replayed).toBe(true);
    expect(run(['ledger', 'record-published', '--country', 'AE', '--tpp', '750000000', '--as-of', '2025-05-31', '--source', 'bis.gov']).status).toBe(0);
    const d = JSON.parse(run(['check', '-', '--commit'], { date: '2025-06-02', to: 'AE', item: H100, quantity: 3000, consignee: { id: 'ae-x', country: 'AE', headquarters: 'AE', ultimateParentHeadquarters: 'AE' } }).stdout);
    expect(d.determination.reviewPolicy).toBe('denial_over_allocation');
    expect(d.determination.allocation).toMatchObject({ licensedTpp: 750000000, remaining: 40000000 });
    const dir = mkdtempSync(join(tmpdir(), 'aidr-import-'));
    const file = join(dir, 'opening.jsonl');
    writeFileSync(file, ['{"account":"uveu:U9:US","tpp":"930000000","date":"2025-07-01","headquarters":"US"}', '{"account":"uveu:U9:MY","tpp":"60000000","date":"2025-07-01"}'].join('\n'));
    expect(JSON.parse(run(['ledger', 'import', file]).stdout)).toMatchObject({ imported: 2 });
    expect(JSON.parse(run(['ledger', 'import', file]).stdout)).toMatchObject({ imported: 0, skipped: 2 });
    const v = JSON.parse(run(['veu', 'check', '-', '--from-ledger', 'U9'], { date: '2025-08-01', uveu: { headquarters: 'US', proposed: { country: 'MY', tpp: '20000000' } } }).stdout);
    expect(v.uveu.limits.singleCountry).toMatchObject({ status: 'not_met', actualTpp: '80000000' });
    const drawOver = run(['ledger', 'draw', 'uveu:U9:MY', '--tpp', '20000000', '--headquarters', 'US']);
    expect(drawOver.status).toBe(4);
    expect(drawOver.stderr).toMatch(/UVEU limit exceeded/);
    expect(JSON.parse(run(['ledger', 'verify']).stdout).ok).toBe(true);
  });

  it.skipIf(skip)('audit verify, replay and export; verify names a record altered by SQL (exit 5)', async () => {
    const ok = run(['audit', 'verify']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/audit log intact: \d+ record\(s\), \d+ signed by key [0-9a-f]{16} .*; head \d+:[0-9a-f]{64}/);
    const replay = run(['audit', 'replay', '1', '--format', 'json']);
    expect(replay.status, replay.stdout + replay.stderr).toBe(0);
    const rp = JSON.parse(replay.stdout);
    expect(rp.identical).toBe(true);
    // Only the version string may differ (it hashes the sources, which change while developing).
    expect(rp.differences.filter((x: { path: string }) => x.path !== 'ruleset.version')).toEqual([]);
    expect(rp.sameVersion).toBe(rp.differences.length === 0);
    const csv = run(['audit', 'export', '--format', 'csv']).stdout.trim().split('\n');
    const records = JSON.parse(run(['audit', 'verify', '--format', 'json']).stdout).records;
    expect(csv[0]).toBe('seq,id,at,actor,kind,ruleset_version,outcome,exception,input,options,output,effects,prev_hash,hash,signature,key_id');
    const dir = mkdtempSync(join(tmpdir(), 'aidr-export-'));
    expect(run(['audit', 'export', '--format', 'jsonl', '--out', join(dir, 'a.jsonl')]).status).toBe(0);
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(records);
    expect(lines[0]).toMatchObject({ seq: 1, exception: 'LPP', outcome: 'license_exception' });
    expect(run(['audit', 'export', '--format', 'xml']).status).toBe(2);

    const store = await b.open();
    try {
      await tamper(store, ['update audit_log set actor = \'mallory\' where seq = 2']);
    } finally {
      await store.close();
    }
    const bad = run(['audit', 'verify']);
    expect(bad.status).toBe(5);
    expect(bad.stdout).toMatch(/FAILED verification \(altered\): record seq 2 \(id [0-9a-f-]{36}\) was altered/);
    expect(run(['audit', 'replay', 'no-such-id']).status).toBe(2);
  });
});
