/** CLI plumbing: reading input, reporting invalid input (exit 2, nothing on stdout). */
import { readFileSync } from 'node:fs';
import { InputError } from '../engine/context.js';
import { parseJsonExact } from '../contract/json.js';

export class UsageError extends Error {}

export function readInput(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Numbers are read exactly: a literal a double would round (10^26 − 1) arrives as its decimal string. */
export function parseJson(text: string, what: string): unknown {
  try {
    return parseJsonExact(text);
  } catch (e) {
    throw new InputError('(root)', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Exit codes: 0 success, 1 failure (e.g. a cap exceeded or a check that failed), 2 invalid input or usage. */
export function reportAndExit(e: unknown): never {
  if (e instanceof InputError) {
    process.stderr.write(`aidr: invalid input: ${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof UsageError) {
    process.stderr.write(`aidr: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`aidr: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
}

/** Parse repeated `--interpretation INT-6=available` values. */
export function collectInterpretation(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^(INT-\d+)=(.+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--interpretation expects ID=READING, e.g. INT-6=available (got "${value}")`);
  return { ...previous, [m[1]!]: m[2]! };
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
