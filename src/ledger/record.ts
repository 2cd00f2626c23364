/**
 * Facts that already happened and cannot be refused (licenses granted, TPP received before aidr,
 * installed bases), and attrition.
 *
 * A license for an end user headquartered (or with its ultimate parent headquartered) in a Supp.
 * 5(a) country is reviewed under the presumption of approval of 742.6(b)(10)(iii)(A)(2) and draws
 * no country allocation (INT-14 approval, INT-9): it is kept on the allocation's history with no
 * amount. Attrition leaves NVEU and UVEU installed bases (748.15(a)(2)(iii)(B); Supp. 10 para.
 * 10(b)); whether it leaves a country allocation is INT-40 (by default it does not).
 */
import { sql } from 'kysely';
import type { NumLike } from '../compute/exact.js';
import { countryOn } from '../data/country-groups.js';
import { InputError } from '../engine/context.js';
import type { Store } from '../store/open.js';
import { accountId, checkUse, country, type AccountRef } from './accounts.js';
import { capOn } from './allocation.js';
import { big, toPositiveMilli, tpp } from './amount.js';
import { accountShape, ensureAccount, type MovementResult } from './balances.js';
import { LedgerError } from './errors.js';
import { move } from './move.js';
import { once } from './once.js';
import { checkActor, checkDate, checkKey, checkReadings, iso, refOf, storable, type Actor } from './request.js';
import { breaches, groupCheck, installedBase, lockGroup } from './uveu-group.js';

export interface RecordRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
  /** Country allocation: where the licensed end user is headquartered. */
  endUserHeadquarters?: string;
  /** Country allocation: where the licensed end user's ultimate parent is headquartered. */
  endUserParentHeadquarters?: string;
  /** Interpretation readings (INT-14 for a license, INT-38/INT-40 for attrition). */
  interpretations?: Record<string, string>;
}

const CITE_A2 = '15 CFR 742.6(b)(10)(iii)(A)(2)';

/**
 * Record a fact that already happened and cannot be refused: a license BIS granted (country
 * allocation), TPP received before aidr kept the ledger (LPP, AIA). No cap check; the result says
 * when the account is over its cap. An NVEU or UVEU installed base is not a fact to record here:
 * draw, transfer and import check it against Table 1 and Supp. 10 para. 6.
 */
