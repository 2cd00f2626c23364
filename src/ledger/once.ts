/**
 * At most once per idempotency key, inside the caller's transaction.
 *
 * Keys form one namespace per store, whatever the operation (reservation, commit, draw, record,
 * import, retire): a key belongs to the first kind of operation it was used for, with the
 * parameters it was used with. The same key with the same kind and parameters is a replay; with
 * another kind, or any parameter different, it is refused, saying what differs.
 */
import type { Kysely } from 'kysely';
import { canonicalJson, sha256 } from '../store/canonical.js';
import { isUniqueViolation, transaction, type Store } from '../store/open.js';
import type { Database, IdempotencyTable } from '../store/schema.js';
import { IdempotencyConflictError } from './errors.js';
import { iso } from './request.js';

/** The parameters of a request, as compared on a retry: plain JSON values. */
export type RequestParams = Record<string, unknown>;

export const requestHash = (params: RequestParams): string => sha256(canonicalJson(params));

/** Human names of operation kinds (the `scope` column), for a conflict's message. */
const KIND_NAMES: Record<string, string> = { commit: 'commit', reserve: 'reservation', draw: 'draw', record: 'recorded fact', import: 'import', retire: 'retirement' };
const kindName = (scope: string): string => KIND_NAMES[scope] ?? scope;

/**
 * Refuse a key row for another request: another kind of operation, or the same kind with other
 * parameters (named when the row recorded them, migration 007).
 */
export function checkSameRequest(key: string, row: Pick<IdempotencyTable, 'scope' | 'request_hash' | 'request'>, scope: string, params: RequestParams | string, hash = typeof params === 'string' ? params : requestHash(params)): void {
  if (row.scope !== scope) throw new IdempotencyConflictError(key, { usedFor: kindName(row.scope), asked: kindName(scope) });
  if (row.request_hash === hash) return;
  throw new IdempotencyConflictError(key, { differs: typeof params === 'string' ? [] : differences(row.request, params) });
}

/** The parameters whose values differ between what was stored and what is asked now. */
export function differences(stored: string | null, asked: RequestParams): string[] {
  if (!stored) return [];
  let before: RequestParams;
  try {
    before = JSON.parse(stored) as RequestParams;
  } catch {
    return [];
  }
  const names = new Set([...Object.keys(before), ...Object.keys(asked)]);
  return [...names].filter((n) => canonicalJson(before[n] ?? null) !== canonicalJson(asked[n] ?? null)).sort();
}

/**
 * Run `work` in one transaction, at most once per idempotency key. The key and the result are
 * written in the same transaction as the effect, so a crash leaves either both or neither.
 * `params`: the request's parameters (or, from older callers, its hash).
 */
export async function once<T>(store: Store, key: string | undefined, scope: string, params: RequestParams | string, work: (trx: Kysely<Database>) => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const hash = typeof params === 'string' ? params : requestHash(params);
  const lookup = async (db: Kysely<Database>): Promise<{ result: T; replayed: true } | undefined> => {
    if (!key) return undefined;
    const row = await db.selectFrom('ledger_idempotency').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    checkSameRequest(key, row, scope, params);
    return { result: JSON.parse(row.result) as T, replayed: true };
  };
  const early = await lookup(store.db);
  if (early) return early;
  try {
    return await transaction(store, async (trx) => {
      const seen = await lookup(trx);
      if (seen) return seen;
      const result = await work(trx);
      if (key) {
        await trx.insertInto('ledger_idempotency').values({
          key, scope, request_hash: hash, request: typeof params === 'string' ? null : canonicalJson(params), result: JSON.stringify(result), created_at: iso(undefined),
        }).execute();
      }
      return { result, replayed: false };
    });
  } catch (e) {
    // Two requests with one key at once (PostgreSQL): the loser finds the winner's result.
    if (key && isUniqueViolation(e)) {
      const late = await lookup(store.db);
      if (late) return late;
    }
    throw e;
  }
}
