/**
 * CLI plumbing: reading input (strict UTF-8, exact numbers), and the one place where every command's
 * errors become one clear line on stderr and an exit code (src/cli/exit.ts):
 *
 *   0 ok · 1 internal failure (a bug, the database unreachable) · 2 bad input or usage ·
 *   3 some rows invalid · 4 refused by a cap or limit · 5 verification failed
 *
 * Commands throw typed errors (InputError, UsageError, LedgerError, VerificationError, a store
 * fault…) and call `reportAndExit`; stack traces are printed only with `--debug` (or AIDR_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { InputError, readingsFrom } from '../engine/context.js';
import { firstInvalidUtf8, parseJsonExact } from '../contract/json.js';
import { storeFault, VerificationError } from '../store/errors.js';
import { EXIT, type ExitCode } from './exit.js';

export class UsageError extends Error {}

/** A batch ran to its end but some rows were invalid (each reported on its row): exit 3. */
export class SomeRowsInvalidError extends Error {}

let debug = process.env.AIDR_DEBUG === '1';

/** `--debug`: print stack traces with errors. */
export function setDebug(on: boolean): void {
  debug = debug || on;
}

export function readInput(file: string): string {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Never a silent U+FFFD in what is decided or recorded.
  if (!isUtf8(bytes)) throw new InputError('(root)', `${file === '-' ? 'standard input' : file} is not valid UTF-8: an invalid byte sequence at byte offset ${firstInvalidUtf8(bytes)}`);
  return bytes.toString('utf8');
}

/** Numbers are read exactly: a literal a double would round (10^26 − 1) arrives as its decimal string. */
export function parseJson(text: string, what: string): unknown {
  try {
    return parseJsonExact(text);
  } catch (e) {
    throw new InputError('(root)', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

const LEDGER_EXIT: Record<string, ExitCode> = {
  cap_exceeded: EXIT.refused,
  uveu_limit: EXIT.refused,
  not_eligible: EXIT.refused,
  idempotency_conflict: EXIT.badInput,
  // A reservation committed after expiry or release: refused by the ledger's state (issue 13: every refusal exits 4).
  reservation_state: EXIT.refused,
  not_found: EXIT.badInput,
};

/** The exit code an error means, and the line that says it. */
export function describeError(e: unknown): { code: ExitCode; line: string } {
  if (e instanceof InputError) return { code: EXIT.badInput, line: `invalid input: ${e.message}` };
  if (e instanceof UsageError) return { code: EXIT.badInput, line: e.message };
  if (e instanceof SomeRowsInvalidError) return { code: EXIT.someRowsInvalid, line: e.message };
  if (e instanceof VerificationError) return { code: EXIT.verificationFailed, line: `verification failed: ${e.message}` };
  if (e instanceof Error && e.name === 'LedgerError') {
    return { code: LEDGER_EXIT[(e as Error & { code: string }).code] ?? EXIT.internal, line: e.message };
  }
  const fault = storeFault(e);
  if (fault) return { code: EXIT.internal, line: `the database is unavailable: ${fault.message}` };
  if (e instanceof Error && e.name === 'SigningKeyError') return { code: EXIT.internal, line: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: EXIT.internal, line: `internal error: ${message.replace(/^aidr: /, '')}${debug ? '' : ' (run with --debug for details)'}` };
}

/** At most this many characters on the line (an error can quote a whole input). */
const MAX_LINE = 2000;

/** Report any thrown value as one line on stderr (a stack trace too with --debug) and exit with its code. */
export function reportAndExit(e: unknown): never {
  const { code, line } = describeError(e);
  const one = line.replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`aidr: ${one.length > MAX_LINE ? `${one.slice(0, MAX_LINE)}…` : one}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(code);
}

/**
 * Parse repeated `--interpretation INT-6=available` values. Each is checked as it is parsed, before
 * any input is read: a mistyped reading is a usage error (exit 2, nothing written), not the same
 * error on every line of a batch.
 */
export function collectInterpretation(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^(INT-\d+)=(.+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--interpretation expects ID=READING, e.g. INT-6=available (got "${value}")`);
  try {
    readingsFrom({ [m[1]!]: m[2]! });
  } catch (e) {
    if (e instanceof InputError) throw new InputError('--interpretation', e.message.replace(/^interpretations\./, ''));
    throw e;
  }
  return { ...previous, [m[1]!]: m[2]! };
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