export async function recordFact(store: Store, req: RecordRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  if (ref.kind === 'nveu' || ref.kind === 'uveu') throw new InputError('account', `an ${ref.kind.toUpperCase()} installed base is recorded with draw, transfer or import, which check it against ${ref.kind === 'nveu' ? 'Table 1 (748.15(a)(2)(iii)(B))' : 'Supp. 10 para. 6'}`);
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  const readings = checkReadings(req.interpretations);
  const kind = 'record';
  checkUse(ref, onDate, req.date !== undefined);
  const endUser = endUserOf(req, ref, onDate);
  // INT-14 (default approval): a Supp. 5(a)-headquartered end user's license is reviewed under (A)(2) and draws nothing.
  const counted = !(endUser?.supp5a && (readings['INT-14'] ?? 'approval') === 'approval');
  const cap = await capOn(store, ref, onDate, readings);
  const id = await ensureAccount(store, ref, cap);
  const request = { kind, account: id, tpp: tpp(amount), date: onDate, ref: req.ref ?? null, ...(endUser ? { endUser: endUser.given } : {}) };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, kind, request, async (trx) => {
    const row = await move(trx, { accountId: id, kind: counted ? kind : 'record_not_counted', usedDelta: counted ? amount : 0n, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw new LedgerError('not_found', `no account ${id}`);
    const over = cap.milli !== null && row.used + row.reserved > cap.milli;
    const warnings = counted ? [] : [`The licensed end user is headquartered${endUser!.viaParent ? ', through its ultimate parent,' : ''} in a Supp. 5(a) country: the license is reviewed under the presumption of approval (${CITE_A2}; INT-14) and draws no country allocation (INT-9). It is kept on the account's history with no amount.`];
    return { account: id, kind: counted ? kind : 'record_not_counted', amountTpp: tpp(counted ? amount : 0n), onDate, ...(over ? { overCap: true } : {}), ...(warnings.length ? { counted: false, warnings } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id, onDate) };
}

/** The licensed end user's headquarters (a country allocation only), and whether it or its parent is in Supp. 5(a). */
function endUserOf(req: RecordRequest, ref: AccountRef, date: string): { supp5a: boolean; viaParent: boolean; given: string[] } | undefined {
  if (req.endUserHeadquarters === undefined && req.endUserParentHeadquarters === undefined) return undefined;
  if (ref.kind !== 'country_allocation') throw new InputError(req.endUserHeadquarters !== undefined ? 'endUserHeadquarters' : 'endUserParentHeadquarters', 'the end user\'s headquarters matter only to a license recorded against a country allocation');
  const hq = req.endUserHeadquarters === undefined ? undefined : countryOn(country(req.endUserHeadquarters, 'endUserHeadquarters'), date);
  const uph = req.endUserParentHeadquarters === undefined ? undefined : countryOn(country(req.endUserParentHeadquarters, 'endUserParentHeadquarters'), date);
  return { supp5a: Boolean(hq?.supp5a || uph?.supp5a), viaParent: !hq?.supp5a && Boolean(uph?.supp5a), given: [hq?.code ?? '', uph?.code ?? ''] };
}

/**
 * Attrition (loss, damage, failure, relocation, resale): chips that no longer count toward an NVEU
 * or UVEU installed base, or (INT-40 leaves) toward a country allocation. For a UVEU the group is
 * measured again after it (INT-38 every_change): a breach is recorded (a loss cannot be refused)
 * and reported in `warnings` for the UVEU to rebalance.
 */
export async function retire(store: Store, req: RecordRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  const readings = checkReadings(req.interpretations);
  if (ref.kind === 'country_allocation' && readings['INT-40'] !== 'leaves') {
    throw new InputError('account', 'attrition does not leave a country allocation under INT-40 stays (742.6(b)(10)(iii)(B)(1) counts the TPP licensed to the destination cumulatively); with INT-40=leaves it does (the preamble)');
  }
  if (ref.kind !== 'nveu' && ref.kind !== 'uveu' && ref.kind !== 'country_allocation') throw new InputError('account', 'only NVEU and UVEU installed bases have attrition (748.15(a)(2)(iii)(B); Supp. 10 para. 10), and a country allocation under INT-40=leaves');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  if (ref.kind !== 'country_allocation') checkUse(ref, onDate, req.date !== undefined);
  const id = accountId(ref);
  const request = { kind: 'retire', account: id, tpp: tpp(amount), date: onDate, ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'retire', request, async (trx) => {
    if (ref.kind === 'uveu') await lockGroup(trx, ref.veu);
    // Lock the row before reading it: two retirements at once cannot both pass the check below.
    await trx.updateTable('ledger_accounts').set({ used: sql`used` }).where('id', '=', id).execute();
    const a = await trx.selectFrom('ledger_accounts').select('used').where('id', '=', id).executeTakeFirst();
    if (!a) throw new LedgerError('not_found', `no account ${id}`);
    if (big(a.used) < amount) throw new InputError('tpp', `more than the installed base of ${tpp(big(a.used))} TPP`);
    await move(trx, { accountId: id, kind: 'retire', usedDelta: -amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    const out: Omit<MovementResult, 'replayed' | 'balance'> = { account: id, kind: 'retire', amountTpp: tpp(amount), onDate };
    if (ref.kind === 'uveu') Object.assign(out, await afterAttrition(trx, ref.veu, onDate, readings));
    if (ref.kind === 'country_allocation') out.warnings = ['INT-40 leaves: chips lost to attrition no longer count toward the country allocation (the preamble; the text counts licensed TPP cumulatively).'];
    return out;
  });
  return { ...result, replayed, balance: await accountShape(store, id, onDate) };
}

/** INT-38: the UVEU group measured after attrition; a breach is reported, not refused. */
async function afterAttrition(trx: Parameters<typeof installedBase>[0], veu: string, date: string, readings: Readonly<Record<string, string>>): Promise<Pick<MovementResult, 'uveu' | 'warnings'>> {
  const row = await trx.selectFrom('uveu_profiles').selectAll().where('veu', '=', veu).executeTakeFirst();
  if (!row) return { warnings: [`UVEU ${veu} has no recorded headquarters: the Supp. 10 para. 6 limits were not measured after this attrition.`] };
  const check = groupCheck(await installedBase(trx, veu), { headquarters: row.headquarters, ultimateParentHeadquarters: row.ultimate_parent_headquarters }, undefined, date, readings);
  const over = breaches(check);
  if ((readings['INT-38'] ?? 'every_change') === 'transfers_and_installations') {
    return { uveu: check, warnings: over.length ? [`INT-38 transfers_and_installations: attrition raises no breach, though the group is now over ${over.join(', ')}; the next installation is measured on the reduced base.`] : [] };
  }
  return { uveu: check, warnings: over.map((k) => `After this attrition the UVEU is over a Supp. 10 para. 6 limit (INT-38 every_change): ${check.limits[k].detail} Rebalance before installing more outside Supp. 5(a).`) };
}
