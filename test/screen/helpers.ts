import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');

/** A fresh directory; commands run there, so ./.aidr is theirs (no store unless they make one). */
export const tempDir = () => mkdtempSync(join(tmpdir(), 'aidr-screen-'));

export function aidr(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }) {
  return spawnSync(bin, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', AIDR_DATA_DIR: '', ...opts.env }, maxBuffer: 1 << 28 });
}

export function aidrAsync(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  return spawn(bin, args, { cwd: opts.cwd, env: { ...process.env, DATABASE_URL: '', AIDR_DATA_DIR: '', ...opts.env } });
}

/** CSV output as objects by column name (the byte order mark dropped). */
export function rows(csv: string): Record<string, string>[] {
  return parse(csv, { bom: true, columns: true }) as Record<string, string>[];
}

export const csv = (lines: (string | number)[][]) => `${lines.map((l) => l.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',')).join('\n')}\n`;
