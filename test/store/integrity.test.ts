/**
 * Records a database-only attacker cannot rewrite unseen, on both back ends: every SQL form that
 * could get around the append-only triggers is refused; a chain rewritten and re-hashed without
 * the key, a record forged after an anchor, a forged or deleted ledger movement (with the balance
 * made to match), records cut off the end (with a checkpoint) are each named. Before migration 007
 * and the signing key, each of these passed `verifyAudit` and `verifyLedger`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from '../../src/store/open.js';
import { auditCheckpoint, recordHash, verifyAudit, type AuditRecord } from '../../src/store/audit.js';
import { loadTrustedKey, publicKeyPath } from '../../src/store/signing.js';
import { commitTransaction, getAccount, releaseReservation, reserve, verifyLedger } from '../../src/ledger/index.js';
import { BACKENDS, backend, type Backend } from './backends.js';
import { parseTransaction } from '../../src/contract/parse.js';

const actor = 'test';

function lppTx(o: { id?: string; consignee: string; parent: string; quantity: number }) {
  return parseTransaction({
    id: o.id, date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: o.quantity,
    consignee: { id: o.consignee, ultimateParentId: o.parent, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' },
  });
}

/** Run statements with the triggers of `tables` out of the way, as someone with DDL rights could. */
async function asOwner(store: Store, tables: string[], statements: string[]): Promise<void> {
  if (store.dialect === 'sqlite') {
    for (const t of tables) {
      const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = ${t}`.execute(store.db);
      for (const { name } of triggers.rows) await sql.raw(`drop trigger ${name}`).execute(store.db);
    }
  } else {
    for (const t of tables) await sql.raw(`alter table ${t} disable trigger user`).execute(store.db);
  }
  for (const s of statements) await sql.raw(s).execute(store.db);
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function records(store: Store): Promise<AuditRecord[]> {
  const { auditRecords } = await import('../../src/store/audit.js');
  const out: AuditRecord[] = [];
  for await (const r of auditRecords(store)) out.push(r);
  return out;
}

describe.each(BACKENDS)('integrity against a database-only attacker: $name', ({ name, skip }) => {
  const made: Backend[] = [];
  afterAll(async () => {
    for (const b of made) await b.destroy();
  });

  /** A fresh store with six commits (LPP draws: movements bound to their audit records). */
  async function withCommits(): Promise<Store> {
    const b = backend(name);
    made.push(b);
    const store = await b.open();
    for (let i = 1; i <= 6; i++) await commitTransaction(store, lppTx({ id: `PO-${i}`, consignee: `c${i}`, parent: 'p', quantity: 10 }), {}, { actor });
    expect((await verifyAudit(store)).ok).toBe(true);
    expect((await verifyLedger(store)).ok).toBe(true);
    return store;
  }

  it.skipIf(skip)('refuses every SQL form that would replace or remove an append-only row, without DDL', async () => {
    const store = await withCommits();
    try {
      const first = (await records(store))[0]!;
      const forms = name === 'sqlite'
        ? [
          `insert or replace into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash) select seq, id, at, 'mallory', kind, input, options, output, ruleset_version, effects, prev_hash, hash from audit_log where seq = 1`,
          `replace into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash) select seq, id, at, 'mallory', kind, input, options, output, ruleset_version, effects, prev_hash, hash from audit_log where seq = 1`,
          `insert into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash) select seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash from audit_log where seq = 1 on conflict(seq) do update set actor = 'mallory'`,
          `update or replace audit_log set actor = 'mallory' where seq = 1`,
          `insert or replace into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash) values (99, ${q(first.id)}, 'x', 'x', 'x', '{}', '{}', '{}', 'v', '{}', 'x', 'x')`,
          'insert or replace into ledger_movements (seq, account_id, kind, used_delta, reserved_delta, on_date, at, actor) select seq, account_id, kind, 0, 0, on_date, at, actor from ledger_movements where seq = 1',
          'replace into ledger_movements (seq, account_id, kind, used_delta, reserved_delta, on_date, at, actor, uid) select 999, account_id, kind, 0, 0, on_date, at, actor, uid from ledger_movements where seq = 1',
          "insert into allocation_published (country, tpp, as_of, source, recorded_at, actor) values ('AE', 1, '2025-01-01', 's', 'x', 'x')",
          "insert or replace into allocation_published (seq, country, tpp, as_of, source, recorded_at, actor) select seq, 'AE', 0, as_of, source, recorded_at, actor from allocation_published",
          'delete from audit_log where seq = 1',
          'update ledger_movements set used_delta = 0 where seq = 1',
        ]
        : [
          `insert into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash) select seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash from audit_log where seq = 1 on conflict (seq) do update set actor = 'mallory'`,
          `merge into audit_log a using (select 1 as seq) s on a.seq = s.seq when matched then update set actor = 'mallory'`,
          'merge into audit_log a using (select 1 as seq) s on a.seq = s.seq when matched then delete',
          'merge into ledger_movements m using (select 1 as seq) s on m.seq = s.seq when matched then update set used_delta = 0',
          'insert into ledger_movements (seq, account_id, kind, used_delta, reserved_delta, on_date, at, actor) select seq, account_id, kind, 0, 0, on_date, at, actor from ledger_movements where seq = 1 on conflict (seq) do update set used_delta = 0',
          'truncate audit_log',
          'truncate ledger_movements cascade',
          'delete from audit_log where seq = 1',
          'update ledger_movements set used_delta = 0 where seq = 1',
        ];
      for (const form of forms) {
        // The third SQLite form is the one that adds a row (allowed: an insert is an append); every other is refused.
        if (form.startsWith('insert into allocation_published')) {
          await sql.raw(form).execute(store.db);
          continue;
        }
        await expect(sql.raw(form).execute(store.db), form).rejects.toThrow(/append-only/);
      }
      expect((await records(store))[0]).toEqual(first);
      expect((await verifyAudit(store)).ok).toBe(true);
      expect((await verifyLedger(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('names the first record of a chain rewritten and re-hashed consistently without the key', async () => {
    const store = await withCommits();
    try {
      const all = await records(store);
      // Rewrite record 3's output, then re-hash it and everything after, head included: what a
      // chain without signatures cannot tell from the original.
      const statements: string[] = [];
      let prev = all[1]!.hash;
      for (const r of all.slice(2)) {
        const output = r.seq === 3 ? r.output.replace('"license_exception"', '"no_license_required"') : r.output;
        const hash = recordHash(prev, { ...r, output });
        statements.push(`update audit_log set output = ${q(output)}, prev_hash = ${q(prev)}, hash = ${q(hash)} where seq = ${r.seq}`);
        prev = hash;
      }
      statements.push(`update audit_head set hash = ${q(prev)} where id = 1`);
      await asOwner(store, ['audit_log'], statements);
      const v = await verifyAudit(store);
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ kind: 'forged', seq: 3 });
      expect(v.problem!.message).toMatch(/signature does not verify/);
      // Checking every signature names the same record.
      expect((await verifyAudit(store, { allSignatures: true })).problem).toMatchObject({ kind: 'forged', seq: 3 });
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('names a record forged after an anchor (appended with a correct hash, no signature)', async () => {
    const store = await withCommits();
    try {
      const v0 = await verifyAudit(store);
      const anchor = { seq: v0.head.seq, hash: v0.head.hash };
      const last = (await records(store)).at(-1)!;
      const forged = { ...last, seq: last.seq + 1, id: '00000000-0000-4000-8000-000000000001', effects: '{}' };
      const hash = recordHash(last.hash, forged);
      // Plain inserts and a head update: no DDL needed.
      await sql.raw(`insert into audit_log (seq, id, at, actor, kind, input, options, output, ruleset_version, effects, prev_hash, hash)
        values (${forged.seq}, ${q(forged.id)}, ${q(forged.at)}, ${q(forged.actor)}, ${q(forged.kind)}, ${q(forged.input)}, ${q(forged.options)}, ${q(forged.output)}, ${q(forged.rulesetVersion)}, '{}', ${q(last.hash)}, ${q(hash)})`).execute(store.db);
      await sql.raw(`update audit_head set seq = ${forged.seq}, hash = ${q(hash)} where id = 1`).execute(store.db);
      const v = await verifyAudit(store, anchor);
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ kind: 'unsigned', seq: forged.seq });
      // With a signature copied from the genuine last record, it is forged instead.
      await asOwner(store, ['audit_log'], [`update audit_log set signature = ${q(last.signature!)}, key_id = ${q(last.keyId!)} where seq = ${forged.seq}`]);
      expect((await verifyAudit(store)).problem).toMatchObject({ kind: 'forged', seq: forged.seq });
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('a checkpoint catches records cut off the end, and refuses a checkpoint that was altered', async () => {
    const store = await withCommits();
    try {
      const cp = await auditCheckpoint(store);
      expect(cp).toMatchObject({ aidr: 'audit-checkpoint', audit: { seq: 6 }, movements: { count: 12 } });
      expect((await verifyAudit(store, { checkpoint: cp })).ok).toBe(true);
      const all = await records(store);
      await asOwner(store, ['audit_log'], ['delete from audit_log where seq > 4', `update audit_head set seq = 4, hash = ${q(all[3]!.hash)} where id = 1`]);
      // The chain and its signatures alone cannot see it (documented): the cut log verifies.
      expect((await verifyAudit(store)).ok).toBe(true);
      const v = await verifyAudit(store, { checkpoint: cp });
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ kind: 'truncated', seq: 5 });
      expect(v.problem!.message).toMatch(/seq 5 to 6 were cut off/);
      // A checkpoint edited to a later head no longer carries a valid signature.
      const edited = { ...cp, audit: { ...cp.audit, seq: 3 } };
      expect((await verifyAudit(store, { checkpoint: edited })).problem).toMatchObject({ kind: 'checkpoint' });
      // The public key file alone checks it (a verifier without the private key).
      const pub = loadTrustedKey(publicKeyPath(store.signingKeyPath));
      expect((await verifyAudit(store, { keys: [pub], checkpoint: cp })).problem).toMatchObject({ kind: 'truncated' });
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('names a forged movement whose balance was made to match (room freed under the LPP cap)', async () => {
    const store = await withCommits();
    try {
      const account = 'lpp:2025:ultimate_parent:p';
      const before = await getAccount(store, account);
      // A movement taking 6 shipments back out of the cap, and the balance lowered to match: plain DML.
      const m = (await store.db.selectFrom('ledger_movements').selectAll().where('account_id', '=', account).orderBy('seq').executeTakeFirstOrThrow());
      await sql.raw(`insert into ledger_movements (account_id, kind, used_delta, reserved_delta, on_date, at, actor, uid, mac)
        values (${q(account)}, 'release', ${-6n * BigInt(m.used_delta)}, 0, '2025-06-02', ${q(m.at)}, 'test', 'forged-1', ${q(m.mac!)})`).execute(store.db);
      await sql.raw(`update ledger_accounts set used = used - ${6n * BigInt(m.used_delta)} where id = ${q(account)}`).execute(store.db);
      expect((await getAccount(store, account))?.usedTpp).toBe('0');
      const v = await verifyLedger(store);
      expect(v.ok).toBe(false);
      expect(v.forged).toEqual([expect.objectContaining({ account, kind: 'release', reason: expect.stringMatching(/MAC does not match/) })]);
      expect(v.mismatches).toEqual([expect.objectContaining({ account, usedTpp: '0', historyUsedTpp: before!.usedTpp })]);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('names a commit\'s movement deleted (with DDL) and its balance lowered: its audit record lists it', async () => {
    const store = await withCommits();
    try {
      const account = 'lpp:2025:ultimate_parent:p';
      const m = await store.db.selectFrom('ledger_movements').selectAll().where('account_id', '=', account).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      await asOwner(store, ['ledger_movements'], [`delete from ledger_movements where seq = ${m.seq}`, `update ledger_accounts set used = used - ${m.used_delta} where id = ${q(account)}`]);
      const v = await verifyLedger(store);
      expect(v.ok).toBe(false);
      expect(v.missing).toEqual([expect.objectContaining({ account, uid: m.uid, auditSeq: 6 })]);
      expect(v.mismatches).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('a reservation movement deleted with DDL shows against a checkpoint; a reservation settled twice is named', async () => {
    const store = await withCommits();
    try {
      const account = 'lpp:2025:ultimate_parent:res';
      const r1 = await reserve(store, { account, tpp: '1000', actor });
      const cp = await auditCheckpoint(store);
      await asOwner(store, ['ledger_movements'], [`delete from ledger_movements where reservation_id = ${q(r1.reservationId)}`, `update ledger_accounts set reserved = 0 where id = ${q(account)}`]);
      const v = await verifyLedger(store, { checkpoint: cp });
      expect(v.ok).toBe(false);
      expect(v.checkpoint).toMatchObject({ ok: false, message: expect.stringMatching(/deleted or altered/) });

      // A released reservation set back to 'reserved' by SQL, then released again: its second settlement is named.
      const r2 = await reserve(store, { account: 'lpp:2025:ultimate_parent:res2', tpp: '1000', actor });
      await reserve(store, { account: 'lpp:2025:ultimate_parent:res2', tpp: '1000', actor });
      await releaseReservation(store, r2.reservationId, { actor });
      await sql.raw(`update ledger_reservations set state = 'reserved' where id = ${q(r2.reservationId)}`).execute(store.db);
      await releaseReservation(store, r2.reservationId, { actor });
      expect((await verifyLedger(store)).reservations).toEqual([{ reservationId: r2.reservationId, problem: expect.stringMatching(/settled 2 times/) }]);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('a movement inserted without a MAC (claiming to predate the key) is named', async () => {
    const store = await withCommits();
    try {
      await sql.raw(`insert into ledger_movements (account_id, kind, used_delta, reserved_delta, on_date, at, actor)
        values ('lpp:2025:ultimate_parent:p', 'import', -1000, 0, '2025-06-02', '2025-06-02T00:00:00Z', 'test')`).execute(store.db);
      const v = await verifyLedger(store);
      expect(v.ok).toBe(false);
      expect(v.problems.join(' ')).toMatch(/without a MAC: 1 found, 0 existed/);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('the key lives in a file off the database; a store signed with a key this process lacks can be read but not written', async () => {
    const b = backend(name);
    made.push(b);
    const store = await b.open();
    try {
      await commitTransaction(store, lppTx({ consignee: 'k', parent: 'k', quantity: 1 }), {}, { actor });
      const keyCols = await sql.raw("select count(*) as n from audit_log where signature is not null").execute(store.db);
      expect(Number((keyCols.rows[0] as { n: unknown }).n)).toBe(1);
      // Nothing of the private key is in the database.
      const dump = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      expect(dump).not.toContain('PRIVATE KEY');
      const elsewhere = await b.open({ signingKey: `${store.signingKeyPath}.missing` });
      try {
        expect(elsewhere.signer).toBeUndefined();
        expect(elsewhere.signingProblem).toMatch(/signed with key .* no key file/);
        await expect(commitTransaction(elsewhere, lppTx({ consignee: 'k', parent: 'k', quantity: 1 }), {}, { actor })).rejects.toThrow(/cannot write to the audit log/);
      } finally {
        await elsewhere.close();
      }
    } finally {
      await store.close();
    }
  });
});
