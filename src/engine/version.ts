/**
 * The ruleset version: a content hash of the law, the engine and the data that produced a
 * determination. Two determinations with the same version were made by the same rules on the same
 * data; an audit replay under a different version shows what changed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DATA_DIR, PACKAGE_ROOT } from '../data/load.js';

const HASHED_SOURCES = ['src/law', 'src/engine', 'src/compute', 'src/data', 'src/contract'];

function files(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|json)$/.test(name)) out.push(p);
  }
  return out;
}

let cached: string | undefined;

export function rulesetVersion(): string {
  if (cached) return cached;
  const h = createHash('sha256');
  for (const p of [...files(DATA_DIR), ...HASHED_SOURCES.flatMap((d) => files(join(PACKAGE_ROOT, d)))]) {
    h.update(relative(PACKAGE_ROOT, p).split('\\').join('/'));
    h.update('\0');
    h.update(readFileSync(p));
    h.update('\0');
  }
  cached = `ai-diffusion-2025+${h.digest('hex').slice(0, 16)}`;
  return cached;
}
