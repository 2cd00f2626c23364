/**
 * Facts that already happened and cannot be refused (licenses granted, TPP received before aidr,
 * installed bases), attrition, and bulk import of opening balances in one transaction.
 */
import type { NumLike } from '../compute/exact.js';
import { ALLOCATION } from '../data/parameters.js';
import { InputError } from '../engine/context.js';
import { canonicalJson, sha256 } from '../store/canonical.js';
import { transaction, type Store } from '../store/open.js';
import { accountId, capFor, checkUse, parseAccountId, type AccountRef, type Cap } from './accounts.js';
import { big, toPositiveMilli, tpp } from './amount.js';
import { accountShape, ensureAccount, type MovementResult } from './balances.js';
import { LedgerError } from './errors.js';
import { move } from './move.js';
import { checkSameRequest, once } from './once.js';
import { checkActor, checkDate, checkKey, iso, refOf, storable, type Actor } from './request.js';

export interface RecordRequest extends Actor {
  account: AccountRef | string;
  tpp: NumLike;
  date?: string;
  idempotencyKey?: string;
  ref?: string;
}

/**
 * Record a fact that already happened and cannot be refused: a license BIS granted (country
 * allocation), TPP received before aidr kept the ledger, an installed base (kind `import`).
 * No cap check; the result says when the account is over its cap.
 */
export async function recordFact(store: Store, req: RecordRequest & { kind?: 'record' | 'import' }): Promise<MovementResult> {
  const ref = refOf(req.account);
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  if (ref.kind === 'country_allocation') {
    const { from, to } = ALLOCATION.period;
    if (onDate < from || onDate > to) throw new InputError('date', `the country allocation covers licenses dated ${from} to ${to} (INT-9)`);
  }
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  const kind = req.kind ?? 'record';
  checkUse(ref, onDate, req.date !== undefined);
  const cap = ref.kind === 'nveu' ? safeCap(ref, onDate) : capFor(ref, onDate);
  const id = await ensureAccount(store, ref, cap);
  const request = { kind, account: id, tpp: tpp(amount), date: onDate, ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, kind, request, async (trx) => {
    const row = await move(trx, { accountId: id, kind, usedDelta: amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    if (!row) throw new LedgerError('not_found', `no account ${id}`);
    const over = cap.milli !== null && row.used + row.reserved > cap.milli;
    return { account: id, kind, amountTpp: tpp(amount), onDate, ...(over ? { overCap: true } : {}) };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

function safeCap(ref: AccountRef, date: string): Cap {
  try {
    return capFor(ref, date);
  } catch {
    return { milli: null, citation: '' };
  }
}

/** Attrition (loss, damage, failure, relocation, resale): chips that no longer count toward an NVEU or UVEU installed base. */
export async function retire(store: Store, req: RecordRequest): Promise<MovementResult> {
  const ref = refOf(req.account);
  if (ref.kind !== 'nveu' && ref.kind !== 'uveu') throw new InputError('account', 'only NVEU and UVEU installed bases have attrition (748.15(a)(2)(iii)(B); Supp. 10 para. 10)');
  const amount = toPositiveMilli(req.tpp, 'tpp');
  const onDate = checkDate(req.date);
  const actor = checkActor(req.actor);
  storable(req.ref, 'ref');
  const key = checkKey(req.idempotencyKey);
  const id = accountId(ref);
  const request = { kind: 'retire', account: id, tpp: tpp(amount), date: onDate, ref: req.ref ?? null };
  const at = iso(req.now);
  const { result, replayed } = await once(store, key, 'retire', request, async (trx) => {
    const a = await trx.selectFrom('ledger_accounts').select('used').where('id', '=', id).executeTakeFirst();
    if (!a) throw new LedgerError('not_found', `no account ${id}`);
    if (big(a.used) < amount) throw new InputError('tpp', `more than the installed base of ${tpp(big(a.used))} TPP`);
    await move(trx, { accountId: id, kind: 'retire', usedDelta: -amount, reservedDelta: 0n, onDate, at, actor, ref: req.ref ?? null });
    return { account: id, kind: 'retire', amountTpp: tpp(amount), onDate };
  });
  return { ...result, replayed, balance: await accountShape(store, id) };
}

export interface ImportEntry {
  account: string;
  tpp: NumLike;
  date?: string;
  ref?: string;
  idempotencyKey?: string;
}

/**
 * Import opening balances and past facts (TPP received under LPP before aidr, an NVEU's installed
 * base, licenses already granted) in ONE transaction: all entries or none. Each entry is done at
 * most once: its idempotency key is the one given, else a hash of the entry, so importing the same
 * file twice changes nothing (give distinct `ref`s to two entries that are really two events).
 */
export async function importEntries(store: Store, entries: ImportEntry[], who: Actor): Promise<{ imported: number; skipped: number; accounts: string[] }> {
  const actor = checkActor(who.actor);
  const at = iso(who.now);
  const prepared = entries.map((e, i) => {
    const p = `[${i}]`;
    const ref = parseAccountId(e.account, `${p}.account`);
    const amount = toPositiveMilli(e.tpp, `${p}.tpp`);
    const onDate = checkDate(e.date, `${p}.date`);
    if (ref.kind === 'country_allocation' && (onDate < ALLOCATION.period.from || onDate > ALLOCATION.period.to)) {
      throw new InputError(`${p}.date`, `the country allocation covers licenses dated ${ALLOCATION.period.from} to ${ALLOCATION.period.to} (INT-9)`);
    }
    try {
      checkUse(ref, onDate, e.date !== undefined);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${p}.${err.path}`, err.message.slice(err.path.length + 2));
      throw err;
    }
    const id = accountId(ref);
    const request = { kind: 'import', account: id, tpp: tpp(amount), date: onDate, ref: e.ref ?? null };
    // The hash (and the default key) keep their first form, so a file imported before still counts once.
    const hash = sha256(canonicalJson({ op: 'import', account: id, amount: amount.toString(), onDate, ref: e.ref ?? null }));
    const key = checkKey(e.idempotencyKey) ?? `import:${hash}`;
    return { ref, id, amount, onDate, request, hash, key, note: e.ref ?? null, cap: ref.kind === 'nveu' ? safeCap(ref, onDate) : capFor(ref, onDate) };
  });
  for (const p of prepared) await ensureAccount(store, p.ref, p.cap);
  return transaction(store, async (trx) => {
    let imported = 0, skipped = 0;
    for (const p of prepared) {
      const prior = await trx.selectFrom('ledger_idempotency').select(['request_hash', 'scope', 'request']).where('key', '=', p.key).executeTakeFirst();
      if (prior) {
        checkSameRequest(p.key, prior, 'import', p.request, p.hash);
        skipped++;
        continue;
      }
      await move(trx, { accountId: p.id, kind: 'import', usedDelta: p.amount, reservedDelta: 0n, onDate: p.onDate, at, actor, ref: p.note });
      await trx.insertInto('ledger_idempotency').values({ key: p.key, scope: 'import', request_hash: p.hash, request: canonicalJson(p.request), result: JSON.stringify({ account: p.id, amountTpp: tpp(p.amount) }), created_at: at }).execute();
      imported++;
    }
    return { imported, skipped, accounts: [...new Set(prepared.map((p) => p.id))] };
  });
}
