/**
 * A commit's idempotency: what a retry under the same key must repeat (the transaction, the options
 * that decide the answer, the exception asked for), and the answer given to it (the commit as
 * recorded, with the determination exactly as stored in the audit log).
 */
import type { ExceptionCode, Determination } from '../contract/determination.js';
import type { EvalOptions } from '../engine/context.js';
import { canonicalJson } from '../store/canonical.js';
import type { Store } from '../store/open.js';
import type { CommitResult, Stored } from './commit.js';
import { LedgerError } from './errors.js';
import { rememberRecordedText } from './recorded-text.js';
import { checkSameRequest, requestHash, type RequestParams } from './once.js';

/**
 * Options that choose only how much of the answer is written (the explanation, the re-evaluation
 * under other readings), not the answer's findings nor the draw: a retry may ask for more or less
 * of it and is still the same commit, answered with the determination as recorded. (The regime is
 * not among them: it decides the top-level answer and so the exception drawn.)
 */
const OUTPUT_DETAIL = ['explain', 'sensitivity'] as const;

/** The options that decide a commit (a copy, as plain JSON). */
export function decisiveOptions(options: object): Record<string, unknown> {
  const decisive = JSON.parse(canonicalJson(options)) as Record<string, unknown>;
  for (const k of OUTPUT_DETAIL) delete decisive[k];
  // The regime named or left to its default (codified: determine.ts) is one request.
  if (decisive.regime === 'codified') delete decisive.regime;
  return decisive;
}

/** The parameters of a commit as a retry must repeat them. */
export function commitRequest(transaction: string, options: EvalOptions, exception: ExceptionCode | undefined): RequestParams {
  return { kind: 'commit', transaction, options: decisiveOptions(options), exception: exception ?? null };
}

/** A key row as compared now: one recorded before output detail left the request (it kept explain, sensitivity, regime codified) is compared without them. */
function comparable<R extends { request_hash: string; request: string | null }>(row: R): R {
  if (!row.request) return row;
  try {
    const r = JSON.parse(row.request) as { kind?: unknown; options?: Record<string, unknown> };
    if (r.kind !== 'commit' || !r.options || typeof r.options !== 'object') return row;
    const request = { ...r, options: decisiveOptions(r.options) };
    if (canonicalJson(request) === canonicalJson(r)) return row;
    return { ...row, request: canonicalJson(request), request_hash: requestHash(request) };
  } catch {
    return row;
  }
}

export async function priorCommit(store: Store, key: string, request: RequestParams, hash: string): Promise<CommitResult | undefined> {
  const row = await store.db.selectFrom('ledger_idempotency').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return undefined;
  checkSameRequest(key, comparable(row), 'commit', request, hash);
  const stored = JSON.parse(row.result) as Stored;
  const audit = await store.db.selectFrom('audit_log').select('output').where('id', '=', stored.auditId).executeTakeFirst();
  if (!audit) throw new LedgerError('not_found', `idempotency key "${key}" names audit record ${stored.auditId}, which is missing (run aidr audit verify)`);
  return { ...stored, replayed: true, determination: rememberRecordedText(JSON.parse(audit.output) as Determination, audit.output) };
}
