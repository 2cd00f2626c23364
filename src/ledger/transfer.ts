/**
 * Transfer: installed TPP moved from one country to another by the same Data Center VEU, checked
 * and recorded as one act (both movements or neither).
 *
 * - UVEU (Supp. 10 para. 5, 6): the group after the move must keep the para. 6 limits (the 25 %
 *   and 7 % shares; the 50 % share on a reporting date) and no chips may go to Macau or D:5; the
 *   UVEU notifies BIS 60 days before moving chips between countries (para. 5), which the result
 *   repeats as a notice.
 * - NVEU (748.15(d)(2)(iii), (a)(2)(iii)(B)): each country is its own authorization, so the
 *   receiving country's installed base must fit its Table 1 figure for the date; a transfer to
 *   Macau or D:5 is refused like any NVEU movement there.
 */
import { sql } from 'kysely';
import type { NumLike } from '../compute/exact.js';
import { P } from '../data/parameters.js';
import { InputError } from '../engine/context.js';
import type { Store } from '../store/open.js';
import { accountId, checkUse, type AccountRef } from './accounts.js';
import { capOn } from './allocation.js';
import { big, toPositiveMilli, tpp } from './amount.js';
import { accountShape, ensureAccount, type AccountState } from './balances.js';
import { LedgerError } from './errors.js';
import { capError, move } from './move.js';
import { once } from './once.js';
import { checkActor, checkDate, checkKey, checkReadings, iso, refOf, storable, type Actor } from './request.js';
import { breaches, givenCodes, groupCheck, installedBase, limitError, lockGroup, profileOf, uveuWarnings } from './uveu-group.js';
import type { UveuCheck } from '../law/part748/supp10-para6-uveu.js';

export interface TransferRequest extends Actor {
  from: AccountRef | string;
  to: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
  /** UVEU: the headquarters, as for a draw (needed when none is recorded yet). */
  headquarters?: string;
  ultimateParentHeadquarters?: string;
  interpretations?: Record<string, string>;
}

export interface TransferResult {
  from: string;
  to: string;
  amountTpp: string;
  onDate: string;
  replayed: boolean;
  balances: { from: AccountState; to: AccountState };
  /** UVEU: the Supp. 10 para. 6 check of the group after the transfer. */
  uveu?: UveuCheck;
  /** What must be done because of it (the UVEU's 60-day notice to BIS). */
  notices: string[];
  warnings: string[];
}

type VeuRef = Extract<AccountRef, { kind: 'nveu' | 'uveu' }>;

export async function transfer(store: Store, req: TransferRequest): Promise<TransferResult> {
  const src = refOf(req.from);
  const dst = refOf(req.to);
  if (src.kind !== 'nveu' && src.kind !== 'uveu') throw new InputError('from', 'a transfer moves installed TPP between the countries of one NVEU or UVEU (nveu:VEU:CC or uveu:VEU:CC)');
  if (dst.kind !== src.kind || (dst as VeuRef).veu !== src.veu) throw new InputError('to', `a transfer stays within one ${src.kind.toUpperCase()}: ${src.kind}:${encodeURIComponent(src.veu)}:CC (another VEU, or the other kind, needs its own authorization)`);
  if (dst.country === src.country) throw new InputError('to', 'a transfer moves chips between two countries; this is the same account');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const readings = checkReadings(req.interpretations);
  const given = givenCodes(req, onDate);
  checkUse(src, onDate, req.date !== undefined);
  checkUse(dst, onDate, req.date !== undefined);
  const key = checkKey(req.idempotencyKey);
  const fromId = accountId(src);
  const cap = await capOn(store, dst, onDate, readings);
  const toId = await ensureAccount(store, dst, cap);
  const request = { kind: 'transfer', from: fromId, to: toId, tpp: tpp(amount), date: onDate, headquarters: given.headquarters ?? null, ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'transfer', request, async (trx) => {
    let uveu: UveuCheck | undefined;
    if (src.kind === 'uveu') await lockGroup(trx, src.veu);
    // Lock the source row before reading it: a concurrent retire cannot take the chips from under the check.
    await trx.updateTable('ledger_accounts').set({ used: sql`used` }).where('id', '=', fromId).execute();
    const a = await trx.selectFrom('ledger_accounts').select('used').where('id', '=', fromId).executeTakeFirst();
    if (!a) throw new LedgerError('not_found', `no account ${fromId}`);
    if (big(a.used) < amount) throw new InputError('tpp', `more than the ${tpp(big(a.used))} TPP installed in ${src.country}`);
    if (src.kind === 'uveu') {
      const profile = await profileOf(trx, src.veu, given, onDate, actor, at);
      const installed = await installedBase(trx, src.veu);
      // UVEU accounts are never reserved (reserve refuses them): the source's base is its used TPP.
      installed[src.country] = tpp(big(a.used) - amount);
      uveu = groupCheck(installed, profile, { country: dst.country, tpp: tpp(amount) }, onDate, readings);
      if (breaches(uveu).length) throw limitError(uveu, `transfer refused (nothing moved): UVEU limit exceeded after moving ${tpp(amount)} TPP from ${src.country} to ${dst.country}`);
    }
    const out = { accountId: fromId, kind: 'transfer_out', usedDelta: -amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? `to ${toId}` };
    await move(trx, out);
    const row = await move(trx, { accountId: toId, kind: 'transfer_in', usedDelta: amount, reservedDelta: 0n, cap: cap.milli, onDate, at, actor, ref: req.ref ?? `from ${fromId}` });
    if (!row) throw await capError(trx, toId, amount, cap.milli!);
    const notices = src.kind === 'uveu'
      ? [`Notify BIS ${P.uveu.intraCompanyTransferNoticeDays.value} days before moving chips between countries (${P.uveu.intraCompanyTransferNoticeDays.citation}); ${P.uveu.newLocationNoticeDays.value} days before exports to a new data center location (${P.uveu.newLocationNoticeDays.citation}).`]
      : [];
    return { from: fromId, to: toId, amountTpp: tpp(amount), onDate, ...(uveu ? { uveu } : {}), notices, warnings: uveu ? uveuWarnings(uveu) : [] };
  });
  return { ...result, replayed, balances: { from: await accountShape(store, fromId, onDate), to: await accountShape(store, toId, onDate) } };
}
