/**
 * Which LPP accounts a screen, a commit and a check add up on, whatever the spelling, the thread
 * count and the regime (red team 3, D1-D3): 740.29(d) caps LPP at 26,900,000 TPP a calendar year
 * per ultimate consignee.
 * - A party named by an alias of the parties register is that party: its accounts are keyed by the
 *   register's id (the owner account too when it has a parent).
 * - INT-39=operator: a Supp. 5(a) consignee's lines count on the operator's cap; the answer does
 *   not depend on --jobs.
 * - --regime enforced: the codified columns add up as the rule as written would (a commit tracks
 *   the codified answer's draws), while the enforced answer and the exception a commit uses stay
 *   the enforced regime's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aidr, csv, rows, tempDir } from './helpers.js';

const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
/** 1,000 H100 = 15,832,000 TPP: one fits under the 26,900,000 TPP cap, two do not. */
const THOUSAND = 1000;

/** Account id → used TPP, from `aidr ledger show --format json`. */
function ledger(dir: string, env: Record<string, string>): Record<string, string> {
  const r = aidr(['ledger', 'show', '--format', 'json'], { cwd: dir, env });
  expect(r.status, r.stderr).toBe(0);
  const accounts = JSON.parse(r.stdout) as { id: string; usedTpp: string }[];
  return Object.fromEntries(accounts.map((a) => [a.id, a.usedTpp]));
}

