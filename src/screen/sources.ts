/**
 * Where a screening reads what is already recorded: the stored ledger (used + reserved per
 * account, TPP licensed per country) and the parties register. Used only when a store exists:
 * `DATABASE_URL` is set, or the SQLite file is there (`AIDR_DATA_DIR`, else ./.aidr). A screen
 * never creates a store just to read it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store, StoreOptions } from '../store/open.js';
import type { LedgerSource } from './evaluate.js';
import type { PartyLookup } from './row.js';

/** The store a screen or check would read, if one exists (options to open it), else undefined. */
export function existingStore(opts: StoreOptions = {}): StoreOptions | undefined {
  if (opts.databaseUrl || (opts.dataDir === undefined && process.env.DATABASE_URL)) return opts;
  const dir = resolve(opts.dataDir ?? process.env.AIDR_DATA_DIR ?? '.aidr');
  return existsSync(join(dir, 'aidr.sqlite')) ? { ...opts, dataDir: dir } : undefined;
}

/**
 * Cached reads of the stored ledger. The store does not change during a screen (it does not
 * commit). Past `limit` accounts (or countries) a prefetch empties the cache first.
 */
export async function storeLedger(store: Store, limit = 500_000): Promise<LedgerSource> {
  const { balancesWithSlices, countryLicensed } = await import('../ledger/view.js');
  const used = new Map<string, bigint>();
  const licensed = new Map<string, bigint | undefined>();
  const LIMIT = limit;
  return {
    description: `${store.dialect} ${store.location}`,
    async prefetch(accounts, countries) {
      if (used.size > LIMIT) used.clear();
      if (licensed.size > LIMIT) licensed.clear();
      const missing = [...new Set(accounts.filter((a) => !used.has(a)))];
      for (let i = 0; i < missing.length; i += 500) {
        const got = await balancesWithSlices(store, missing.slice(i, i + 500));
        for (const [k, v] of got) used.set(k, v);
      }
      for (const c of countries) {
        const key = `${c.code}|${c.asOf}|${c.perYear === true}`;
        if (!licensed.has(key)) licensed.set(key, await countryLicensed(store, c.code, c.asOf, c.perYear === true));
      }
    },
    used: (id) => used.get(id) ?? 0n,
    licensed: (code, asOf, perYear) => licensed.get(`${code}|${asOf}|${perYear === true}`),
  };
}

/** The parties register as a lookup by normalized id (loaded once; a register is thousands of rows, not millions). */
export async function storeParties(store: Store): Promise<PartyLookup | undefined> {
  const { loadParties } = await import('../parties/store.js');
  const { registerIndex } = await import('../parties/lookup.js');
  return registerIndex(await loadParties(store));
}
