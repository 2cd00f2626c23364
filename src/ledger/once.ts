/** At most once per idempotency key, inside the caller's transaction. */
import type { Kysely } from 'kysely';
import { isUniqueViolation, transaction, type Store } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { IdempotencyConflictError } from './errors.js';
import { iso } from './request.js';

/**
 * Run `work` in one transaction, at most once per idempotency key. The key and the result are
 * written in the same transaction as the effect, so a crash leaves either both or neither.
 */
export async function once<T>(store: Store, key: string | undefined, scope: string, requestHash: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const lookup = async (db: Kysely<Database>): Promise<{ result: T; replayed: true } | undefined> => {
    if (!key) return undefined;
    const row = await db.selectFrom('ledger_idempotency').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash || row.scope !== scope) throw new IdempotencyConflictError(key);
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
        await trx.insertInto('ledger_idempotency').values({ key, scope, request_hash: requestHash, result: JSON.stringify(result), created_at: iso(undefined) }).execute();
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
