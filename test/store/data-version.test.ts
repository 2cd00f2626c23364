/**
 * Store.dataVersion (SQLite): the token HTTP evaluate compares to keep the ledger's figures between
 * requests (src/api/ledger-snapshot.ts). It must change after every kind of write that can reach
 * the file, and stay put while only reads happen; PostgreSQL offers none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from '../../src/store/open.js';
import { backend, DATABASE_URL, type Backend } from './backends.js';

describe('Store.dataVersion on SQLite', () => {
  const b: Backend = backend('sqlite');
  let store: Store;
  let other: Store;
  beforeAll(async () => {
    store = await b.open();
    other = await b.open();
    await sql`create table scratch (n integer)`.execute(store.db);
  });
  afterAll(async () => {
    await other?.close();
    await store?.close();
    await b.destroy();
  });

  const version = () => store.dataVersion!();

  it('stays put while only reads happen', async () => {
    const v = await version();
    await sql`select count(*) from scratch`.execute(store.db);
    await store.db.selectFrom('ledger_accounts').selectAll().execute();
    expect(await version()).toBe(v);
  });

  it('changes after a write outside a transaction (on the read connection itself), INSERT … RETURNING included', async () => {
    let v = await version();
    await sql`insert into scratch (n) values (1)`.execute(store.db);
    expect(await version()).not.toBe(v);
    v = await version();
    await sql`insert into scratch (n) values (2) returning n`.execute(store.db);
    expect(await version()).not.toBe(v);
    v = await version();
    // A statement that may write but changes no row still counts (a superset is safe).
    await sql`delete from scratch where n < 0`.execute(store.db);
    expect(await version()).not.toBe(v);
  });

  it('changes after a transaction of this process and after a write by another connection', async () => {
    let v = await version();
    await store.db.transaction().execute(async (t) => {
      await sql`insert into scratch (n) values (3)`.execute(t);
    });
    expect(await version()).not.toBe(v);
    v = await version();
    await sql`insert into scratch (n) values (4)`.execute(other.db);
    expect(await version()).not.toBe(v);
    v = await version();
    await other.db.transaction().execute(async (t) => {
      await sql`insert into scratch (n) values (5)`.execute(t);
    });
    expect(await version()).not.toBe(v);
  });
});

describe.skipIf(!DATABASE_URL)('Store.dataVersion on PostgreSQL', () => {
  it('is not offered (every evaluation reads afresh)', async () => {
    const b = backend('postgres');
    const store = await b.open();
    try {
      expect(store.dataVersion).toBeUndefined();
    } finally {
      await store.close();
      await b.destroy();
    }
  });
});
