/**
 * Normalisation: a validated Transaction becomes the facts the rules read, with every country
 * resolved to its groups as of the determination date and every default of the contract applied.
 */
import type { Transaction, Party } from '../contract/transaction.js';
import { countryOn, membershipInterpretations, type CountryFacts } from '../data/country-groups.js';
import type { Ctx } from './context.js';

export type Activity = 'export' | 'reexport' | 'transfer' | 'deemed_export' | 'deemed_reexport';
export type EndUse = NonNullable<Transaction['endUses']>[number];
export type PartyPath = 'consignee' | 'endUser';

export interface PartyFacts {
  /** Where missing facts about this party are to be supplied. */
  path: PartyPath;
  name?: string;
  id?: string;
  ultimateParentId?: string;
  location?: CountryFacts;
  hq?: CountryFacts;
  uph?: CountryFacts;
  sector?: 'private' | 'government';
  veu?: 'UVEU' | 'NVEU';
}

export interface TxFacts {
  id?: string;
  asOf: string;
  activity: Activity;
  from?: CountryFacts;
  to?: CountryFacts;
  item: Transaction['item'];
  quantity: number;
  consignee: PartyFacts;
  endUser: PartyFacts;
  /** The end user is a different party from the consignee. */
  separateEndUser: boolean;
  /** The parties whose headquarters the "entity headquartered in …" tests look at, without repeats. */
  parties: readonly PartyFacts[];
  endUses: readonly EndUse[];
  viaDistributor: boolean;
  facts: NonNullable<Transaction['facts']>;
}

const NO_END_USES: readonly EndUse[] = Object.freeze([]);

function country(code: string | undefined, asOf: string, ctx: Ctx, role: 'place' | 'headquarters' = 'place'): CountryFacts | undefined {
  if (code === undefined) return undefined;
  // Memberships whose dates an interpretation decides (Cambodia in D:5, INT-53): read, and record.
  const dated = membershipInterpretations(code, asOf);
  let c = dated.length === 0 ? countryOn(code, asOf) : countryOn(code, asOf, new Map(dated.map((id) => { ctx.rely(id); return [id, ctx.reading(id)]; })));
  // INT-55: a D:5 member also in A:6 (Cyprus before 2024-05-30) as a headquarters.
  if (role === 'headquarters' && c.d5 && c.groups.has('A:6')) {
    ctx.rely('INT-55');
    if (ctx.reading('INT-55') === 'a6_intent') c = notD5(c);
  }
  if (c.aliasOf) {
    ctx.rely(c.aliasInterpretation!);
    ctx.warn(`${c.aliasOf} is treated as ${c.name} (${c.code}) for every country-group test (${c.aliasInterpretation}).`);
  }
  return c;
}

function party(p: Party | undefined, path: PartyPath, to: CountryFacts | undefined, asOf: string, ctx: Ctx): PartyFacts {
  return {
    path,
    name: p?.name,
    id: p?.id,
    ultimateParentId: p?.ultimateParentId,
    location: country(p?.country, asOf, ctx) ?? to,
    hq: country(p?.headquarters, asOf, ctx, 'headquarters'),
    uph: country(p?.ultimateParentHeadquarters, asOf, ctx, 'headquarters'),
    sector: p?.sector,
    veu: p?.veu,
  };
}

const notD5Cache = new Map<CountryFacts, CountryFacts>();
/** The same country read as outside D:5 for the headquarters tests (INT-55 a6_intent). */
function notD5(c: CountryFacts): CountryFacts {
  let v = notD5Cache.get(c);
  if (!v) notD5Cache.set(c, (v = { ...c, d5: false, macauOrD5: c.macau, tier: c.supp5a ? 1 : c.macau ? 3 : 2 }));
  return v;
}

const NO_FACTS: NonNullable<Transaction['facts']> = Object.freeze({});

export function toFacts(tx: Transaction, asOf: string, ctx: Ctx): TxFacts {
  const activity: Activity = tx.activity ?? 'export';
  const to = country(tx.to, asOf, ctx);
  const from = country(tx.from ?? (activity === 'export' || activity === 'deemed_export' ? 'US' : activity === 'transfer' ? tx.to : undefined), asOf, ctx);
  const consignee = party(tx.consignee, 'consignee', to, asOf, ctx);
  const endUser = tx.endUser ? party(tx.endUser, 'endUser', to, asOf, ctx) : consignee;
  return {
    id: tx.id,
    asOf,
    activity,
    from,
    to,
    item: tx.item,
    quantity: tx.quantity ?? 1,
    consignee,
    endUser,
    separateEndUser: tx.endUser !== undefined,
    parties: tx.endUser !== undefined ? [consignee, endUser] : [consignee],
    endUses: tx.endUses ?? NO_END_USES,
    viaDistributor: tx.viaDistributor ?? false,
    facts: tx.facts ?? NO_FACTS,
  };
}

/** The parties whose headquarters the "entity headquartered in …" tests look at, without repeats. */
export function partiesOf(f: TxFacts): readonly PartyFacts[] {
  return f.parties;
}
