/**
 * `aidr screen` end to end through bin/aidr: per-row errors, the same answers from CSV, XLSX and
 * JSON Lines, a batch added up per consignee in file order, exit codes, the summary, --resume.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aidr, csv, rows, tempDir } from './helpers.js';

const HEAD = ['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq', 'end_use'];
const GOOD = ['PO-1', '2025-06-02', 'Germany', 'H100 SXM5 80GB', 100, 'rz-de', 'DE', 'US', 'US', 'datacenter'];

describe('aidr screen', () => {
  for (const plain of [false, true]) {
    it(`a CSV row that cannot be read is reported at its own line, the rows around it evaluated (${plain ? 'csv-parse' : 'quick reader'})`, () => {
      const dir = tempDir();
      const good = (id: string) => [id, ...GOOD.slice(1)].join(',');
      writeFileSync(join(dir, 'orders.csv'), `${HEAD.join(',')}\n${good('PO-1')}\nPO-2,2025-06-02,DE,nvi"dia,1,x,DE,US,US,datacenter\n${good('PO-3')}\n`);
      const r = aidr(['screen', 'orders.csv', '-o', 'out.csv', '--jobs', '1'], { cwd: dir, ...(plain ? { env: { AIDR_SCREEN_PLAIN: '1' } } : {}) });
      expect(r.status, r.stderr).toBe(3);
      const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
      // The row is reported by its id: the fields before the fault were read.
      expect(out.map((o) => [o.line, o.id, o.outcome])).toEqual([['2', 'PO-1', expect.not.stringMatching(/^error$/)], ['3', 'PO-2', 'error'], ['4', 'PO-3', expect.not.stringMatching(/^error$/)]]);
      expect(out[1]!.errors).toContain('Invalid Opening Quote');
    });
  }

  it('a file mixing good and bad rows: every bad row reported with its fields, every good row evaluated (exit 3)', () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, csv([
      HEAD,
      GOOD,
      ['PO-2', '2025-06-02', 'Narnia', 'H100 SXM5 80GB', 100, 'x', 'DE', 'US', 'US', 'datacenter'],
      ['PO-3', '2025-06-02', 'DE', 'H100', 'ten', 'x', 'DE', 'US', 'US', 'datacenter'],
      ['PO-4', '2025-06-02', 'JP', 'nvidia-a100-sxm', 8, 'jp-1', 'JP', 'JP', 'JP', 'datacenter'],
      ['PO-5', '06/02/2025', 'KR', 'MI300X', 8, 'kr-1', 'Korea', 'KR', 'KR', 'datacenter'],
    ]));
    const r = aidr(['screen', file, '-o', 'out.csv', '--summary', 'summary.json', '--jobs', '1'], { cwd: dir });
    expect(r.status, r.stderr).toBe(3);
    const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
    expect(out.map((x) => x.line)).toEqual(['2', '3', '4', '5', '6']);
    expect(out[0]).toMatchObject({ id: 'PO-1', destination: 'DE', eccn: '3A090.a', outcome: 'license_exception', commit_exception: 'AIA', errors: '' });
    expect(out[0]!.normalizations).toContain('to: "Germany" → DE');
    expect(out[1]!.outcome).toBe('error');
    expect(out[1]!.errors).toMatch(/^to: "Narnia" is not a country/);
    // Every field error of the row, not only the first.
    expect(out[2]!.errors).toMatch(/item\.model \(column "model"\): "H100" names several chips in the catalog \(did you mean nvidia-h100-sxm or nvidia-h100-pcie\?\)/);
    expect(out[2]!.errors).toMatch(/quantity: expected a whole number, got "ten"/);
    expect(out[3]).toMatchObject({ id: 'PO-4', outcome: expect.stringMatching(/license/), errors: '' });
    expect(out[4]!.errors).toMatch(/date: expected a date as YYYY-MM-DD/);
    expect(out[4]!.errors).toMatch(/consignee\.country .*names several countries \(did you mean KR \(South Korea\) or KP/);
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ rows: 5, evaluated: 2, invalid: 3, ledger: expect.stringMatching(/^none/) });
    expect(s.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 6]);
    expect(r.stderr).toMatch(/5 line\(s\) from .*: 2 evaluated, 3 invalid/);
    expect(r.stderr).toMatch(/line 4 \(PO-3\): item\.model/);
  });

  it('--fail-fast stops at the first invalid line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, GOOD, ['PO-2', '2025-06-02', 'Narnia', 'H100 SXM5 80GB', 1, 'x', 'DE', 'US', 'US', ''], ['PO-3', ...GOOD.slice(1)]]));
    const r = aidr(['screen', 'o.csv', '-o', 'out.csv', '--fail-fast'], { cwd: dir });
    expect(r.status).toBe(3);
    expect(rows(readFileSync(join(dir, 'out.csv'), 'utf8')).map((x) => x.line)).toEqual(['2', '3']);
    expect(r.stderr).toMatch(/stopped at line 3/);
  });

  it('the same order book as CSV, XLSX and JSON Lines gives the same rows', async () => {
    const dir = tempDir();
    const lines = [
      HEAD,
      GOOD,
      ['PO-2', '2025-11-20', 'BR', 'nvidia-h100-sxm', 1000, 'dados', 'Brazil', 'BR', 'BR', 'datacenter'],
      ['PO-3', '2026-03-01', 'CN', 'nvidia-h20', 100, 'cn-1', 'CN', 'CN', 'CN', 'datacenter; ai_training'],
      ['PO-4', '2025-06-02', 'UK', 'L40S', 4, '', 'GB', 'GB', '', ''],
    ];
    writeFileSync(join(dir, 'o.csv'), csv(lines));
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('orders');
    for (const l of lines) ws.addRow(l.map((c, i) => (i === 1 && typeof c === 'string' && /^\d{4}/.test(c) ? new Date(`${c}T00:00:00Z`) : c)));
    await wb.xlsx.writeFile(join(dir, 'o.xlsx'));
    writeFileSync(join(dir, 'o.jsonl'), lines.slice(1).map((l) => JSON.stringify(Object.fromEntries(HEAD.map((h, i) => [h, l[i]]).filter(([, v]) => v !== '')))).join('\n'));
    const out: Record<string, Record<string, string>[]> = {};
    for (const f of ['o.csv', 'o.xlsx', 'o.jsonl']) {
      const r = aidr(['screen', f, '-o', `${f}.out.csv`, '--jobs', '2'], { cwd: dir });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      out[f] = rows(readFileSync(join(dir, `${f}.out.csv`), 'utf8')).map(({ line: _l, normalizations: _n, ...rest }) => rest);
    }
    expect(out['o.csv']!.length).toBe(4);
    expect(out['o.xlsx']).toEqual(out['o.csv']);
    expect(out['o.jsonl']).toEqual(out['o.csv']);
    // JSON Lines output: one compact determination per line.
    const r = aidr(['screen', 'o.csv', '-o', 'o.out.jsonl'], { cwd: dir });
    expect(r.status).toBe(0);
    const j = readFileSync(join(dir, 'o.out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(j.map((x) => x.line)).toEqual([2, 3, 4, 5]);
    expect(j[0].determination.outcome).toBe('license_exception');
    expect(j[0].determination.explanation).toBeUndefined();
  });

  it('a batch is added up per ultimate consignee in file order: the line that crosses the LPP cap is the one reported', () => {
    const dir = tempDir();
    // 632 H100 = 10,005,824 TPP a line; two fit in 26,900,000, the third does not.
    const line = (id: string, consignee: string) => [id, '2025-06-02', 'BR', 'nvidia-h100-sxm', 632, consignee, 'BR', 'BR', 'BR', 'datacenter'];
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, line('PO-1', 'ACME-BR'), line('PO-2', 'other'), line('PO-3', 'acme-br'), line('PO-4', ' ACME-BR '), line('PO-5', 'acme-br')]));
    for (const jobs of ['1', '2']) {
      const r = aidr(['screen', 'o.csv', '-o', 'out.csv', '--jobs', jobs, '--summary', 's.json'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
      expect(out.map((x) => x.commit_exception)).toEqual(['LPP', 'LPP', 'LPP', '', '']);
      // Only the two lines a license would cover draw Brazil's allocation: LPP shipments take nothing from it.
      expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).allocation).toEqual([{ country: 'BR', tpp: '20011648', lines: 2 }]);
      expect(r.stderr).toMatch(/BR: 2 line\(s\) needing a license under the allocation policy, 20011648 TPP/);
      expect(out.map((x) => x.outcome)).toEqual(['license_exception', 'license_exception', 'license_exception', 'license_required', 'license_required']);
      expect(out.map((x) => x.lpp_left_tpp)).toEqual(['16894176', '16894176', '6888352', '6888352', '6888352']);
    }
  });

  it('--template writes a file to start from, and it screens', () => {
    const dir = tempDir();
    expect(aidr(['screen', '--template', 'csv', '-o', 't.csv'], { cwd: dir }).status).toBe(0);
    const r = aidr(['screen', 't.csv'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(rows(r.stdout).length).toBe(2);
    expect(aidr(['screen', '--columns'], { cwd: dir }).stdout).toMatch(/consignee\.headquarters .*consignee hq/);
  });

  it('--map reads a customer\'s own headers; unknown columns are listed; bad usage exits 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([['Auftrag', 'Land', 'Chip', 'Menge', 'Kunde', 'Preis'], ['A-1', 'Deutschland', 'nvidia-h100-sxm', 10, 'k1', '9.99']]));
    writeFileSync(join(dir, 'map.json'), JSON.stringify({ Auftrag: 'id', Land: 'to', Chip: 'model', Menge: 'quantity', Kunde: 'consignee.id' }));
    const r = aidr(['screen', 'o.csv', '--map', 'map.json', '--jobs', '1'], { cwd: dir });
    expect(r.status).toBe(3); // "Deutschland" is not an English name
    expect(rows(r.stdout)[0]!.errors).toMatch(/Deutschland/);
    expect(r.stderr).toMatch(/columns ignored .*Preis/);
    expect(aidr(['screen', 'o.csv', '--format', 'pdf'], { cwd: dir }).status).toBe(2);
    expect(aidr(['screen', 'missing.csv'], { cwd: dir }).status).toBe(2);
    writeFileSync(join(dir, 'empty.csv'), '');
    expect(aidr(['screen', 'empty.csv'], { cwd: dir }).status).toBe(2);
  });

  it('--resume continues from the output\'s last complete row, cutting a torn one', () => {
    const dir = tempDir();
    const lines = [HEAD, ...Array.from({ length: 30 }, (_, i) => [`PO-${i}`, '2025-06-02', 'DE', 'nvidia-h100-sxm', i + 1, `c${i}`, 'DE', 'US', 'US', 'datacenter'])];
    writeFileSync(join(dir, 'o.csv'), csv(lines));
    expect(aidr(['screen', 'o.csv', '-o', 'full.csv'], { cwd: dir }).status).toBe(0);
    const full = readFileSync(join(dir, 'full.csv'), 'utf8');
    // An output cut in the middle of row 12 (as a killed run leaves it).
    const cut = full.indexOf('\n12,') + 10;
    writeFileSync(join(dir, 'part.csv'), full.slice(0, cut));
    const r = aidr(['screen', 'o.csv', '-o', 'part.csv', '--resume'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resumed after line 11/);
    expect(readFileSync(join(dir, 'part.csv'), 'utf8')).toBe(full);
  });

  it('a line that is not valid UTF-8 (a Latin-1 export) is refused on its own row, never merged as U+FFFD; the others go on (exit 3)', () => {
    const dir = tempDir();
    const head = 'id,date,to,model,quantity,consignee_id,consignee_country,consignee_hq,consignee_parent_hq\n';
    writeFileSync(join(dir, 'l1.csv'), Buffer.concat([Buffer.from(head), Buffer.from('A1,2025-06-02,BR,nvidia-h100-sxm,1,M'), Buffer.from([0xfc]), Buffer.from('ller,BR,BR,BR\nA2,2025-06-02,BR,nvidia-h100-sxm,1,Muller,BR,BR,BR\n')]));
    const r = aidr(['screen', 'l1.csv', '--no-ledger', '--jobs', '1'], { cwd: dir });
    expect(r.status, r.stderr).toBe(3);
    const out = rows(r.stdout);
    expect(out[0]).toMatchObject({ id: 'A1', outcome: 'error', errors: expect.stringMatching(/not valid UTF-8 .*save the file as UTF-8/) });
    expect(out[1]).toMatchObject({ id: 'A2', outcome: 'license_exception' });
    expect(r.stdout).not.toContain('\uFFFD');
  });

  it('--resume keeps the running totals of the lines before the cut: the LPP cap is crossed on the same line as in a run never cut (red team, 2026-12-06)', () => {
    const dir = tempDir();
    // H100 SXM: 15,832 TPP a unit; 400 units a line for one consignee: the 5th line crosses 26,900,000.
    const lines = [HEAD, ...Array.from({ length: 8 }, (_, i) => [`PO-${i}`, '2025-06-02', 'BR', 'nvidia-h100-sxm', 400, 'acme-br', 'BR', 'BR', 'BR', 'datacenter'])];
    for (let i = 0; i < 20; i++) lines.push([`X-${i}`, '2025-06-02', 'BR', 'nvidia-h100-sxm', 1, `other-${i}`, 'BR', 'BR', 'BR', 'datacenter']);
    writeFileSync(join(dir, 'o.csv'), csv(lines));
    expect(aidr(['screen', 'o.csv', '-o', 'full.csv', '--jobs', '1'], { cwd: dir }).status).toBe(0);
    const full = readFileSync(join(dir, 'full.csv'), 'utf8');
    const out = rows(full);
    expect(out.map((o) => o.commit_exception).slice(0, 6)).toEqual(['LPP', 'LPP', 'LPP', 'LPP', '', '']);
    for (const jobs of ['1', '2']) {
      // Cut after line 3 (two lines done): the resumed run must still count them.
      writeFileSync(join(dir, 'part.csv'), full.slice(0, full.indexOf('\n4,') + 1));
      const r = aidr(['screen', 'o.csv', '-o', 'part.csv', '--resume', '--jobs', jobs], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'part.csv'), 'utf8'), `--jobs ${jobs}`).toBe(full);
    }
  });
});

describe('aidr screen --compare and aidr audit replay --all', () => {
  it('writes only the lines whose answer changes, with what changed, and counts each change', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([
      HEAD,
      GOOD,
      ['PO-2', '2025-06-02', 'AE', 'nvidia-h100-sxm', 100, 'ae-1', 'AE', 'AE', 'AE', 'datacenter'],
      ['PO-3', '2025-06-02', 'CN', 'nvidia-h100-sxm', 100, 'cn-1', 'CN', 'CN', 'CN', 'datacenter'],
    ]));
    const r = aidr(['screen', 'o.csv', '--compare', 'INT-6=available', '-o', 'cmp.csv', '--summary', 's.json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const out = rows(readFileSync(join(dir, 'cmp.csv'), 'utf8'));
    expect(out.map((x) => x.id)).toEqual(['PO-2']);
    expect(out[0]).toMatchObject({ compared_with: 'INT-6=available', commit_exception: 'LPP' });
    expect(out[0]!.changes).toMatch(/eligible exceptions none → LPP/);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(s.compare).toMatchObject({ with: 'INT-6=available', lines: 3, changed: 1 });
    expect(aidr(['screen', 'o.csv', '--compare', 'INT-6=sometimes'], { cwd: dir }).status).toBe(2);
    expect(aidr(['screen', 'o.csv', '--compare', 'nonsense'], { cwd: dir }).status).toBe(2);
  });

  it('audit replay --all streams every stored record against today\'s ruleset', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, GOOD, ['PO-2', ...GOOD.slice(1)]]));
    expect(aidr(['screen', 'o.csv', '--commit', '-o', 'c.csv'], { cwd: dir }).status).toBe(0);
    const r = aidr(['audit', 'replay', '--all'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/2 determination\(s\) replayed, 2 the same, 0 different/);
  });
});
