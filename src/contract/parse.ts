/**
 * Validation at the boundary: turns unknown JSON into Transactions, or throws an InputError whose
 * message names the offending field path (e.g. `[2].consignee.country: not an ISO 3166-1 alpha-2
 * country code`).
 */
import type { z } from 'zod';
import { Transaction } from './transaction.js';
import { InputError } from '../engine/context.js';

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function describeIssue(issue: z.core.$ZodIssue, prefix: string, input?: unknown): { path: string; message: string } {
  const unknownKeys = issue.code === 'unrecognized_keys';
  let message = unknownKeys ? `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` : issue.message;
  // The exact JSON reader keeps a number a double cannot hold exactly as its digits; a field read
  // as a binary number then refuses it: say why, not "expected number, received string".
  if (issue.code === 'invalid_type' && issue.expected === 'number') {
    const given = valueAt(input, issue.path);
    if (typeof given === 'string' && DECIMAL_TEXT.test(given)) {
      message = `${given} has more significant digits than this field reads exactly (a binary floating-point number holds about 15); aidr never rounds a figure silently: give at most 15 significant digits`;
    }
  }
  const path = unknownKeys && issue.keys.length === 1 ? [...issue.path, issue.keys[0]!] : issue.path;
  return { path: formatPath(path, prefix), message };
}

/** Input refused for one or more fields: every field's error in `fields`, the first (and a few more) in the message. */
export class FieldsError extends InputError {
  constructor(readonly fields: readonly { path: string; message: string }[]) {
    const [first, ...rest] = fields;
    const more = rest.slice(0, 4).map((r) => `; ${r.path}: ${r.message}`).join('');
    super(first!.path, `${first!.message}${more}${rest.length > 4 ? `; and ${rest.length - 4} more` : ''}`);
  }
}

/** An InputError naming the first issue's field path; further issues follow in the message, and each is in `fields`. */
export function issueToError(issues: readonly z.core.$ZodIssue[], prefix = '', input?: unknown): FieldsError {
  return new FieldsError(issues.map((i) => describeIssue(i, prefix, input)));
}

export function parseTransaction(input: unknown, prefix = ''): Transaction {
  const r = Transaction.safeParse(input);
  if (!r.success) throw issueToError(r.error.issues, prefix, input);
  return r.data;
}

/** One transaction or an array of them, as the CLI and the HTTP API accept. */
export function parseTransactions(input: unknown): { batch: boolean; transactions: Transaction[] } {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new InputError('(root)', 'an empty array: give at least one transaction');
    return { batch: true, transactions: input.map((t, i) => parseTransaction(t, `[${i}]`)) };
  }
  if (input === null || typeof input !== 'object') throw new InputError('(root)', 'expected a transaction object or an array of them');
  return { batch: false, transactions: [parseTransaction(input)] };
}
