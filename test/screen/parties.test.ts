/**
 * The parties register and the one normalization of party ids and account keys: order lines that
 * name consignee_id get the party's facts; migration 008 merges LPP/AIA accounts whose keys collide.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRecords } from '../../src/store/audit.js';
import { verifyAudit } from '../../src/store/audit-verify.js';
import { getAccount, verifyLedger } from '../../src/ledger/index.js';
import { move } from '../../src/ledger/move.js';
import { bindSigner, transaction } from '../../src/store/open.js';
import { BACKENDS, backend, type Backend } from '../store/backends.js';
import { aidr, csv, rows, tempDir } from './helpers.js';

describe('parties', () => {
  it('import (names resolved, each reported; a bad row reported, the others kept), show, and order lines that name consignee_id', () => {
    const dir = tempDir();
    const env = { AIDR_DATA_DIR: join(dir, 'data') };
    writeFileSync(join(dir, 'parties.csv'), csv([
      ['id', 'name', 'country', 'headquarters', 'ultimate parent headquarters', 'ultimate parent id', 'sector', 'aliases'],
      ['ACME-BR', 'Acme Brasil Ltda', 'Brazil', 'BR', 'USA', 'acme-group', 'private', 'ACME BRASIL; 4711'],
      ['bad', 'Nowhere Inc', 'Narnia', 'US', 'US', '', '', ''],
    ]));
    const imp = aidr(['parties', 'import', 'parties.csv'], { cwd: dir, env });
    expect(imp.status, imp.stderr).toBe(3);
    expect(JSON.parse(imp.stdout)).toMatchObject({ inserted: 1, invalid: 1 });
    expect(imp.stderr).toMatch(/line 2: country: "Brazil" → BR/);
    expect(imp.stderr).toMatch(/line 3: country: "Narnia" is not a country/);
    const show = aidr(['parties', 'show', ' acme-br ', '--format', 'json'], { cwd: dir, env });
    expect(JSON.parse(show.stdout)).toMatchObject({ id: 'acme-br', givenId: 'ACME-BR', country: 'BR', ultimateParentHeadquarters: 'US', ultimateParentId: 'acme-group' });
    expect(JSON.parse(aidr(['parties', 'show', '4711', '--format', 'json'], { cwd: dir, env }).stdout).givenId).toBe('ACME-BR');

    writeFileSync(join(dir, 'orders.csv'), csv([['id', 'date', 'to', 'model', 'quantity', 'consignee_id'], ['PO-1', '2025-06-02', 'BR', 'nvidia-h100-sxm', 100, 'Acme-BR'], ['PO-2', '2025-06-02', 'BR', 'nvidia-h100-sxm', 100, 'unknown-co']]));
    const r = aidr(['screen', 'orders.csv', '--jobs', '1'], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(0);
    const out = rows(r.stdout);
    expect(out[0]!.normalizations).toMatch(/consignee: name, country, headquarters, ultimateParentHeadquarters, ultimateParentId, sector from the parties register \(ACME-BR\)/);
    expect(out[0]!.missing_facts).not.toMatch(/consignee\.headquarters/);
    expect(out[1]!.normalizations).toMatch(/consignee\.id "unknown-co" is not in the parties register/);
    expect(out[1]!.missing_facts).toMatch(/consignee\.headquarters/);
    expect(r.stderr).toMatch(/ledger read: sqlite/);
    expect(readFileSync(join(dir, 'orders.csv'), 'utf8')).toContain('Acme-BR');
  });
});

describe('a party named only by its name is looked up in the register', () => {
  it('screen: a registered name or alias fills the facts and keys the ledger as the id would (the LPP cap crossed on the third line, with one or two workers); a name two parties share decides nothing', () => {
    const dir = tempDir();
    const env = { AIDR_DATA_DIR: join(dir, 'data') };
    writeFileSync(join(dir, 'parties.csv'), csv([
      ['id', 'name', 'country', 'headquarters', 'ultimate parent headquarters', 'ultimate parent id', 'sector', 'aliases'],
      ['ACME-BR', 'Acme Brasil Ltda', 'BR', 'BR', 'US', 'acme-group', 'private', 'ACME BRASIL'],
      ['TWIN-1', 'Twin Co', 'BR', 'BR', 'BR', '', 'private', ''],
      ['TWIN-2', 'Twin Co', 'IN', 'IN', 'IN', '', 'private', ''],
    ]));
    expect(aidr(['parties', 'import', 'parties.csv'], { cwd: dir, env }).status).toBe(0);
    // H100 SXM: 15,832 TPP a unit; 800 + 800 units fit the 26,900,000 cap, 200 more do not.
    const line = (id: string, q: number, consigneeId: string, name: string) => [id, '2025-06-02', 'BR', 'nvidia-h100-sxm', q, consigneeId, name];
    const orders = [['id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_name'], line('PO-1', 800, '', ' acme brasil ltda '), line('PO-2', 800, 'ACME-BR', '')];
    for (let i = 0; i < 40; i++) orders.push(line(`X-${i}`, 1, `other-${i}`, `Other ${i}`));
    orders.push(line('PO-3', 200, '', 'ACME BRASIL'), line('PO-4', 1, '', 'Twin Co'));
    writeFileSync(join(dir, 'orders.csv'), csv(orders));
    for (const jobs of ['1', '2']) {
      const r = aidr(['screen', 'orders.csv', '--jobs', jobs], { cwd: dir, env });
      expect(r.status, r.stderr).toBe(0);
      const out = new Map(rows(r.stdout).map((x) => [x.id, x]));
      expect(out.get('PO-1')!.normalizations).toMatch(/consignee\.name: "acme brasil ltda" → ACME-BR: the party of that name in the parties register/);
      expect(out.get('PO-1')!.normalizations).toMatch(/consignee: country, headquarters, ultimateParentHeadquarters, ultimateParentId, sector from the parties register \(ACME-BR\)/);
      expect(out.get('PO-1')!.missing_facts).not.toMatch(/consignee\./);
      expect(out.get('PO-1')!.commit_exception, jobs).toBe('LPP');
      expect(out.get('PO-2')!.commit_exception, jobs).toBe('LPP');
      expect(out.get('PO-2')!.lpp_left_tpp).toBe(String(26_900_000 - 1600 * 15_832));
      // The alias names the same party: its line is the one that crosses the cap.
      expect(out.get('PO-3')!.normalizations).toMatch(/consignee\.name: "ACME BRASIL" → ACME-BR/);
      expect(out.get('PO-3')!.commit_exception, jobs).toBe('');
      expect(out.get('PO-3')!.eligible_exceptions).not.toMatch(/LPP/);
      expect(out.get('PO-4')!.normalizations).toMatch(/consignee\.name: "Twin Co" names 2 parties in the parties register \(TWIN-1, TWIN-2\): give the party's id/);
      expect(out.get('PO-4')!.missing_facts).toMatch(/consignee\.headquarters/);
      expect(out.get('X-0')!.normalizations).toBe('consignee.id "other-0" is not in the parties register');
    }
    // aidr check (and so the HTTP service, through the same fill) looks the name up too.
    const q = { id: 'q', date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1, consignee: { name: 'Acme Brasil Ltda' } };
    const c = aidr(['check', '-', '--lean'], { cwd: dir, env, input: JSON.stringify(q) });
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).warnings).toContain('consignee.name: "Acme Brasil Ltda" → ACME-BR: the party of that name in the parties register, whose id keys its ledger accounts');
  });
});

describe('aidr check reads the parties register as aidr screen does (red team 2, D3)', () => {
  it('check fills a party named by id (warnings); check --commit keys two subsidiaries to the parent\'s one LPP cap', () => {
    const dir = tempDir();
    const env = { AIDR_DATA_DIR: join(dir, 'data') };
    writeFileSync(join(dir, 'p.csv'), csv([
      ['id', 'name', 'country', 'headquarters', 'ultimate parent headquarters', 'ultimate parent id', 'sector'],
      ['SUBA', 'A', 'BR', 'BR', 'BR', 'PB', 'private'], ['SUBB', 'B', 'BR', 'BR', 'BR', 'PB', 'private'],
    ]));
    expect(aidr(['parties', 'import', 'p.csv'], { cwd: dir, env }).status).toBe(0);
    const H100 = { type: 'ic', model: 'nvidia-h100-sxm' };
    const q = { id: 'q', date: '2025-06-02', to: 'DE', item: H100, quantity: 1, consignee: { id: 'SUBA' } };
    const r = aidr(['check', '-', '--lean'], { cwd: dir, env, input: JSON.stringify(q) });
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.outcome).not.toBe('indeterminate');
    expect(d.warnings).toContain('consignee: name, country, headquarters, ultimateParentHeadquarters, ultimateParentId, sector from the parties register (SUBA)');
    // --no-ledger reads nothing from the store, the register included (as screen --no-ledger).
    expect(JSON.parse(aidr(['check', '-', '--lean', '--no-ledger'], { cwd: dir, env, input: JSON.stringify(q) }).stdout).outcome).toBe('indeterminate');

    const tx = (id: string, consignee: string, quantity: number) => ({ id, date: '2025-06-02', to: 'BR', item: H100, quantity, consignee: { id: consignee, country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR', sector: 'private' } });
    const a = aidr(['check', '-', '--commit', '--lean'], { cwd: dir, env, input: JSON.stringify(tx('G1', 'SUBA', 1000)) });
    expect(a.status, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).commit.movements.map((m: { account: string }) => m.account)).toContain('lpp:2025:ultimate_parent:pb');
    expect(a.stderr).toMatch(/WARNING consignee: name, ultimateParentId from the parties register \(SUBA\)/);
    // 15,832,000 + 12,665,600 > 26,900,000 for PB: the second subsidiary's shipment is not LPP.
    const b = aidr(['check', '-', '--commit', '--lean'], { cwd: dir, env, input: JSON.stringify([tx('G2', 'SUBB', 800)]) });
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)[0]).toMatchObject({ determination: { outcome: 'license_required' }, commit: { exception: null } });
    // The audit record replays identically (the register's notes are the commit's, not the engine's).
    const replay = JSON.parse(aidr(['audit', 'replay', '1', '--format', 'json'], { cwd: dir, env }).stdout);
    expect(replay.differences.filter((x: { path: string }) => x.path !== 'ruleset.version')).toEqual([]);
  });
});

describe.each(BACKENDS)('migration 008 merges colliding account keys: $name', ({ name, skip }) => {
  let b: Backend;
  afterAll(async () => {
    if (!skip) await b?.destroy();
  });

  it.skipIf(skip)('ACME-BR, acme-br and "ACME-BR " become one account through movements, audited', async () => {
    b = backend(name);
    const s = await openUpTo005(b);
    const at = new Date().toISOString();
    for (const [id, used] of [['lpp:2025:ultimate_parent:ACME-BR', 10_000_000_000n], ['lpp:2025:ultimate_parent:acme-br', 5_000_000_000n], ['lpp:2025:ultimate_parent:ACME-BR%20', 20_000_000_000n], ['aia:Other', 7_000n]] as const) {
      await s.db.insertInto('ledger_accounts').values({ id, kind: id.split(':')[0]!, key: id, period: id.startsWith('lpp') ? '2025' : '', cap: id.startsWith('lpp') ? 26_900_000_000n : null, used, reserved: 0n, created_at: at }).execute();
      await s.db.insertInto('ledger_movements').values({ account_id: id, kind: 'import', reservation_id: null, used_delta: used, reserved_delta: 0n, on_date: '2025-06-02', at, actor: 't', audit_id: null, ref: null }).execute();
    }
    await s.close();
    // A store from before 008 also predates signing (007 and 008 land in the same release): no key
    // yet, so the key created after the migrations counts their unsigned records as older than it.
    for (const f of [s.signingKeyPath, `${s.signingKeyPath}.pub`]) rmSync(f, { force: true });
    const store = await b.open(); // runs 008
    try {
      const merged = await getAccount(store, 'lpp:2025:ultimate_parent:acme-br');
      expect(merged?.usedTpp).toBe('35000000');
      expect(merged?.leftTpp).toBe('-8100000');
      expect((await getAccount(store, 'lpp:2025:ultimate_parent:ACME-BR'))?.usedTpp).toBe('0');
      expect((await getAccount(store, 'aia:other'))?.usedTpp).toBe('7');
      const verified = await verifyLedger(store);
      expect(verified.ok, verified.problems.join("; ")).toBe(true);
      const records = [];
      for await (const r of auditRecords(store)) records.push(r);
      const merge = records.find((r) => r.kind === 'account-merge')!;
      expect(JSON.parse(merge.input).merges).toHaveLength(3);
      expect(JSON.parse(merge.output).overCap).toEqual(['lpp:2025:ultimate_parent:acme-br']);
    } finally {
      await store.close();
    }
  });
});

describe.each(BACKENDS)('migration 010 merges account keys that differ only by compatibility forms or invisible characters: $name', ({ name, skip }) => {
  let b: Backend;
  afterAll(async () => {
    if (!skip) await b?.destroy();
  });

  it.skipIf(skip)('fullwidth "ＮＫ", "N\\u200bK" and "nk" become one LPP account with one cap; a party keyed "ｎｋ-co" becomes "nk-co"; audited', async () => {
    b = backend(name);
    const s = await b.open();
    const at = new Date().toISOString();
    const ids = [['lpp:2025:ultimate_parent:nk', 10_000_000_000n], [`lpp:2025:ultimate_parent:${encodeURIComponent('ｎｋ')}`, 10_000_000_000n], [`lpp:2025:ultimate_parent:${encodeURIComponent('n\u200bk')}`, 10_000_000_000n]] as const;
    // Accounts as an earlier version keyed them, each with a signed movement (the store has its key).
    await transaction(s, async (trx) => {
      bindSigner(trx, s);
      for (const [id, used] of ids) {
        await trx.insertInto('ledger_accounts').values({ id, kind: 'lpp', key: id, period: '2025', cap: 26_900_000_000n, used: 0n, reserved: 0n, created_at: at }).execute();
        await move(trx, { accountId: id, kind: 'import', usedDelta: used, reservedDelta: 0n, onDate: '2025-06-02', at, actor: 't', ref: null });
      }
    });
    await s.db.insertInto('parties').values({ id: 'ｎｋ-co', given_id: 'ＮＫ-CO', name: 'NK Co', country: 'BR', headquarters: 'BR', ultimate_parent_headquarters: 'BR', ultimate_parent_id: null, sector: null, aliases: '[]', updated_at: at, actor: 't' }).execute();
    await sql`delete from kysely_migration where name = '010-keys-nfkc'`.execute(s.db);
    await s.close();
    const store = await b.open(); // runs 010
    try {
      const merged = await getAccount(store, 'lpp:2025:ultimate_parent:nk');
      expect(merged?.usedTpp).toBe('30000000');
      expect(merged?.leftTpp).toBe('-3100000');
      expect((await getAccount(store, ids[1][0]))?.usedTpp).toBe('0');
      const verified = await verifyLedger(store);
      expect(verified.ok, verified.problems.join('; ')).toBe(true);
      expect(await store.db.selectFrom('parties').select('id').execute()).toEqual([{ id: 'nk-co' }]);
      // What the migration wrote is signed: the audit chain verifies too.
      const audit = await verifyAudit(store);
      expect(audit.ok, JSON.stringify(audit)).toBe(true);
      const records = [];
      for await (const r of auditRecords(store)) records.push(r);
      expect(JSON.parse(records.find((r) => r.kind === 'account-merge' && r.actor === 'aidr:migration-010')!.input).merges).toHaveLength(2);
      expect(JSON.parse(records.find((r) => r.kind === 'parties-rekey')!.input).rekeyed).toEqual([{ from: 'ｎｋ-co', to: 'nk-co' }]);
    } finally {
      await store.close();
    }
  });
});

/** A store as aidr left it before migration 008 (what 008 made dropped, and its record forgotten). */
async function openUpTo005(b: Backend) {
  const store = await b.open();
  for (const t of ['screening_chunks', 'screening_jobs', 'parties']) await store.db.schema.dropTable(t).execute();
  await sql`delete from kysely_migration where name = '008-parties-screenings-keys'`.execute(store.db);
  return store;
}
