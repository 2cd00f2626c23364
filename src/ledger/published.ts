/** BIS's published aggregate TPP licensed to a country, with its date and source. */
import type { Kysely } from 'kysely';
import type { NumLike } from '../compute/exact.js';
import { InputError } from '../engine/context.js';
import type { Store } from '../store/open.js';
import { Prepared } from '../store/prepared.js';
import type { Database, DbInt } from '../store/schema.js';
import { parseAccountId } from './accounts.js';
import { big, toMilli, tpp } from './amount.js';
import { checkActor, checkDate, iso, storable, type Actor } from './request.js';

export interface PublishedRequest extends Actor {
  country: string;
  tpp: NumLike;
  /** The date BIS's figure is as of. */
  asOf: string;
  source: string;
}

/** Record BIS's published aggregate TPP licensed to a country (what all exporters used), with its date and source. */
export async function recordPublished(store: Store, req: PublishedRequest): Promise<{ country: string; tpp: string; asOf: string; source: string }> {
  const ref = parseAccountId(`country_allocation:${String(req.country).toUpperCase()}`, 'country');
  if (ref.kind !== 'country_allocation') throw new Error('unreachable');
  const amount = toMilli(req.tpp, 'tpp');
  const asOf = checkDate(req.asOf, 'asOf');
  if (typeof req.source !== 'string' || req.source.trim() === '' || req.source.length > 500) throw new InputError('source', 'say where the figure was published (e.g. the bis.gov page)');
  storable(req.source, 'source');
  await store.db.insertInto('allocation_published').values({ country: ref.country, tpp: amount, as_of: asOf, source: req.source, recorded_at: iso(req.now), actor: checkActor(req.actor) }).execute();
  return { country: ref.country, tpp: tpp(amount), asOf, source: req.source };
}

/** Read by every commit's ledger view: compiled once (src/store/prepared.ts). */
const LATEST_PUBLISHED = new Prepared(2, (db, country: string, asOf: string) => db.selectFrom('allocation_published').select(['tpp', 'as_of', 'source'])
  .where('country', '=', country).where('as_of', '<=', asOf).orderBy('as_of', 'desc').orderBy('seq', 'desc').limit(1));

export async function latestPublished(store: Store | Kysely<Database>, country: string, asOf: string): Promise<{ tpp: bigint; asOf: string; source: string } | undefined> {
  const db = 'db' in store ? store.db : store;
  const row = (await LATEST_PUBLISHED.execute<{ tpp: DbInt; as_of: string; source: string }>(db, country, asOf)).rows[0];
  return row ? { tpp: big(row.tpp), asOf: row.as_of, source: row.source } : undefined;
}
