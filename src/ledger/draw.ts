/**
 * Draw: check and use in one step (shipments committed by `check --commit`, NVEU and UVEU
 * installations), with a UVEU's Supp. 10 para. 6 shares re-checked for the whole group.
 */
import type { NumLike } from '../compute/exact.js';
import type { Store } from '../store/open.js';
import { accountId, checkUse, type AccountRef } from './accounts.js';
import { capOn } from './allocation.js';
import { toPositiveMilli, tpp } from './amount.js';
import { accountShape, insertAccount, type MovementResult } from './balances.js';
import { capError, move } from './move.js';
import { once } from './once.js';
import { checkActor, checkDate, checkKey, checkReadings, iso, refOf, storable, type Actor } from './request.js';
import { breaches, givenCodes, groupCheck, installedBase, limitError, lockGroup, profileOf, uveuWarnings } from './uveu-group.js';

export interface DrawRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
  /** UVEU: where the UVEU is headquartered (decides which para. 6 limits apply); recorded with its first installation. */
  headquarters?: string;
  /** UVEU: where its ultimate parent is headquartered (Supp. 10 para. 13; INT-36). */
  ultimateParentHeadquarters?: string;
  /** Interpretation readings (INT-36 for a UVEU, INT-37 for a country allocation). */
  interpretations?: Record<string, string>;
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
  const readings = checkReadings(req.interpretations);
  // The rule reads Hong Kong as China: record and check the country it reads.
  const given = givenCodes(req, onDate);
  checkUse(ref, onDate, req.date !== undefined);
  const key = checkKey(req.idempotencyKey);
  const cap = await capOn(store, ref, onDate, readings);
  // Created in the draw's transaction: a refused draw (a cap, a UVEU limit, a missing profile) writes nothing.
  const id = accountId(ref);
  // What a retry with the same key must repeat (issue 10: one meaning per key).
  const request = { kind: 'draw', account: id, tpp: tpp(amount), date: onDate, headquarters: given.headquarters ?? null, ...(given.ultimateParentHeadquarters ? { parent: given.ultimateParentHeadquarters } : {}), ...(Object.keys(readings).length ? { readings } : {}), ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'draw', request, async (trx) => {
    await insertAccount(trx, ref, cap);
    let uveu: MovementResult['uveu'];
    if (ref.kind === 'uveu') {
      // Lock the group, then measure it with the installation added.
      await lockGroup(trx, ref.veu);
      const profile = await profileOf(trx, ref.veu, given, onDate, actor, at);
      uveu = groupCheck(await installedBase(trx, ref.veu), profile, { country: ref.country, tpp: tpp(amount) }, onDate, readings);
      if (breaches(uveu).length) throw limitError(uveu);
    }
    const row = await move(trx, { accountId: id, kind: 'draw', usedDelta: amount, reservedDelta: 0n, cap: cap.milli, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw await capError(trx, id, amount, cap.milli!);
    const warnings = uveu ? uveuWarnings(uveu) : [];
    return { account: id, kind: 'draw', amountTpp: tpp(amount), onDate, ...(uveu ? { uveu } : {}), ...(warnings.length ? { warnings } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id, onDate) };
}
