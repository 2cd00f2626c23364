/**
 * The regimes as users see them: --regime on check and screen, the text headline per regime, aidr
 * status, --compare-as-of (and screen --compare with a regime), and audit replay's then/today.
 * Where the two regimes must answer differently, the determination is fabricated from a real one
 * (the law modules decide when they differ; this tests what the interfaces make of it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Determination, RegimeAnswer } from '../../src/contract/determination.js';
import { parseTransaction } from '../../src/contract/parse.js';
import { determine } from '../../src/engine/determine.js';
import { between, compareAsOf, regimeChanges, renderComparisonText } from '../../src/engine/compare-dates.js';
import { legalStatus, statusSentence } from '../../src/engine/legal-status.js';
import { licenseReason, renderText } from '../../src/cli/text.js';
import { changesBetween } from '../../src/screen/compare.js';
import { flatRow } from '../../src/screen/format.js';
import { headerCells } from '../../src/screen/write.js';
import { SummaryBuilder, summaryText } from '../../src/screen/summary.js';
import { aidr, csv, rows, tempDir } from '../screen/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
const run = (args: string[], input?: string) => spawnSync(bin, args, { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', AIDR_DATA_DIR: '' }, cwd: tempDir() });

const BRAZIL = parseTransaction({ id: 'BR-1', date: '2026-12-06', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10000, consignee: { country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } });

/** The Brazilian example of the issue as the two regimes answer it: license required as written, none as enforced. */
function differing(regime: 'codified' | 'enforced' = 'codified'): Determination {
  const d = determine(BRAZIL, { regime });
  const codified: RegimeAnswer = { ...d.regimes[0]!, licenseRequired: 'yes', outcome: 'license_required', reviewPolicy: 'approval_within_allocation', eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)(A)'] };
  const enforced: RegimeAnswer = { ...d.regimes[1]!, basis: ['88 FR 73458', '89 FR 96790', 'BIS guidance 2026-05-31'], licenseRequired: 'no', outcome: 'no_license_required', reviewPolicy: null, eligibleExceptions: [], citations: ['15 CFR 742.6(a)(6)(iii)'] };
  const top = regime === 'codified' ? codified : enforced;
  return { ...d, regime, regimes: [codified, enforced], regimesDiffer: true, outcome: top.outcome, licenseRequired: top.licenseRequired, reviewPolicy: top.reviewPolicy };
}

describe('--regime', () => {
  it('check: the top-level answer follows the regime asked for; both are always in regimes[]; a bad value exits 2 naming --regime', () => {
    const tx = JSON.stringify(BRAZIL);
    const codified = JSON.parse(run(['check', '-', '--no-ledger'], tx).stdout);
    expect(codified.regime).toBe('codified');
    expect(codified.regimes.map((r: RegimeAnswer) => r.id)).toEqual(['codified', 'enforced']);
    const enforced = run(['check', '-', '--no-ledger', '--regime', 'enforced'], tx);
    expect(enforced.status, enforced.stderr).toBe(0);
    const e = JSON.parse(enforced.stdout);
    expect(e.regime).toBe('enforced');
    expect(e.outcome).toBe(e.regimes[1].outcome);
    expect(e.licenseRequired).toBe(e.regimes[1].licenseRequired);
    const bad = run(['check', '-', '--regime', 'enforceable'], tx);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--regime: expected codified or enforced/);
  });

  it('screen: rows carry both regimes\' columns and regimes_differ; --regime chooses the main columns; a bad value exits 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([['id', 'date', 'to', 'model', 'quantity', 'consignee_country', 'consignee_hq', 'consignee_parent_hq'], ['BR-1', '2026-12-06', 'BR', 'nvidia-h100-sxm', 10, 'BR', 'BR', 'BR']]));
    const r = aidr(['screen', 'o.csv', '--regime', 'enforced', '-o', 'out.csv', '--jobs', '1'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const [row] = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
    expect(row).toMatchObject({ regime: 'enforced', regimes_differ: expect.stringMatching(/^(yes|no)$/) });
    expect(row!.enforced_outcome).toBe(row!.outcome);
    expect(row!.codified_outcome).not.toBe('');
    // The summary counts the lines the regimes answer differently.
    const summary = aidr(['screen', 'o.csv', '--summary', 's.json', '-o', 'x.csv'], { cwd: dir });
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).regimesDiffer).toBe(row!.regimes_differ === 'yes' ? 1 : 0);
    expect(summary.status).toBe(0);
    expect(aidr(['screen', 'o.csv', '--regime', 'both'], { cwd: dir }).status).toBe(2);
  });

  it('the summary counts the lines the regimes answer differently, across worker threads', () => {
    const worker = new SummaryBuilder('o.csv', 'csv', 'none');
    worker.add({ line: 2, outcome: 'license_required', regimesDiffer: true });
    worker.add({ line: 3, outcome: 'license_required' });
    const run = new SummaryBuilder('o.csv', 'csv', 'none');
    run.add({ line: 4, outcome: 'no_license_required', regimesDiffer: true });
    run.merge(worker.state());
    const s = run.finish();
    expect(s.regimesDiffer).toBe(2);
    expect(summaryText(s)).toMatch(/; 2 line\(s\) answered differently as written and as BIS enforces it/);
  });

  it('the flat row shows each regime\'s answer, whichever the main columns follow', () => {
    const d = differing('enforced');
    const head = headerCells('screen');
    const cells = flatRow({ line: 2, determination: d, notes: [] }, 'screen');
    const at = (c: string) => cells[head.indexOf(c)];
    expect([at('outcome'), at('regime'), at('codified_outcome'), at('codified_license_required'), at('enforced_outcome'), at('enforced_license_required'), at('regimes_differ')])
      .toEqual(['no_license_required', 'enforced', 'license_required', 'yes', 'no_license_required', 'no', 'yes']);
  });
});

