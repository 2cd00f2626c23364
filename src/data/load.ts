/**
 * Reads the JSON files of `data/` (dated parameters, lists and tables; each value carries its
 * source), caching their text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root: the nearest directory above this module that holds `data/ruleset.json`
 * (this module runs from `src/` in tests, from `dist/` when built, and from a bundle in the CLI). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'data', 'ruleset.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('aidr: cannot find its data/ directory');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const DATA_DIR = join(PACKAGE_ROOT, 'data');

const raw = new Map<string, string>();

/** The file's text, cached: the ruleset version hashes exactly the bytes the engine read. */
export function dataText(file: string): string {
  let text = raw.get(file);
  if (text === undefined) {
    text = readFileSync(join(DATA_DIR, file), 'utf8');
    raw.set(file, text);
  }
  return text;
}

export function loadData<T>(file: string): T {
  return JSON.parse(dataText(file)) as T;
}

/** Every data file read so far, by name (for the ruleset version). */
export function dataFilesRead(): ReadonlyMap<string, string> {
  return raw;
}
