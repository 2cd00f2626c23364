/**
 * Statements compiled once (src/store/prepared.ts), on both back ends: each call runs with its own
 * arguments, the query's own constants stay, the same statement serves the store and its
 * transactions, and a statement that folds an argument into its text is refused when compiled.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { transaction, type Store } from '../../src/store/open.js';
import { Prepared } from '../../src/store/prepared.js';
import { BACKENDS, storeForSuite } from './backends.js';

const INSERT = new Prepared(3, (db, id: string, kind: string, cap: bigint | null) => db.insertInto('ledger_accounts').values({
  id, kind, key: 'prepared-test', period: 'none', cap, used: 0n, reserved: 0n, created_at: '2026-12-06T00:00:00.000Z',
}));
// `used + 5`: a constant of the query, kept; the cap condition's arguments in the order given.
const ADD_FIVE_WITHIN = new Prepared(2, (db, id: string, cap: bigint) => db.updateTable('ledger_accounts')
  .set({ used: sql`used + ${5}` }).where('id', '=', id).where(sql<boolean>`used + 5 <= ${cap}`).returning(['used']));

describe.each(BACKENDS)('prepared statements: $name', ({ name, skip }) => {
  let store: Store;
  storeForSuite(name, skip, (_b, s) => {
    store = s;
  });

  it.skipIf(skip)('run with each call\'s arguments, keep the query\'s constants, in and out of transactions', async () => {
    await INSERT.execute(store.db, 'prepared:a', 'test', 12n);
    await transaction(store, async (trx) => {
      await INSERT.execute(trx, 'prepared:b', 'test', null);
    });
    const rows = await store.db.selectFrom('ledger_accounts').select(['id', 'cap']).where('key', '=', 'prepared-test').orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.cap === null ? null : Number(r.cap)])).toEqual([['prepared:a', 12], ['prepared:b', null]]);
    const used = async (id: string, cap: bigint) => (await transaction(store, (trx) => ADD_FIVE_WITHIN.execute<{ used: unknown }>(trx, id, cap))).rows.map((r) => Number(r.used));
    expect(await used('prepared:a', 12n)).toEqual([5]);
    expect(await used('prepared:a', 12n)).toEqual([10]);
    expect(await used('prepared:a', 12n)).toEqual([]); // 15 > 12: refused, nothing changed
    expect(await used('prepared:b', 100n)).toEqual([5]);
  });

  it.skipIf(skip)('a statement that does not pass every argument as a parameter is refused', async () => {
    const folded = new Prepared(1, (db, _id: string) => db.selectFrom('ledger_accounts').select('id').where('id', '=', 'fixed'));
    await expect(folded.execute(store.db, 'x')).rejects.toThrow(/uses 0 of its 1 arguments/);
  });
});
