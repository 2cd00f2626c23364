/**
 * What a person is told about the lines aidr could not take as given (red team 3: D5-D8 and the
 * lesser findings): every bad field of a row at once; a mistyped reading refused before any line is
 * read; a line without a date said to be evaluated as of today; --compare counting every line read;
 * a row rejected whole reported by its id; a worksheet with no known column refused, naming the
 * others; `check` on an array giving each field its own entry and leaving stdout JSON; a commit
 * re-run counted as replayed, not as committed again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapColumns } from '../../src/screen/columns.js';
import { mapRow } from '../../src/screen/row.js';
import { aidr, csv, rows, tempDir } from './helpers.js';

const HEAD = ['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_country', 'consignee_hq', 'consignee_parent_hq', 'end_use'];
const GOOD = ['PO-1', '2025-06-02', 'DE', 'nvidia-h100-sxm', 100, 'rz-de', 'DE', 'US', 'US', 'datacenter'];
const line = (id: string, changes: Record<number, string | number> = {}) => GOOD.map((v, i) => (i === 0 ? id : i in changes ? changes[i]! : v));
const today = () => new Date().toISOString().slice(0, 10);
const errorsOf = (headers: string[], cells: string[]) => mapRow(2, cells, mapColumns(headers)).errors?.map((e) => [e.path, e.column]);

describe('an invalid row names every bad field (red team 3, D5)', () => {
  const MISS = ['id', 'to', 'model', 'qty', 'date'];
  const MISS2 = [...MISS, 'consignee hq'];

  it('a value that cannot be read does not hide the fields the schema refuses', () => {
    // miss.csv row B: no destination, the 45th of the 13th month, a quantity "ten".
    expect(errorsOf(MISS, ['B', '', 'H100 SXM5 80GB', 'ten', '2025-13-45'])).toEqual([['to', 'to'], ['quantity', 'qty'], ['date', 'date']]);
    // miss.csv row C: "Germny", nothing said of what is shipped (said at the model column).
    expect(errorsOf(MISS, ['C', 'Germny', '', '5', ''])).toEqual([['to', 'to'], ['item', 'model']]);
    // miss2.csv row E: no destination, HQ "Germny"; row F: a quantity of 0, HQ "Germny".
    expect(errorsOf(MISS2, ['E', '', 'H100 SXM5 80GB', '5', '2025-06-02', 'Germny'])).toEqual([['to', 'to'], ['consignee.headquarters', 'consignee hq']]);
    expect(errorsOf(MISS2, ['F', 'DE', 'H100 SXM5 80GB', '0', '2025-06-02', 'Germny'])).toEqual([['quantity', 'qty'], ['consignee.headquarters', 'consignee hq']]);
  });

  it('an empty row is told both what is shipped and where it goes', () => {
    expect(errorsOf(MISS, ['A', '', '', '', ''])).toEqual([['to', 'to'], ['item', 'model']]);
  });

  it('a refused value is reported once, not again as the field it leaves missing', () => {
    const r = mapRow(2, ['X', 'Narnia', 'H100', '5', '2025-06-02'], mapColumns(MISS));
    expect(r.errors?.map((e) => e.path)).toEqual(['to', 'item.model']);
    expect(r.errors?.[0]?.message).toMatch(/"Narnia" is not a country/);
    expect(r.errors?.[1]?.message).toMatch(/names several chips/);
  });

  it('a computer whose chip is refused is not also told its ICs are missing (they are built from the chip)', () => {
    const r = mapRow(2, ['S-1', 'DE', 'computer', 'H100', '8', '5', '2025-06-02'], mapColumns(['id', 'to', 'item type', 'model', 'ic count', 'qty', 'date']));
    expect(r.errors?.map((e) => e.path)).toEqual(['item.model']);
  });

  it('a valid row is unchanged', () => {
    const r = mapRow(2, ['V', 'Germany', 'H100 SXM5 80GB', '5', '2025-06-02'], mapColumns(MISS));
    expect(r.errors).toBeUndefined();
    expect(r.tx).toMatchObject({ to: 'DE', quantity: 5, date: '2025-06-02', item: { type: 'ic', model: 'nvidia-h100-sxm' } });
  });
});

describe('a mistyped --interpretation is a usage error before any line is read (red team 3, D6)', () => {
  it('screen and check on an array exit 2 with one line naming the valid readings, nothing written', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, GOOD, line('PO-2')]));
    const s = aidr(['screen', 'o.csv', '--interpretation', 'INT-6=availble', '--summary', 's.json'], { cwd: dir });
    expect(s.status).toBe(2);
    expect(s.stdout).toBe('');
    expect(s.stderr).toBe('aidr: invalid input: --interpretation: INT-6: unknown reading "availble" (one of: not_available, available)\n');
    const tx = { date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10 };
    const c = aidr(['check', '-', '--interpretation', 'INT-7=bogus'], { cwd: dir, input: JSON.stringify([tx, tx]) });
    expect(c.status).toBe(2);
    expect(c.stdout).toBe('');
    expect(c.stderr.trim().split('\n')).toEqual(['aidr: invalid input: --interpretation: INT-7: unknown reading "bogus" (one of: ultimate_parent, owner)']);
  });
});

describe('a line without a date says it is evaluated as of today (red team 3, D7)', () => {
  it('a blank date cell: the row\'s normalizations say so and the summary counts it; --as-of: nothing to say', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, GOOD, line('PO-2', { 1: '' })]));
    const r = aidr(['screen', 'o.csv', '-o', 'out.csv', '--summary', 's.json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
    expect(out[0]!.normalizations).toBe('');
    expect(out[1]!.normalizations).toBe(`date: not given; evaluated as of ${today()}`);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(s).toMatchObject({ undatedRows: 1, undatedAsOf: today(), normalizedRows: 0 });
    expect(r.stderr).toContain(`1 line(s) without a date, evaluated as of ${today()}`);
    expect(r.stderr).not.toMatch(/no date column/);
    const asOf = aidr(['screen', 'o.csv', '--as-of', '2025-06-02', '-o', 'as-of.csv'], { cwd: dir });
    expect(rows(readFileSync(join(dir, 'as-of.csv'), 'utf8')).map((x) => x.normalizations)).toEqual(['', '']);
    expect(asOf.stderr).not.toMatch(/without a date/);
  });

  it('no date column at all: said once on stderr, and on every row', () => {
    const dir = tempDir();
    const noDate = (cells: (string | number)[]) => cells.filter((_, i) => i !== 1);
    // "Ship Date, planned" is not a date column aidr knows (delim.csv).
    writeFileSync(join(dir, 'o.csv'), csv([noDate(HEAD).concat('Ship Date, planned'), noDate(GOOD).concat('2025-06-02'), noDate(line('PO-2')).concat('2025-06-02')]));
    const r = aidr(['screen', 'o.csv', '-o', 'out.csv'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/no date column in o\.csv/g)).toHaveLength(1);
    expect(r.stderr).toContain(`every line is evaluated as of today, ${today()}`);
    expect(rows(readFileSync(join(dir, 'out.csv'), 'utf8')).map((x) => x.normalizations)).toEqual([`date: not given; evaluated as of ${today()}`, `date: not given; evaluated as of ${today()}`]);
    expect(aidr(['screen', 'o.csv', '--as-of', '2025-06-02', '-o', 'out.csv'], { cwd: dir }).stderr).not.toMatch(/no date column/);
  });
});

describe('--compare counts every line read, as the plain screen does (red team 3, D8)', () => {
  it('lines read, evaluated and invalid, outcomes and normalizations: the same as the plain screen; only changed lines written', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, line('PO-1', { 2: 'Germany' }), line('PO-2', { 2: 'Narnia' }), line('PO-3', { 2: 'AE', 6: 'AE', 7: 'AE', 8: 'AE' }), line('PO-4')]));
    const plain = aidr(['screen', 'o.csv', '-o', 'p.csv', '--summary', 'p.json'], { cwd: dir });
    const cmp = aidr(['screen', 'o.csv', '--compare', 'INT-6=available', '-o', 'c.csv', '--summary', 'c.json'], { cwd: dir });
    expect(plain.status).toBe(3);
    expect(cmp.status).toBe(3);
    const p = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    for (const k of ['rows', 'evaluated', 'invalid', 'byOutcome', 'byDestination', 'byException', 'normalizedRows']) expect(c[k], k).toEqual(p[k]);
    expect(c).toMatchObject({ rows: 4, evaluated: 3, invalid: 1, compare: { lines: 4, changed: 1 } });
    expect(cmp.stderr).toMatch(/4 line\(s\) from o\.csv \(csv\): 3 evaluated, 1 invalid/);
    // Written: the line in error and the line that changes.
    expect(rows(readFileSync(join(dir, 'c.csv'), 'utf8')).map((x) => x.id)).toEqual(['PO-2', 'PO-3']);
  });
});

describe('the lesser findings of red team 3', () => {
  it('a row rejected whole is reported by its id; a row of delimiters only is no line', () => {
    const dir = tempDir();
    const text = `${csv([HEAD, GOOD])}PO-2,2025-06-02,DE,nvidia-h100-sxm,1,x,DE,US,US,datacenter,extra\n,,,,,,,,,\n${csv([line('PO-3')])}`;
    writeFileSync(join(dir, 'o.csv'), text);
    const r = aidr(['screen', 'o.csv', '-o', 'out.csv', '--summary', 's.json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(3);
    const out = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
    expect(out.map((x) => [x.line, x.id, x.outcome])).toEqual([['2', 'PO-1', 'license_exception'], ['3', 'PO-2', 'error'], ['5', 'PO-3', 'license_exception']]);
    expect(out[1]!.errors).toBe('(row): 11 fields where the header has 10');
    expect(r.stderr).toMatch(/line 3 \(PO-2\): \(row\): 11 fields/);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))).toMatchObject({ rows: 3, invalid: 1 });
  });

  it('a workbook whose first worksheet has no column aidr knows: exit 2, naming the other worksheets and --sheet', async () => {
    const dir = tempDir();
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['Export from SAP, do not edit']);
    const orders = wb.addWorksheet('Orders');
    orders.addRow(HEAD);
    orders.addRow(GOOD);
    await wb.xlsx.writeFile(join(dir, 'o.xlsx'));
    const r = aidr(['screen', 'o.xlsx', '-o', 'out.csv'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no column of worksheet "Notes" is one aidr knows \(its first row: "Export from SAP, do not edit"\); the workbook's other worksheets: "Orders" \(choose one with --sheet NAME, or \?sheet= over HTTP\)/);
    const ok = aidr(['screen', 'o.xlsx', '--sheet', 'Orders', '-o', 'out.csv'], { cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
    writeFileSync(join(dir, 'junk.csv'), 'foo;bar\n1;2\n');
    expect(aidr(['screen', 'junk.csv'], { cwd: dir })).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/no column of the header row is one aidr knows \(its first row: "foo", "bar"\)/) });
  });

  it('check on an array: each field in error its own entry; an empty or unclosed array leaves stdout JSON or empty', () => {
    const dir = tempDir();
    const tx = { id: 'a', date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10 };
    const bad = { id: 'b', to: 'Germany', item: { type: 'ic', model: 'H100 SXM5 80GB' } };
    const r = aidr(['check', '-', '--no-ledger'], { cwd: dir, input: JSON.stringify([tx, bad]) });
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)[1]).toEqual({ index: 1, errors: [{ path: '[1].to', message: 'not an ISO 3166-1 alpha-2 country code' }, { path: '[1].item.model', message: 'unknown chip model (see `aidr chips`)' }] });
    const empty = aidr(['check', '-'], { cwd: dir, input: '[]' });
    expect(empty).toMatchObject({ status: 2, stdout: '' });
    const unclosed = aidr(['check', '-', '--no-ledger'], { cwd: dir, input: `[${JSON.stringify(tx)},${JSON.stringify(tx)}` });
    expect(unclosed.status).toBe(2);
    expect(unclosed.stderr).toMatch(/the JSON array is not closed/);
    expect(JSON.parse(unclosed.stdout).map((d: { id: string }) => d.id)).toEqual(['a']);
  });

  it('a --commit re-run counts its lines as replayed (nothing drawn), and the rows say so', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), csv([HEAD, line('PO-1', { 2: 'BR', 6: 'BR', 7: 'BR', 8: 'BR' }), line('PO-2', { 2: 'BR', 6: 'BR', 7: 'BR', 8: 'BR' })]));
    const first = aidr(['screen', 'o.csv', '--commit', '-o', 'c1.csv', '--summary', 's1.json'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 's1.json'), 'utf8'))).toMatchObject({ committed: 2, replayed: 0 });
    expect(rows(readFileSync(join(dir, 'c1.csv'), 'utf8')).map((x) => x.replayed)).toEqual(['no', 'no']);
    const again = aidr(['screen', 'o.csv', '--commit', '-o', 'c2.csv', '--summary', 's2.json'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 's2.json'), 'utf8'))).toMatchObject({ committed: 0, replayed: 2, refused: 0 });
    expect(again.stderr).toMatch(/committed: 0, replayed: 2 \(committed by an earlier run: nothing drawn again\), refused: 0/);
    expect(rows(readFileSync(join(dir, 'c2.csv'), 'utf8')).map((x) => x.replayed)).toEqual(['yes', 'yes']);
  });
});