describe('a party named by an alias of the parties register keys the register id\'s LPP accounts (D1)', () => {
  const setup = () => {
    const dir = tempDir();
    const env = { AIDR_DATA_DIR: join(dir, 'data') };
    writeFileSync(join(dir, 'parties.csv'), csv([
      ['id', 'name', 'country', 'headquarters', 'ultimate parent headquarters', 'ultimate parent id', 'aliases'],
      ['SOLO-BR', 'Solo Dados SA', 'BR', 'BR', 'BR', '', 'Solo Dados; SOLO DADOS SA; Solo Dados Ltda'],
      ['ACME-BR', 'Acme Brasil Ltda', 'BR', 'BR', 'BR', 'Acme Holdings', 'Acme Brasil'],
      ['ACME-HOLD', 'Acme Holdings SA', 'BR', 'BR', 'BR', '', 'Acme Holdings'],
    ]));
    const imp = aidr(['parties', 'import', 'parties.csv'], { cwd: dir, env });
    expect(imp.status, imp.stderr).toBe(0);
    // "Solo Dados Ltda" by its spelling goes to the other of two workers than "SOLO-BR" (run.ts hash).
    const line = (id: string, consignee: string) => [id, '2025-06-02', 'BR', 'nvidia-h100-sxm', THOUSAND, consignee, 'datacenter'];
    writeFileSync(join(dir, 'orders.csv'), csv([
      ['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'end_use'],
      line('S-1', 'SOLO-BR'), line('S-2', 'Solo Dados Ltda'), line('A-1', 'ACME-BR'), line('A-2', 'acme brasil'),
    ]));
    return { dir, env };
  };

  it('screen (one and two workers): the alias\'s line is past the cap, and says whose id it took', () => {
    const { dir, env } = setup();
    for (const jobs of ['1', '2']) {
      const r = aidr(['screen', 'orders.csv', '--jobs', jobs], { cwd: dir, env });
      expect(r.status, r.stderr).toBe(0);
      const out = rows(r.stdout);
      expect(out.map((x) => x.outcome), `--jobs ${jobs}`).toEqual(['license_exception', 'license_required', 'license_exception', 'license_required']);
      expect(out[1]!.normalizations).toContain('consignee.id: "Solo Dados Ltda" → SOLO-BR: the party\'s id in the parties register (of which "Solo Dados Ltda" is an alias)');
      expect(out[3]!.normalizations).toContain('consignee.id: "acme brasil" → ACME-BR');
      expect(r.stderr).toMatch(/4 with facts from the parties register/);
    }
  });

  it('screen --commit draws on the register id\'s accounts only; check by another alias finds no room', () => {
    const { dir, env } = setup();
    const c = aidr(['screen', 'orders.csv', '--commit', '--actor', 'test'], { cwd: dir, env });
    expect(c.status, c.stderr).toBe(0);
    expect(rows(c.stdout).map((x) => x.exception_used)).toEqual(['LPP', '', 'LPP', '']);
    // The owner account of a party with a parent is the register id's too (not "acme brasil").
    expect(ledger(dir, env)).toEqual({
      'lpp:2025:owner:solo-br': '15832000', 'lpp:2025:ultimate_parent:solo-br': '15832000',
      'lpp:2025:owner:acme-br': '15832000', 'lpp:2025:ultimate_parent:acme-hold': '15832000',
    });
    const tx = { id: 'X-1', date: '2025-06-02', to: 'BR', item: H100, quantity: THOUSAND, consignee: { id: 'SOLO DADOS SA' }, endUses: ['datacenter'] };
    const r = aidr(['check', '-', '--lean'], { cwd: dir, env, input: JSON.stringify(tx) });
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.outcome).toBe('license_required');
    expect(d.warnings).toContain('consignee.id: "SOLO DADOS SA" → SOLO-BR: the party\'s id in the parties register (of which "SOLO DADOS SA" is an alias), which keys its ledger accounts');
    const k = aidr(['check', '-', '--commit', '--lean'], { cwd: dir, env, input: JSON.stringify({ ...tx, quantity: 100 }) });
    expect(k.status, k.stderr).toBe(0);
    expect(JSON.parse(k.stdout).commit.movements.map((m: { account: string }) => m.account).sort()).toEqual(['lpp:2025:owner:solo-br', 'lpp:2025:ultimate_parent:solo-br']);
  });

  it('an ultimate parent id the register knows by an alias keys the parent\'s account', () => {
    const { dir, env } = setup();
    const tx = { id: 'P-1', date: '2025-06-02', to: 'BR', item: H100, quantity: 100, consignee: { id: 'NEW-SUB', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', ultimateParentId: 'acme holdings' }, endUses: ['datacenter'] };
    const k = aidr(['check', '-', '--commit', '--lean'], { cwd: dir, env, input: JSON.stringify(tx) });
    expect(k.status, k.stderr).toBe(0);
    expect(JSON.parse(k.stdout).commit.movements.map((m: { account: string }) => m.account)).toContain('lpp:2025:ultimate_parent:acme-hold');
    expect(k.stderr).toContain('consignee.ultimateParentId: "acme holdings" → ACME-HOLD');
  });
});

describe('INT-39=operator: the answer does not depend on --jobs (D2)', () => {
  // C1 (headquartered in GB, Supp. 5(a)) ships to IN for the operator OP-1 (O-1, O-3); OP-1 buys itself (O-2); O-4 is C1's own.
  const HEAD = ['id', 'date', 'to', 'model', 'qty', 'consignee id', 'consignee country', 'consignee hq', 'consignee parent hq', 'end user id', 'end user country', 'end user hq', 'end user parent hq'];
  const LINES = [
    ['O-1', '2025-06-02', 'IN', 'nvidia-h100-sxm', 1000, 'C1', 'IN', 'GB', 'GB', 'OP-1', 'IN', 'IN', 'IN'],
    ['O-2', '2025-06-02', 'IN', 'nvidia-h100-sxm', 500, 'OP-1', 'IN', 'IN', 'IN', '', '', '', ''],
    ['O-3', '2025-06-02', 'IN', 'nvidia-h100-sxm', 500, 'C1', 'IN', 'GB', 'GB', 'OP-1', 'IN', 'IN', 'IN'],
    ['O-4', '2025-06-02', 'IN', 'nvidia-h100-sxm', 500, 'C1', 'IN', 'GB', 'GB', '', '', '', ''],
  ];

  it('O-1 + O-2 + O-3 = 31,664,000 TPP on OP-1\'s cap: O-3 needs a license with one worker or two', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'op.csv'), csv([HEAD, ...LINES]));
    writeFileSync(join(dir, 'op.jsonl'), LINES.map((l) => JSON.stringify(Object.fromEntries(HEAD.map((h, i) => [h, l[i]]).filter(([, v]) => v !== '')))).join('\n'));
    for (const file of ['op.csv', 'op.jsonl']) {
      for (const jobs of ['1', '2']) {
        const r = aidr(['screen', file, '--interpretation', 'INT-39=operator', '--jobs', jobs, '-o', 'out.csv'], { cwd: dir });
        expect(r.status, r.stderr).toBe(0);
        const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
        expect(out.map((x) => x.outcome), `${file} --jobs ${jobs}`).toEqual(['license_exception', 'license_exception', 'license_required', 'license_exception']);
        expect(out.map((x) => x.lpp_left_tpp)).toEqual(['11068000', '3152000', '3152000', '18984000']);
        // Said once, and only when more than one worker was asked for.
        expect(r.stderr.split('screened by one worker thread').length - 1).toBe(jobs === '2' ? 1 : 0);
      }
    }
    // Under the default reading, or with no end-user column, the run is routed as usual.
    expect(aidr(['screen', 'op.csv', '--jobs', '2'], { cwd: dir }).stderr).not.toMatch(/one worker thread/);
    writeFileSync(join(dir, 'plain.csv'), csv([HEAD.slice(0, 9), ...LINES.map((l) => l.slice(0, 9))]));
    expect(aidr(['screen', 'plain.csv', '--interpretation', 'INT-39=operator', '--jobs', '2'], { cwd: dir }).stderr).not.toMatch(/one worker thread/);
  });
});

