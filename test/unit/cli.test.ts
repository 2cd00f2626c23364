import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
const run = (args: string[], input?: string) => spawnSync(bin, args, { input, encoding: 'utf8' });
const tx = { id: 'PO-1', date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1000, consignee: { country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } };

describe('bin/aidr', () => {
  it('check prints one determination as JSON', () => {
    const r = run(['check', '-'], JSON.stringify(tx));
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.id).toBe('PO-1');
    expect(d.outcome).toBe('license_exception');
    expect(d.exceptions.find((e: { code: string }) => e.code === 'LPP').status).toBe('eligible');
  });
  it('check keeps the order of an array', () => {
    const r = run(['check', '-'], JSON.stringify([tx, { ...tx, id: 'PO-2', to: 'CN', consignee: { country: 'CN', headquarters: 'CN', ultimateParentHeadquarters: 'CN' } }]));
    const ds = JSON.parse(r.stdout);
    expect(ds.map((d: { id: string }) => d.id)).toEqual(['PO-1', 'PO-2']);
    expect(ds[1].reviewPolicy).toBe('presumption_of_denial');
  });
  it('invalid input: exit 2, the field path on stderr, nothing on stdout', () => {
    const r = run(['check', '-'], JSON.stringify({ ...tx, consignee: { country: 'XX' } }));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('consignee.country');
  });
  it('invalid JSON and unreadable files exit 2', () => {
    expect(run(['check', '-'], '{').status).toBe(2);
    expect(run(['check', '/no/such/file.json']).status).toBe(2);
  });
  it('--as-of, --interpretation and --ledger change the answer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aidr-'));
    const file = join(dir, 'tx.json');
    writeFileSync(file, JSON.stringify({ ...tx, to: 'AE', consignee: { country: 'AE', headquarters: 'AE', ultimateParentHeadquarters: 'AE' } }));
    const lpp = (args: string[]) => JSON.parse(execFileSync(bin, ['check', file, ...args], { encoding: 'utf8' })).exceptions.find((e: { code: string }) => e.code === 'LPP').status;
    expect(lpp([])).toBe('not_eligible');
    expect(lpp(['--interpretation', 'INT-6=available'])).toBe('eligible');
    const ledger = join(dir, 'ledger.json');
    writeFileSync(ledger, JSON.stringify({ lppUsedTpp: 20000000 }));
    expect(lpp(['--interpretation', 'INT-6=available', '--ledger', ledger])).toBe('not_eligible');
    writeFileSync(ledger, JSON.stringify({ lppUsedTpp: 'abc' }));
    const bad = run(['check', file, '--ledger', ledger]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/invalid input: ledger\.lppUsedTpp: /);
    // 2025-01-01: the V3 text (the UAE then in D:4): license required; before 2023-11-17 not modelled.
    const v3 = JSON.parse(execFileSync(bin, ['check', file, '--as-of', '2025-01-01'], { encoding: 'utf8' }));
    expect(v3.outcome).toBe('license_required');
    expect(v3.ruleset.inForce).toBe(false);
    const before = JSON.parse(execFileSync(bin, ['check', file, '--as-of', '2023-11-16'], { encoding: 'utf8' }));
    expect(before.outcome).toBe('indeterminate');
  });
  it('--format text prints a report for a person', () => {
    const r = run(['check', '-', '--format', 'text'], JSON.stringify(tx));
    expect(r.stdout).toMatch(/LICENSE EXCEPTION is available/);
    expect(r.stdout).toMatch(/LPP Shipment/);
    expect(r.stdout).not.toMatch(/uses one license exception/);
    // Lean output re-evaluates other readings only when asked.
    const lean = JSON.parse(run(['check', '-', '--lean'], JSON.stringify(tx)).stdout);
    const leanSens = JSON.parse(run(['check', '-', '--lean', '--sensitivity'], JSON.stringify(tx)).stdout);
    expect(lean.interpretations.every((i: { changesOutcome?: boolean }) => i.changesOutcome === undefined)).toBe(true);
    expect(leanSens.interpretations.length).toBeGreaterThan(0);
    // INT-9 excepted: its reading is applied by whoever counts the ledger figures (docs/semantics.md).
    expect(leanSens.interpretations.filter((i: { id: string }) => i.id !== 'INT-9').every((i: { changesOutcome?: boolean }) => typeof i.changesOutcome === 'boolean')).toBe(true);
    const both = run(['check', '-', '--format', 'text'], JSON.stringify({ ...tx, to: 'DE', quantity: 100, consignee: { country: 'DE', headquarters: 'DE', ultimateParentHeadquarters: 'DE' } }));
    expect(both.stdout).toMatch(/uses one license exception: only the obligations of the one used \(AIA or LPP\) apply/);
    // The headline qualifies what the JSON qualifies: an unknown requirement, a date before compliance.
    const unclassified = { to: 'VN', item: { type: 'ic', tpp: 4000, dieAreaMm2: 1000 }, consignee: { country: 'VN', headquarters: 'VN', ultimateParentHeadquarters: 'VN' }, date: '2025-06-02' };
    expect(run(['check', '-', '--format', 'text'], JSON.stringify(unclassified)).stdout.split('\n')[0]).toBe('A LICENSE MAY BE REQUIRED; if it is, a LICENSE EXCEPTION covers it');
    // Before 2025-05-15 the codified answer waits for the compliance date; as enforced (the text it amended) the answer differs.
    const early = run(['check', '-', '--format', 'text', '--as-of', '2025-03-01'], JSON.stringify(tx)).stdout.split('\n');
    expect(early[0]).toBe('PO-1: the codified and the enforced regime answer differently on 2025-03-01');
    expect(early[1]).toMatch(/^ {2}As written: .* once compliance is required \(not yet on 2025-03-01\)/);
    expect(early[2]).toMatch(/^ {2}As BIS enforces it: NO LICENSE REQUIRED — 3A090\.a to Brazil \(BR\), which is not in D:1, D:4 or D:5/);
  });
  it('chips and tpp show the catalog and the computation', () => {
    expect(run(['chips']).stdout).toMatch(/nvidia-h100-sxm\s+15832\s+19\.45/);
    const t = run(['tpp', '--tops', '1979', '--bits', '8', '--area', '814', '--datacenter']).stdout;
    expect(t).toMatch(/Highest TPP \(Technical Note 2\): 15832/);
    expect(t).toMatch(/Classification: 3A090\.a/);
    expect(run(['tpp', '--bits', '8']).status).toBe(2);
  });
});
