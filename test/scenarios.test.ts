/**
 * Runs every lawyer-readable scenario in test/scenarios/*.yaml through the engine (format in
 * test/scenarios/README.md). A scenario passes only if each expectation it states holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { check, InputError, type Determination } from '../src/index.js';
import { Decimal } from '../src/compute/exact.js';

interface Scenario {
  name: string;
  source?: string;
  citation?: string;
  options?: { asOf?: string; interpretations?: Record<string, string>; ledger?: Record<string, unknown>; regime?: 'codified' | 'enforced' };
  input: unknown;
  expect: Record<string, unknown>;
}

const dir = join(import.meta.dirname, 'scenarios');
/** Scenario files, including those in sub-folders (e.g. regimes/). */
const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml')).sort();

/** "15 CFR 740.27(a)(1), (a)(2)(ii); 15 CFR 762.6" → each full citation on its own. */
export function expandCitations(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(';').map((p) => p.trim())) {
    const m = /^(15 CFR [\d.]+)(.*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    const [, section, rest] = m;
    out.push(part);
    for (const piece of rest!.split(',').map((p) => p.trim()).filter(Boolean)) out.push(`${section}${piece}`);
  }
  return out;
}

function allCitations(d: Determination): string[] {
  const cites: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'citation' && typeof x === 'string') cites.push(...expandCitations(x));
        else visit(x);
      }
    }
  };
  visit(d);
  return cites;
}

const sameNumber = (a: unknown, b: unknown) => a !== undefined && new Decimal(String(a)).eq(new Decimal(String(b)));