describe('--regime enforced: the codified columns add up as the rule as written would (D3)', () => {
  // 700 H100 = 11,082,400 TPP a line: two fit under 26,900,000, the third does not.
  const tx = (id: string, consignee: string) => ({ id, date: '2025-06-02', to: 'BR', item: H100, quantity: 700, consignee: { id: consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'] });
  const TXS = [tx('SO-5', 'ACME-BR'), tx('SO-5', 'acme-br'), tx('SO-6', ' Acme-BR ')];
  const CODIFIED = ['license_exception', 'license_exception', 'license_required'];

  it('screen and check on an array: the third line is codified license_required under either --regime', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq', 'end_use'],
      ...TXS.map((t) => [t.id, t.date, t.to, 'nvidia-h100-sxm', t.quantity, t.consignee.id, 'BR', 'BR', 'BR', 'datacenter'])]));
    writeFileSync(join(dir, 'tx.json'), JSON.stringify(TXS));
    for (const regime of ['codified', 'enforced']) {
      const s = rows(aidr(['screen', 'o.csv', '--regime', regime, '--jobs', '2'], { cwd: dir }).stdout);
      expect(s.map((x) => x.codified_outcome), regime).toEqual(CODIFIED);
      expect(s.map((x) => x.commit_exception)).toEqual(regime === 'codified' ? ['LPP', 'LPP', ''] : ['', '', '']);
      const c = JSON.parse(aidr(['check', 'tx.json', '--regime', regime, '--lean'], { cwd: dir }).stdout) as { outcome: string; regimes: { id: string; outcome: string }[] }[];
      expect(c.map((d) => d.regimes.find((x) => x.id === 'codified')!.outcome), regime).toEqual(CODIFIED);
      if (regime === 'enforced') expect(c.map((d) => d.outcome)).toEqual(['no_license_required', 'no_license_required', 'no_license_required']);
    }
    // --compare regime=enforced no longer lists a codified change.
    const cmp = aidr(['screen', 'o.csv', '--compare', 'regime=enforced'], { cwd: dir });
    expect(cmp.stdout).not.toMatch(/codified: outcome/);
  });

  it('screen --commit --regime enforced uses no exception and tracks the codified LPP draws; check --commit agrees', () => {
    const dir = tempDir();
    const env = { AIDR_DATA_DIR: join(dir, 'data') };
    writeFileSync(join(dir, 'o.csv'), csv([['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq', 'end_use'],
      ...TXS.map((t) => [t.id, t.date, t.to, 'nvidia-h100-sxm', t.quantity, t.consignee.id, 'BR', 'BR', 'BR', 'datacenter'])]));
    const r = aidr(['screen', 'o.csv', '--commit', '--regime', 'enforced', '--actor', 'test'], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(0);
    const out = rows(r.stdout);
    expect(out.map((x) => x.outcome)).toEqual(['no_license_required', 'no_license_required', 'no_license_required']);
    expect(out.map((x) => x.codified_outcome)).toEqual(CODIFIED);
    expect(out.map((x) => x.exception_used)).toEqual(['', '', '']);
    expect(out[0]!.drawn).toMatch(/lpp:2025:ultimate_parent:acme-br \+11082400/);
    expect(out[2]!.drawn).toBe('');
    expect(ledger(dir, env)).toEqual({ 'lpp:2025:owner:acme-br': '22164800', 'lpp:2025:ultimate_parent:acme-br': '22164800' });
    expect(aidr(['ledger', 'verify'], { cwd: dir, env }).status).toBe(0);

    // check --commit --regime enforced on an array: the same, in a store of its own.
    const env2 = { AIDR_DATA_DIR: join(dir, 'data2') };
    const k = aidr(['check', '-', '--commit', '--regime', 'enforced', '--lean'], { cwd: dir, env: env2, input: JSON.stringify(TXS.map((t, i) => ({ ...t, id: `K-${i}` }))) });
    expect(k.status, k.stderr).toBe(0);
    const commits = JSON.parse(k.stdout) as { determination: { regimes: { id: string; outcome: string }[] }; commit: { exception: string | null; movements: { kind: string }[] } }[];
    expect(commits.map((c) => c.determination.regimes[0]!.outcome)).toEqual(CODIFIED);
    expect(commits.map((c) => c.commit.exception)).toEqual([null, null, null]);
    expect(commits.map((c) => c.commit.movements.map((m) => m.kind))).toEqual([['track', 'track'], ['track', 'track'], []]);
    expect(k.stderr).toMatch(/WARNING Under the enforced regime no license exception is used; the codified answer \(the rule as written\) would use License Exception LPP/);
    expect(ledger(dir, env2)).toEqual({ 'lpp:2025:owner:acme-br': '22164800', 'lpp:2025:ultimate_parent:acme-br': '22164800' });
  });
});
