/**
 * The parties register (migration 008): a party as a record, so that order lines can name
 * `consignee_id` or `end_user_id` instead of restating where the party is located and
 * headquartered. Ids are stored normalized (`normalizeKey`); the id as given is kept for display.
 * A party's aliases (other ids or names order lines use) find it too.
 */
import type { Store } from '../store/open.js';
import type { PartyRecord } from '../screen/row.js';
import { normalizeKey } from './key.js';

export interface Party extends PartyRecord {
  /** The id as it was given. */
  givenId: string;
  aliases: string[];
  updatedAt: string;
  actor: string;
}

type Row = { id: string; given_id: string; name: string | null; country: string | null; headquarters: string | null; ultimate_parent_headquarters: string | null; ultimate_parent_id: string | null; sector: string | null; aliases: string; updated_at: string; actor: string };

function fromRow(r: Row): Party {
  const p: Party = { id: r.id, givenId: r.given_id, aliases: JSON.parse(r.aliases) as string[], updatedAt: r.updated_at, actor: r.actor };
  if (r.name !== null) p.name = r.name;
  if (r.country !== null) p.country = r.country;
  if (r.headquarters !== null) p.headquarters = r.headquarters;
  if (r.ultimate_parent_headquarters !== null) p.ultimateParentHeadquarters = r.ultimate_parent_headquarters;
  if (r.ultimate_parent_id !== null) p.ultimateParentId = r.ultimate_parent_id;
  if (r.sector === 'private' || r.sector === 'government') p.sector = r.sector;
  return p;
}

/** Every party, by normalized id and by normalized alias (an id wins over another party's alias). */
export async function loadParties(store: Store): Promise<Map<string, Party>> {
  const out = new Map<string, Party>();
  const aliases: [string, Party][] = [];
  let after = '';
  for (;;) {
    const rows = await store.db.selectFrom('parties').selectAll().where('id', '>', after).orderBy('id').limit(5000).execute();
    for (const r of rows) {
      const p = fromRow(r);
      out.set(p.id, p);
      for (const a of p.aliases) aliases.push([normalizeKey(a), p]);
    }
    if (rows.length < 5000) break;
    after = rows[rows.length - 1]!.id;
  }
  for (const [a, p] of aliases) if (!out.has(a)) out.set(a, p);
  return out;
}

export async function getParty(store: Store, id: string): Promise<Party | undefined> {
  const key = normalizeKey(id);
  const row = await store.db.selectFrom('parties').selectAll().where('id', '=', key).executeTakeFirst();
  if (row) return fromRow(row);
  // An alias: rare enough to scan for.
  const all = await loadParties(store);
  return all.get(key);
}

export async function listParties(store: Store, limit = 1000, after = ''): Promise<Party[]> {
  const rows = await store.db.selectFrom('parties').selectAll().where('id', '>', normalizeKey(after)).orderBy('id').limit(limit).execute();
  return rows.map(fromRow);
}

/** Insert or replace parties (one transaction per call). */
export async function upsertParties(store: Store, parties: readonly Omit<Party, 'id' | 'updatedAt'>[], actor: string): Promise<{ inserted: number; updated: number }> {
  const at = new Date().toISOString();
  const { transaction } = await import('../store/open.js');
  const { registerChanged } = await import('./fill.js');
  const done = await transaction(store, async (trx) => {
    let inserted = 0;
    let updated = 0;
    for (const p of parties) {
      const values = {
        id: normalizeKey(p.givenId), given_id: p.givenId, name: p.name ?? null, country: p.country ?? null, headquarters: p.headquarters ?? null,
        ultimate_parent_headquarters: p.ultimateParentHeadquarters ?? null, ultimate_parent_id: p.ultimateParentId ?? null, sector: p.sector ?? null,
        aliases: JSON.stringify(p.aliases), updated_at: at, actor,
      };
      const prior = await trx.selectFrom('parties').select('id').where('id', '=', values.id).executeTakeFirst();
      if (prior) {
        await trx.updateTable('parties').set(values).where('id', '=', values.id).execute();
        updated++;
      } else {
        await trx.insertInto('parties').values(values).execute();
        inserted++;
      }
    }
    return { inserted, updated };
  });
  // A service in this process reads the register anew (src/parties/fill.ts).
  registerChanged(store);
  return done;
}
