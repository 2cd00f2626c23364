/**
 * Draw: check and use in one step (shipments committed by `check --commit`, NVEU and UVEU
 * installations), with a UVEU's Supp. 10 para. 6 shares re-checked for the whole group.
 */
import { sql, type Kysely } from 'kysely';
import { formatExact, type NumLike } from '../compute/exact.js';
import { countryOn } from '../data/country-groups.js';
import { InputError } from '../engine/context.js';
import { uveuCheck } from '../law/part748/supp10-para6-uveu.js';
import type { Store } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { capFor, checkUse, country, parseAccountId, type AccountRef } from './accounts.js';
import { big, fromMilli, toPositiveMilli, tpp } from './amount.js';
import { accountShape, ensureAccount, type MovementResult } from './balances.js';
import { LedgerError } from './errors.js';
import { capError, move } from './move.js';
import { once } from './once.js';
import { checkActor, checkDate, checkKey, iso, refOf, storable, type Actor } from './request.js';

export interface DrawRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
  /** UVEU: where the UVEU is headquartered (decides which para. 6 limits apply). */
  headquarters?: string;
}

/**
 * Check and use in one step: the cap (or, for a UVEU, the Supp. 10 para. 6 shares of the whole
 * group) is re-checked inside the transaction. Used for shipments committed by `check --commit`
 * and for NVEU/UVEU installations.
 */
export async function draw(store: Store, req: DrawRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  // The rule reads Hong Kong as China: record and check the country it reads.
  const headquarters = req.headquarters === undefined ? undefined : countryOn(country(req.headquarters, 'headquarters'), onDate).code;
  checkUse(ref, onDate, req.date !== undefined);
  const key = checkKey(req.idempotencyKey);
  const cap = capFor(ref, onDate);
  const id = await ensureAccount(store, ref, cap);
  const request = { kind: 'draw', account: id, tpp: tpp(amount), date: onDate, headquarters: headquarters ?? null, ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'draw', request, async (trx) => {
    let uveu: MovementResult['uveu'];
    if (ref.kind === 'uveu') uveu = await uveuGate(trx, ref, amount, onDate, headquarters, actor, at);
    const row = await move(trx, { accountId: id, kind: 'draw', usedDelta: amount, reservedDelta: 0n, cap: cap.milli, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw await capError(trx, id, amount, cap.milli!);
    return { account: id, kind: 'draw', amountTpp: tpp(amount), onDate, ...(uveu ? { uveu } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

/**
 * UVEU: lock the group (every account of this UVEU, via its group row), add the installation to
 * the group's installed base, and refuse it if it would breach the 25 % or 7 % limits or put chips
 * in Macau/D:5. The 50 % rule for U.S.-headquartered UVEUs is measured on the reporting dates, so
 * it is reported, not enforced, here.
 */
async function uveuGate(trx: Kysely<Database>, ref: Extract<AccountRef, { kind: 'uveu' }>, amount: bigint, onDate: string, given: string | undefined, actor: string, at: string): Promise<ReturnType<typeof uveuCheck>> {
  const prefix = `uveu:${encodeURIComponent(ref.veu)}:`;
  // The group row: a lock every installation of this UVEU takes first, so two installations in
  // two new countries cannot each pass the check against a base that lacks the other.
  const groupId = `${prefix}*`;
  await trx.insertInto('ledger_accounts').values({ id: groupId, kind: 'uveu_group', key: ref.veu, period: '', cap: null, used: 0n, reserved: 0n, created_at: iso(undefined) })
    .onConflict((oc) => oc.column('id').doNothing()).execute();
  await trx.updateTable('ledger_accounts').set({ used: sql`used` }).where('id', '=', groupId).execute();
  const headquarters = await uveuHeadquarters(trx, ref.veu, given, actor, at);
  const rows = await trx.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).where('kind', '=', 'uveu').where('id', 'like', `${prefix.replace(/[%_\\]/g, '\\$&')}%`).execute();
  const installed: Record<string, string> = {};
  for (const r of rows) {
    const c = parseAccountId(r.id);
    if (c.kind === 'uveu') installed[c.country] = formatExact(fromMilli(big(r.used) + big(r.reserved)));
  }
  const check = uveuCheck({ headquarters, installedByCountry: installed, proposed: { country: ref.country, tpp: formatExact(fromMilli(amount)) }, date: onDate });
  const breached = (['outsideSupp5a', 'singleCountry', 'excludedLocations'] as const).filter((k) => check.limits[k].status === 'not_met');
  if (breached.length) {
    throw new LedgerError('uveu_limit', `UVEU limit exceeded: ${breached.map((k) => `${check.limits[k].detail} (${check.limits[k].citation})`).join(' ')}`);
  }
  return check;
}

/**
 * The UVEU's headquarters (a checked country code): recorded with its first installation (under
 * the group lock), then fixed. A later installation may omit it; one naming another is refused.
 */
async function uveuHeadquarters(trx: Kysely<Database>, veu: string, wanted: string | undefined, actor: string, at: string): Promise<string> {
  const row = await trx.selectFrom('uveu_profiles').select('headquarters').where('veu', '=', veu).executeTakeFirst();
  if (row) {
    if (wanted && wanted !== row.headquarters) throw new InputError('headquarters', `UVEU ${veu} is recorded as headquartered in ${row.headquarters} (with its first installation); the Supp. 10 para. 6 limits are checked against that, not ${wanted}`);
    return row.headquarters;
  }
  if (!wanted) throw new InputError('headquarters', 'a UVEU\'s first installation needs its headquarters country (Supp. 10 para. 6 limits depend on it); it is recorded for the later ones');
  await trx.insertInto('uveu_profiles').values({ veu, headquarters: wanted, recorded_at: at, actor }).execute();
  return wanted;
}
