/**
 * The parties register as the lookup every command reads: a party by its normalized id or alias,
 * and (`named`) by its name, for order lines and transactions that name a party without an id.
 */
import type { PartyLookup, PartyRecord } from '../screen/row.js';
import { keyOrUndefined } from './key.js';

/** A lookup over the loaded register (`loadParties`: by id and alias); undefined when it is empty. */
export function registerIndex(all: ReadonlyMap<string, PartyRecord>): PartyLookup | undefined {
  if (all.size === 0) return undefined;
  const byName = new Map<string, PartyRecord[]>();
  for (const p of new Set(all.values())) {
    const k = p.name === undefined ? undefined : keyOrUndefined(p.name);
    if (k === undefined) continue;
    const list = byName.get(k);
    if (list) list.push(p);
    else byName.set(k, [p]);
  }
  const lookup = (id: string) => all.get(id);
  return Object.assign(lookup, {
    named(name: string): readonly PartyRecord[] {
      const k = keyOrUndefined(name);
      if (k === undefined) return [];
      // A name the register lists as a party's alias (aliases are the other ids and names order lines use) or as its name.
      const out: PartyRecord[] = [];
      const alias = all.get(k);
      if (alias) out.push(alias);
      for (const p of byName.get(k) ?? []) if (!out.some((o) => o.id === p.id)) out.push(p);
      return out;
    },
  });
}
