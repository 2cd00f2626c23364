/**
 * Streaming end to end: inputs whose answers would not fit in the memory the process is given,
 * screened and checked in constant memory (a non-streaming path would run out of heap).
 */
import { writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOrders } from '../../bench/orders.mjs';
import { spawnSync } from 'node:child_process';
import { aidr, bin, tempDir } from './helpers.js';

const LINES = 30_000;
const HEAP = '--max-old-space-size=64';

describe('constant memory', () => {
  it(`screen: ${LINES} lines with a ${HEAP} heap`, async () => {
    const dir = tempDir();
    await writeOrders(join(dir, 'orders.csv'), LINES, 11);
    const r = aidr(['screen', 'orders.csv', '-o', 'out.jsonl', '--jobs', '1', '--summary', 's.json'], { cwd: dir, env: { NODE_OPTIONS: HEAP } });
    expect(r.status, r.stderr.slice(0, 2000)).toBe(3); // the generator puts one invalid line in 200
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(s.rows).toBe(LINES);
    expect(s.invalid).toBeGreaterThan(0);
    expect(s.evaluated + s.invalid).toBe(LINES);
    // The answers are far larger than the heap allowed.
    expect(readFileSync(join(dir, 'out.jsonl')).length).toBeGreaterThan(64 * 1024 * 1024);
  }, 300_000);

  it(`check: a ${LINES}-element JSON array with a ${HEAP} heap`, async () => {
    const dir = tempDir();
    const out = createWriteStream(join(dir, 'txs.json'));
    out.write('[');
    for (let i = 0; i < LINES; i++) {
      const tx = { id: `T-${i}`, date: '2025-06-02', to: i % 2 ? 'BR' : 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1 + (i % 50), consignee: { id: `c-${i % 500}`, country: i % 2 ? 'BR' : 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US' } };
      if (!out.write(`${i ? ',' : ''}\n${JSON.stringify(tx)}`)) await new Promise<void>((res) => out.once('drain', () => res()));
    }
    await new Promise<void>((res) => out.end(']\n', () => res()));
    const r = spawnSync('sh', ['-c', `"${bin}" check txs.json --lean > out.json`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', AIDR_DATA_DIR: '', NODE_OPTIONS: HEAP } });
    expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    const text = readFileSync(join(dir, 'out.json'), 'utf8');
    expect(text.length).toBeGreaterThan(64 * 1024 * 1024);
    const ds = JSON.parse(text) as { id: string }[];
    expect(ds.length).toBe(LINES);
    expect(ds[LINES - 1]!.id).toBe(`T-${LINES - 1}`);
  }, 300_000);

  it('check: an invalid element is answered in its place and the array goes on (exit 3)', () => {
    const dir = tempDir();
    const tx = { date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1 };
    writeFileSync(join(dir, 'a.json'), JSON.stringify([tx, { ...tx, to: 'XX' }, tx]));
    const r = aidr(['check', 'a.json', '--lean'], { cwd: dir });
    expect(r.status).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[1]).toEqual({ index: 1, errors: [{ path: '[1].to', message: 'not an ISO 3166-1 alpha-2 country code' }] });
    expect(out[2].outcome).toBeDefined();
    expect(r.stderr).toMatch(/\[1\]\.to/);
  });
});