describe('--format text with two regimes', () => {
  it('one headline when the regimes agree', () => {
    const d = determine(BRAZIL);
    const text = renderText({ ...d, regimesDiffer: false });
    expect(text.split('\n')[0]).toMatch(/^BR-1: LICENSE REQUIRED/);
    expect(text).not.toMatch(/As BIS enforces it: (NO|LICENSE)/);
    expect(text).toMatch(/This answer: codified \(the other regime gives the same\)/);
  });

  it('a headline per regime when they differ, saying which one the details follow; no header line contradicts the body', () => {
    const text = renderText(differing('codified'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('BR-1: the codified and the enforced regime answer differently on 2026-12-06');
    expect(lines[1]).toMatch(/^ {2}As written: LICENSE REQUIRED \(none of the license exceptions aidr evaluates is available\) — .*not available; review: approval within allocation\. \[15 CFR 742\.6\(a\)\(6\)\(iii\)\(A\)\]$/);
    expect(lines[1]).toMatch(/LPP/);
    expect(lines[2]).toBe('  As BIS enforces it: NO LICENSE REQUIRED. [15 CFR 742.6(a)(6)(iii)]');
    expect(lines[3]).toMatch(/details below follow the codified text/);
    expect(text).toMatch(/License required: yes/);
    // The status sentence and its sources.
    expect(text).toMatch(/Regimes: Vintage V7 .*As written: 90 FR 4544 as written.*As BIS enforces it:/);
    expect(text).toMatch(/Sources of the legal status[\s\S]*\[GAO\] GAO B-337935/);

    const enforced = renderText(differing('enforced')).split('\n');
    expect(enforced[3]).toMatch(/details below follow the enforced regime/);
    expect(enforced.find((l) => l.startsWith('Subject to the EAR'))).toMatch(/License required: no/);
  });

  it('the CLI: the Brazilian example headlines both answers, each with the finding that decided it (the issue\'s example)', () => {
    const lines = run(['check', '-', '--no-ledger', '--format', 'text'], JSON.stringify(BRAZIL)).stdout.split('\n');
    expect(lines[0]).toBe('BR-1: the codified and the enforced regime answer differently on 2026-12-06');
    expect(lines[1]).toMatch(/^ {2}As written: LICENSE REQUIRED \(none of the license exceptions aidr evaluates is available\) — 3A090\.a to or within any destination, here Brazil \(BR\); .*LPP.* not available; review: approval within allocation\. \[.*742\.6\(a\)\(6\)\(iii\)\(A\)/);
    expect(lines[2]).toMatch(/^ {2}As BIS enforces it: NO LICENSE REQUIRED — 3A090\.a to Brazil \(BR\), outside the D-set\./);
    expect(lines[3]).toMatch(/details below follow the codified text/);
    // As enforced, the body says no license: no line contradicts the headline.
    const enforced = run(['check', '-', '--no-ledger', '--format', 'text', '--regime', 'enforced'], JSON.stringify(BRAZIL)).stdout;
    expect(enforced).toMatch(/^Subject to the EAR: yes {3}License required: no/m);
    expect(enforced).toMatch(/This answer: enforced\./);
    // Lean output has no explanation: the headline gives no finding rather than a guess.
    expect(licenseReason({ ...determine(BRAZIL, { explain: false }) })).toBe('');
  });

  it('before 2025-05-15 the codified answer waits for the compliance date; the enforced one does not', () => {
    const early = determine(BRAZIL, { asOf: '2025-03-01' });
    expect(early.regimes.map((r) => r.complianceRequired)).toEqual([false, true]);
    const lines = renderText(early).split('\n');
    expect(lines[1]).toMatch(/As written: LICENSE REQUIRED .*once compliance is required \(not yet on 2025-03-01\)/);
    expect(lines[2]).not.toMatch(/once compliance/);
  });
});

describe('aidr status', () => {
  it('text: the vintage, both regimes, the timeline with what is in effect, each posture with its basis, the sources', () => {
    const r = run(['status', '--as-of', '2026-12-06']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Legal status on 2026-12-06: vintage V7 (2026-11-10 to 2026-12-06)');
    expect(r.stdout).toMatch(/^As written \(codified\): 90 FR 4544 as written/m);
    expect(r.stdout).toMatch(/^As BIS enforces it \(enforced\): .*\(E1, E7, E8, E10, E15\)/m);
    expect(r.stdout).toMatch(/^\* T7 {2}2025-01-13/m);
    expect(r.stdout).toMatch(/^- E1 .*NOT ENFORCED \(since 2025-05-15\)/m);
    expect(r.stdout).toMatch(/^- \[GUID-2026-05-31\] BIS/m);
  });

  it('json, on a 2024 date: vintage V2, both regimes the 88 FR 73458 text, later instruments and postures not yet', () => {
    const r = run(['status', '--as-of', '2024-06-01', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.vintage.id).toBe('V2');
    expect(s.regimes.map((x: { sentence: string }) => x.sentence)).toEqual([expect.stringMatching(/88 FR 73458 as amended, text in force on the date \(vintage V2/), expect.stringMatching(/88 FR 73458/)]);
    expect(s.timeline.find((t: { id: string }) => t.id === 'T3').inEffect).toBe(true);
    expect(s.timeline.find((t: { id: string }) => t.id === 'T7').inEffect).toBe(false);
    expect(s.postures.find((p: { id: string }) => p.id === 'E1').status).toBe('not_yet');
    expect(s.postures.find((p: { id: string }) => p.id === 'E2').status).toBe('enforced');
  });

  it('each side of the vintage boundaries says what governs', () => {
    expect(legalStatus('2023-11-16').vintage).toBeNull();
    expect(statusSentence('2023-11-16')).toMatch(/not modeled/);
    expect(statusSentence('2025-01-12')).toMatch(/^Vintage V3 .*As written: the advanced-computing rule/);
    expect(statusSentence('2025-01-13')).toMatch(/^Vintage V4a .*compliance not required until 2025-05-15.*As BIS enforces it: the advanced-computing rule of 88 FR 73458 as amended as it stood before 90 FR 4544 \(vintage V3\)/);
    expect(statusSentence('2025-05-15')).toMatch(/^Vintage V4b .*would not enforce/);
    expect(statusSentence('2026-01-14')).not.toMatch(/91 FR 1684/);
    expect(statusSentence('2026-01-15')).toMatch(/with 91 FR 1684 \(from 2026-01-15\)/);
    expect(statusSentence('2026-07-09')).not.toMatch(/91 FR 43034/);
    expect(statusSentence('2026-07-10')).toMatch(/91 FR 43034 \(from 2026-07-10\)/);
  });

  it('a bad date or format exits 2', () => {
    const r = run(['status', '--as-of', '2026-02-30']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--as-of/);
    expect(run(['status', '--format', 'yaml']).status).toBe(2);
  });
});

describe('--compare-as-of', () => {
  it('the library: each regime on both dates, the vintages, instruments, postures and later rules in between', () => {
    const tx = parseTransaction({ ...BRAZIL, date: '2024-06-01' });
    const c = compareAsOf(tx, {}, '2026-12-06');
    expect(c.from).toEqual({ asOf: '2024-06-01', vintage: 'V2' });
    expect(c.to).toEqual({ asOf: '2026-12-06', vintage: 'V7' });
    expect(c.regimes.map((r) => r.id)).toEqual(['codified', 'enforced']);
    expect(c.between.vintages).toEqual(['V3', 'V4a', 'V4b', 'V5', 'V6', 'V7']);
    expect(c.between.instruments.map((t) => t.id)).toContain('T7');
    expect(c.between.postures.map((p) => p.id)).toContain('E1');
    expect(c.between.laterRules.map((o) => o.id)).toEqual(expect.arrayContaining(['91-fr-1684']));
    expect(c.changed).toBe(c.regimes.some((r) => r.changed));
    // One day apart inside a vintage: nothing took effect.
    expect(between('2026-12-05', '2026-12-06')).toEqual({ vintages: [], instruments: [], postures: [], laterRules: [] });
    // The boundary day itself counts as in between.
    expect(between('2026-07-09', '2026-07-10').vintages).toEqual(['V6']);
  });

  it('names the fields that change in each regime (fabricated answers)', () => {
    const after = differing();
    // Before: the enforced regime also required a license (fabricated).
    const before: Determination = { ...after, regimes: [after.regimes[0]!, { ...after.regimes[1]!, licenseRequired: 'yes', outcome: 'license_required', reviewPolicy: 'presumption_of_denial' }] };
    const changes = regimeChanges(before, after);
    expect(changes.find((r) => r.id === 'codified')!.changed).toBe(false);
    const enforced = changes.find((r) => r.id === 'enforced')!;
    expect(enforced.changed).toBe(true);
    expect(enforced.changes.map((x) => x.field)).toEqual(expect.arrayContaining(['outcome', 'licenseRequired']));
    const text = renderComparisonText({ from: { asOf: '2025-03-01', vintage: 'V4a' }, to: { asOf: '2026-12-06', vintage: 'V7' }, regimes: changes, changed: true, between: between('2025-03-01', '2026-12-06') });
    expect(text).toMatch(/As BIS enforces it:\n {4}(licenseRequired|outcome): /);
    expect(text).toMatch(/vintages: V4b, V5, V6, V7/);
    // screen --compare lists the other regime's changes, prefixed with its name.
    expect(changesBetween(before, after)).toEqual(['enforced: license required yes → no', 'enforced: outcome license_required → no_license_required', 'enforced: review policy presumption_of_denial → none']);
  });

  it('the CLI: JSON and text; a bad date exits 2; not with --commit', () => {
    const tx = JSON.stringify({ ...BRAZIL, date: '2024-06-01' });
    const r = run(['check', '-', '--compare-as-of', '2026-12-06'], tx);
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ id: 'BR-1', from: { asOf: '2024-06-01', vintage: 'V2' }, to: { asOf: '2026-12-06', vintage: 'V7' } });
    const t = run(['check', '-', '--compare-as-of', '2026-12-06', '--as-of', '2026-07-09', '--format', 'text'], tx);
    expect(t.stdout.split('\n')[0]).toMatch(/^BR-1: 2026-07-09 \(vintage V5\) → 2026-12-06 \(vintage V7\): /);
    expect(t.stdout).toMatch(/later rule 91 FR 43034 from 2026-07-10/);
    const bad = run(['check', '-', '--compare-as-of', '2026-13-01'], tx);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--compare-as-of/);
    expect(run(['check', '-', '--compare-as-of', '2026-12-06', '--commit'], tx).status).toBe(2);
  });

  it('screen --compare regime=enforced is accepted; regime=other exits 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([['id', 'date', 'to', 'model', 'quantity', 'consignee_country', 'consignee_hq', 'consignee_parent_hq'], ['BR-1', '2026-12-06', 'BR', 'nvidia-h100-sxm', 10, 'BR', 'BR', 'BR']]));
    const r = aidr(['screen', 'o.csv', '--compare', 'regime=enforced', '--summary', 's.json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).compare).toMatchObject({ with: 'regime=enforced', lines: 1 });
    expect(aidr(['screen', 'o.csv', '--compare', 'regime=other'], { cwd: dir }).status).toBe(2);
  });
});