function checkExpectations(d: Determination, e: Record<string, unknown>): void {
  const c = d.classification;
  const ctx = (what: string) => `${what} (outcome ${d.outcome}; missing ${d.missingFacts.map((m) => m.path).join(', ') || 'none'})`;
  if ('eccn' in e) expect(c.eccn, ctx('eccn')).toBe(e.eccn);
  if ('subjectToEar' in e) expect(d.subjectToEar, ctx('subjectToEar')).toBe(e.subjectToEar);
  if ('licenseRequired' in e) expect(d.licenseRequired, ctx('licenseRequired')).toBe(e.licenseRequired);
  if ('outcome' in e) expect(d.outcome, ctx('outcome')).toBe(e.outcome);
  if ('reviewPolicy' in e) expect(d.reviewPolicy, ctx('reviewPolicy')).toBe(e.reviewPolicy);
  if ('tppPerUnit' in e) expect(sameNumber(c.tppPerUnit, e.tppPerUnit), `tppPerUnit ${c.tppPerUnit}`).toBe(true);
  if ('performanceDensity' in e) expect(c.performanceDensity, 'performanceDensity (as displayed)').toBe(e.performanceDensity);
  if ('aggregateTpp' in e) expect(sameNumber(c.aggregateTppExact ?? c.aggregateTpp, e.aggregateTpp), `aggregateTpp ${c.aggregateTpp}`).toBe(true);
  if ('performanceDensity' in e) expect(c.performanceDensity).toBe(e.performanceDensity);
  if ('trainingOperations' in e) expect(sameNumber(c.trainingOperations, e.trainingOperations), `trainingOperations ${c.trainingOperations}`).toBe(true);
  if (e.exceptions) {
    for (const [code, status] of Object.entries(e.exceptions as Record<string, string>)) {
      const found = d.exceptions.find((x) => x.code === code);
      const why = found ? found.conditions.filter((k) => k.status !== 'met').map((k) => `${k.id}=${k.status}`).join(', ') : 'not listed';
      expect(found?.status ?? 'absent', ctx(`exception ${code} [${why}]`)).toBe(status);
    }
  }
  const matches = (m: Record<string, string>) => (code: string, o: Determination['exceptions'][number]['obligations'][number]) =>
    (!m.exception || m.exception === code) &&
    (!m.subject || o.subject === m.subject) &&
    (!m.to || o.to === m.to) &&
    (!m.citation || o.citation.startsWith(m.citation) || expandCitations(o.citation).includes(m.citation)) &&
    (!m.what || o.what.toLowerCase().includes(m.what.toLowerCase())) &&
    (!m.when || o.when.toLowerCase().includes(m.when.toLowerCase()));
  const obligations = d.exceptions.flatMap((x) => x.obligations.map((o) => [x.code, o] as const));
  for (const m of (e.obligations as Record<string, string>[] | undefined) ?? []) {
    expect(obligations.some(([code, o]) => matches(m)(code, o)), `obligation ${JSON.stringify(m)}`).toBe(true);
  }
  for (const m of (e.noObligations as Record<string, string>[] | undefined) ?? []) {
    expect(obligations.some(([code, o]) => matches(m)(code, o)), `no obligation ${JSON.stringify(m)}`).toBe(false);
  }
  const paths = d.missingFacts.map((m) => m.path);
  for (const p of (e.missingFacts as string[] | undefined) ?? []) expect(paths, `missingFacts has ${p}`).toContain(p);
  if (e.noMissingFacts === true) expect(paths).toEqual([]);
  for (const p of (e.notMissing as string[] | undefined) ?? []) expect(paths, `missingFacts does not ask for ${p}`).not.toContain(p);
  if (e.interpretations) {
    for (const [id, want] of Object.entries(e.interpretations as Record<string, unknown>)) {
      const got = d.interpretations.find((i) => i.id === id);
      if (want === 'absent') {
        expect(got, `interpretation ${id} absent`).toBeUndefined();
        continue;
      }
      expect(got, `interpretation ${id} listed (listed: ${d.interpretations.map((i) => i.id).join(', ')})`).toBeDefined();
      for (const [k, v] of Object.entries((want ?? {}) as Record<string, unknown>)) expect((got as Record<string, unknown>)[k], `${id}.${k}`).toEqual(v);
    }
  }
  if (Array.isArray(e.redFlags)) expect(d.redFlags.map((r) => r.id).sort()).toEqual([...(e.redFlags as string[])].sort());
  else if (e.redFlags) expect(Object.fromEntries(d.redFlags.map((r) => [r.id, r.status]))).toEqual(e.redFlags);
  const cites = allCitations(d);
  for (const want of (e.citations as string[] | undefined) ?? []) {
    expect(cites.some((c2) => c2.includes(want)), `citation ${want} appears`).toBe(true);
  }
  for (const w of (e.warnings as string[] | undefined) ?? []) {
    expect(d.warnings.some((x) => x.toLowerCase().includes(w.toLowerCase())), `warning containing "${w}"`).toBe(true);
  }
  for (const w of (e.noWarnings as string[] | undefined) ?? []) {
    expect(d.warnings.some((x) => x.toLowerCase().includes(w.toLowerCase())), `no warning containing "${w}"`).toBe(false);
  }
  if ('complianceFrom' in e) expect(d.complianceFrom ?? null, 'complianceFrom').toBe(e.complianceFrom);
  for (const [code, want] of Object.entries((e.conditions ?? {}) as Record<string, Record<string, string>>)) {
    const found = d.exceptions.find((x) => x.code === code);
    for (const [id, status] of Object.entries(want)) {
      const k = found?.conditions.find((c) => c.id === id);
      expect(k?.status ?? 'absent', `${code} condition ${id}`).toBe(status);
    }
  }
  if ('regime' in e) expect(d.regime).toBe(e.regime);
  if ('regimesDiffer' in e) expect(d.regimesDiffer, 'regimesDiffer').toBe(e.regimesDiffer);
  for (const [id, want] of Object.entries((e.regimes ?? {}) as Record<string, Record<string, unknown>>)) {
    const got = d.regimes.find((r) => r.id === id);
    expect(got, `regime ${id}`).toBeDefined();
    for (const [k, v] of Object.entries(want)) {
      if (k === 'eligibleExceptions') expect([...got!.eligibleExceptions].sort(), `${id}.eligibleExceptions`).toEqual([...(v as string[])].sort());
      else if (k === 'basisIncludes') for (const b of v as string[]) expect(got!.basis.some((x) => x.includes(b)), `${id}.basis includes ${b} (basis: ${got!.basis.join(' | ')})`).toBe(true);
      else if (k === 'citations') for (const c of v as string[]) expect(got!.citations.some((x) => x.includes(c)), `${id}.citations include ${c} (${got!.citations.join(' | ')})`).toBe(true);
      else if (k === 'readings') for (const [int, reading] of Object.entries(v as Record<string, string>)) expect(got!.readings.find((x) => x.id === int)?.reading ?? 'absent', `${id}: reading of ${int}`).toBe(reading);
      else if (k === 'versions') for (const [prov, from] of Object.entries(v as Record<string, string>)) expect(got!.versions.find((x) => x.provision === prov)?.from, `${id}: version of ${prov}`).toBe(from);
      else expect((got as Record<string, unknown>)[k], `${id}.${k} (${id} outcome ${got!.outcome})`).toEqual(v);
    }
  }
}

describe.each(files)('%s', (file) => {
  const doc = parse(readFileSync(join(dir, file), 'utf8')) as { provision?: string; scenarios: Scenario[] };
  it.each(doc.scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const options = { asOf: s.options?.asOf, interpretations: s.options?.interpretations, ledger: s.options?.ledger as never, regime: s.options?.regime };
    if (typeof s.expect.refused === 'string') {
      // Input the rule defines away or that contradicts itself: refused at the field path named.
      let error: unknown;
      try {
        check(s.input, options);
      } catch (e) {
        error = e;
      }
      expect(error, 'refused as bad input').toBeInstanceOf(InputError);
      expect((error as InputError).path).toBe(s.expect.refused);
      if (s.citation) expect((error as Error).message, `the refusal cites ${s.citation}`).toContain(s.citation.replace(/^15 CFR /, ''));
      return;
    }
    const d = check(s.input, options);
    checkExpectations(d, s.expect);
    if (s.citation?.startsWith('15 CFR')) {
      expect(allCitations(d).some((c) => c.includes(s.citation!)), `deciding citation ${s.citation} appears`).toBe(true);
    }
  });
});

it('has at least 80 scenarios', () => {
  const n = files.reduce((acc, f) => acc + (parse(readFileSync(join(dir, f), 'utf8')) as { scenarios: unknown[] }).scenarios.length, 0);
  expect(n).toBeGreaterThanOrEqual(80);
});
