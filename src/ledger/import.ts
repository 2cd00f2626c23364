/**
 * Import opening balances and past facts (TPP received under LPP before aidr, NVEU and UVEU
 * installed bases, licenses already granted) in ONE transaction: all entries or none.
 *
 * An installed base is held to the same rules as a draw: no NVEU balance over Table 1 for the
 * entry's date (748.15(a)(2)(iii)(B)), no NVEU or UVEU chips in Macau or D:5, no UVEU
 * headquartered (or with its ultimate parent) there, and no UVEU group over the Supp. 10 para. 6
 * limits once every entry is in. A breach refuses the whole file, naming the entry.
 */
import type { NumLike } from '../compute/exact.js';
import { InputError } from '../engine/context.js';
import { canonicalJson, sha256 } from '../store/canonical.js';
import { transaction, type Store } from '../store/open.js';
import { accountId, checkUse, parseAccountId, type AccountRef, type Cap } from './accounts.js';
import { capOn } from './allocation.js';
import { toPositiveMilli, tpp } from './amount.js';
import { ensureAccount } from './balances.js';
import { CapExceededError, LedgerError } from './errors.js';
import { checkSameRequest } from './once.js';
import { move } from './move.js';
import { checkActor, checkDate, checkKey, checkReadings, iso, type Actor } from './request.js';
import { breaches, givenCodes, groupCheck, installedBase, limitError, lockGroup, profileOf, type UveuGiven } from './uveu-group.js';

export interface ImportEntry {
  account: string;
  tpp: NumLike;
  date?: string;
  ref?: string;
  idempotencyKey?: string;
  /** UVEU entries: where the UVEU is headquartered (needed unless already recorded). */
  headquarters?: string;
  /** UVEU entries: where its ultimate parent is headquartered. */
  ultimateParentHeadquarters?: string;
}

export interface ImportResult { imported: number; skipped: number; accounts: string[]; warnings?: string[] }

/** Re-raise an error with the entry's path in front of its field. */
function at(p: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${p}.${err.path}`, err.message.slice(err.path.length + 2));
    throw err;
  }
}

/**
 * Each entry is done at most once: its idempotency key is the one given, else a hash of the entry,
 * so importing the same file twice changes nothing (give distinct `ref`s to two entries that are
 * really two events).
 */
export async function importEntries(store: Store, entries: ImportEntry[], who: Actor & { interpretations?: Record<string, string> }): Promise<ImportResult> {
  const actor = checkActor(who.actor);
  const readings = checkReadings(who.interpretations);
  const stamp = iso(who.now);
  const prepared = await Promise.all(entries.map(async (e, i) => {
    const p = `[${i}]`;
    const ref = parseAccountId(e.account, `${p}.account`);
    const amount = toPositiveMilli(e.tpp, `${p}.tpp`);
    const onDate = checkDate(e.date, `${p}.date`);
    let given: UveuGiven = {};
    at(p, () => {
      checkUse(ref, onDate, e.date !== undefined);
      if (ref.kind !== 'uveu' && (e.headquarters !== undefined || e.ultimateParentHeadquarters !== undefined)) throw new InputError(e.headquarters !== undefined ? 'headquarters' : 'ultimateParentHeadquarters', 'headquarters are recorded only for UVEU accounts');
      given = givenCodes(e, onDate);
    });
    let cap: Cap = { milli: null, citation: '' };
    try {
      // NVEU: the Table 1 figure of the entry's date, checked as a draw would be; others: recorded facts.
      cap = await capOn(store, ref, onDate, readings);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${p}.${err.path}`, err.message.slice(err.path.length + 2));
      throw err;
    }
    const id = accountId(ref);
    const request = { kind: 'import', account: id, tpp: tpp(amount), date: onDate, ref: e.ref ?? null };
    // The hash (and the default key) keep their first form, so a file imported before still counts once.
    const hash = sha256(canonicalJson({ op: 'import', account: id, amount: amount.toString(), onDate, ref: e.ref ?? null }));
    const key = checkKey(e.idempotencyKey) ?? `import:${hash}`;
    return { i, ref, id, amount, onDate, request, hash, key, note: e.ref ?? null, cap, given };
  }));
  for (const p of prepared) await ensureAccount(store, p.ref, p.cap);
  const uveus = [...new Set(prepared.flatMap((p) => (p.ref.kind === 'uveu' ? [p.ref.veu] : [])))].sort();
  return transaction(store, async (trx) => {
    // Lock every UVEU group the file touches first, in a fixed order.
    for (const veu of uveus) await lockGroup(trx, veu);
    let imported = 0, skipped = 0;
    for (const p of prepared) {
      const prior = await trx.selectFrom('ledger_idempotency').select(['request_hash', 'scope', 'request']).where('key', '=', p.key).executeTakeFirst();
      if (prior) {
        checkSameRequest(p.key, prior, 'import', p.request, p.hash);
        skipped++;
        continue;
      }
      const row = await move(trx, { accountId: p.id, kind: 'import', usedDelta: p.amount, reservedDelta: 0n, onDate: p.onDate, at: stamp, actor, ref: p.note });
      if (!row) throw new LedgerError('not_found', `no account ${p.id}`);
      if (p.ref.kind === 'nveu' && p.cap.milli !== null && row.used + row.reserved > p.cap.milli) {
        const left = p.cap.milli - (row.used + row.reserved - p.amount);
        throw new CapExceededError(p.id, tpp(p.amount), tpp(left > 0n ? left : 0n), tpp(p.cap.milli), `import entry [${p.i}], ${p.cap.note ?? ''} of ${p.cap.citation}; nothing was imported`);
      }
      await trx.insertInto('ledger_idempotency').values({ key: p.key, scope: 'import', request_hash: p.hash, request: canonicalJson(p.request), result: JSON.stringify({ account: p.id, amountTpp: tpp(p.amount) }), created_at: stamp }).execute();
      imported++;
    }
    // Each UVEU group, once every entry is in: measured as a draw would be on the last entry's date.
    for (const veu of uveus) {
      const mine = prepared.filter((p) => p.ref.kind === 'uveu' && (p.ref as Extract<AccountRef, { kind: 'uveu' }>).veu === veu);
      const first = mine.find((p) => p.given.headquarters) ?? mine[0]!;
      const given = { ...mine.find((p) => p.given.headquarters)?.given, ...mine.find((p) => p.given.ultimateParentHeadquarters)?.given };
      const date = mine.map((p) => p.onDate).sort().at(-1)!;
      const profile = await profileOf(trx, veu, given, date, actor, stamp, `[${first.i}]`);
      const check = groupCheck(await installedBase(trx, veu), profile, undefined, date, readings);
      if (breaches(check).length) throw limitError(check, `import refused (entries ${mine.map((p) => `[${p.i}]`).join(', ')}; nothing was imported): UVEU ${veu} would be over its limits on ${date}`);
    }
    return { imported, skipped, accounts: [...new Set(prepared.map((p) => p.id))] };
  });
}
