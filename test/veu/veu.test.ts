/**
 * Runs the Data Center VEU scenarios in test/veu/*.yaml (worked examples 12-15 of the fact sheet,
 * each limit at its boundary, eligibility, and issue 13's principles): each expectation is a dotted
 * path into the `aidr veu check` output and the value it must hold; a segment `@x` picks the array
 * element whose id is x (`eligibility.uveu.conditions.@no-macau-d5-ownership.status`), and
 * `absent` lists paths that must not exist. Each scenario names its deciding paragraph
 * (`citation`) and, for a reading of a named interpretation, the reading (`source`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { VeuCheckInput, veuCheck } from '../../src/law/part748/veu-check.js';

interface Scenario { name: string; source?: string; citation: string; input: unknown; expect: Record<string, unknown>; absent?: string[] }

const dir = import.meta.dirname;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** A dotted path; a segment `@x` picks the array element whose id is x (a condition, an interpretation). */
function at(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const k of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    if (k.startsWith('@')) v = Array.isArray(v) ? v.find((x: { id?: string }) => x?.id === k.slice(1)) : undefined;
    else v = (v as Record<string, unknown>)[/^\d+$/.test(k) ? Number(k) : k];
  }
  return v;
}

function citations(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => citations(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === 'citation' && typeof x === 'string' ? out.push(x) : citations(x, out));
  return out;
}

describe.each(files)('VEU scenarios: %s', (file) => {
  const scenarios = parse(readFileSync(join(dir, file), 'utf8')) as Scenario[];
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const input = VeuCheckInput.parse(s.input);
    const out = veuCheck(input, '2025-08-01');
    for (const [path, want] of Object.entries(s.expect)) expect(at(out, path), path).toEqual(want);
    for (const path of s.absent ?? []) expect(at(out, path), path).toBeUndefined();
    // Every rule that answered names its paragraph.
    const cites = citations(out);
    expect(cites.length).toBeGreaterThan(0);
    expect(cites.every((c) => /15 CFR|Supp\. No\. 10/.test(c))).toBe(true);
  });
});

describe('bin/aidr veu check', () => {
  const bin = join(dir, '..', '..', 'bin', 'aidr');
  const run = (args: string[], input: string) => spawnSync(bin, args, { input, encoding: 'utf8' });
  it('prints JSON, or text for a person', () => {
    const input = JSON.stringify({ date: '2025-08-01', uveu: { headquarters: 'US', installedByCountry: { US: '1000000000' }, proposed: { country: 'MY', tpp: '80000000' } } });
    const r = run(['veu', 'check', '-'], input);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).uveu.limits.singleCountry.status).toBe('not_met');
    const t = run(['veu', 'check', '-', '--format', 'text'], input);
    expect(t.stdout).toMatch(/\[not_met\] singleCountry: 80000000 TPP in Malaysia/);
  });
  it('refuses invalid input with the field path (exit 2)', () => {
    const r = run(['veu', 'check', '-'], JSON.stringify({ uveu: { installedByCountry: { XX: 1 } } }));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/uveu\.installedByCountry/);
    const n = run(['veu', 'check', '-'], JSON.stringify({ nveu: { installedTpp: '-1' } }));
    expect(n.status).toBe(2);
    expect(n.stderr).toMatch(/nveu\.installedTpp/);
  });
});
