/**
 * The commit path (`aidr check --commit`, and the HTTP service's commit): determine a transaction
 * against the ledger view, pick the license exception to use, and in ONE database transaction
 * re-check the cap, draw the amounts and append the audit record.
 *
 * 1. The view is read without locks and the engine decides the draw outside the transaction (a
 *    lean determination: its findings are all the draw needs; no lock is held meanwhile).
 * 2. In the transaction (a group transaction shared with the commits that arrive together, each in
 *    its own savepoint: src/store/group.ts), the LPP draw is a conditional UPDATE (`used + reserved + amt <= cap`);
 *    if another commit took the room in between, nothing is written and the error says how much
 *    is left. The determination recorded is then made on the balances as locked (the exception
 *    must still be eligible on them), so the recorded output (e.g. the "LPP TPP Limit Reached"
 *    obligation) matches what was drawn.
 * 3. The audit record (input, options with the exact view used, output, ruleset version, effects)
 *    is appended in the same transaction: a crash leaves both or neither.
 *
 * Which exception draws on what: LPP draws on the ultimate consignee's annual LPP account for the
 * chosen INT-7 reading (capped) and tracks the other reading's account (uncapped, so that either
 * reading can be chosen later); AIA chips add to the consignee's cumulative AIA TPP (a reporting
 * trigger, not a cap); ACA, ACM and NAC draw on nothing. An outcome other than a license
 * exception is recorded in the audit log without a ledger movement. Country allocations are
 * drawn by licenses, which the user records (`aidr ledger record-license`), not by commits.
 */
import { randomUUID } from 'node:crypto';
import type { Determination, ExceptionCode } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { defaultReading } from '../data/interpretations.js';
import { InputError, type EvalOptions, type LedgerView } from '../engine/context.js';
import { determine, today } from '../engine/determine.js';
import { appendAudit, requireSigner } from '../store/audit.js';
import { canonicalJson, sha256 } from '../store/canonical.js';
import type { Store } from '../store/open.js';
import { groupCommit } from '../store/group.js';
import { capFor, type LppReading } from './accounts.js';
import { big, tpp } from './amount.js';
import { commitRequest, priorCommit } from './commit-request.js';
import { freshView, lppCapExceeded, noticesOf, planDraws, trackedDraws } from './commit-plan.js';
import { CapExceededError, LedgerError } from './errors.js';
import { ensureAccount } from './balances.js';
import { expireReservations } from './reserve.js';
import { changeBalance, recordMovement, type Move } from './move.js';
import { requestHash } from './once.js';
import { rememberRecordedText } from './recorded-text.js';
import { checkActor, checkKey, storable } from './request.js';
import { buildLedgerView, ledgerKeys, lppParentMissing, type BuiltView } from './view.js';

/** When several exceptions are eligible: those without a cap first, LPP (capped) last. */
export const EXCEPTION_PREFERENCE: readonly ExceptionCode[] = ['AIA', 'ACA', 'ACM', 'NAC', 'HBM', 'LPP'];

/**
 * The largest transaction a commit records (bytes of canonical JSON), unless the caller sets another. The audit record keeps
 * the input and the determination made of it, which repeats names and figures many times over:
 * a bound on the input bounds the record (docs/http.md, "Limits").
 */
export const MAX_RECORDED_INPUT = 64 * 1024;

export interface CommitOptions {
  actor: string;
  idempotencyKey?: string;
  /** Use this exception (it must be eligible); default: the first eligible in EXCEPTION_PREFERENCE. */
  exception?: ExceptionCode;
  now?: Date;
  /** The largest transaction recorded (bytes of canonical JSON; default MAX_RECORDED_INPUT). */
  maxRecordedInput?: number;
  /**
   * What the parties register filled in `tx` (src/parties/fill.ts): given back in the commit's
   * warnings (the determination recorded stays the engine's own, so that a replay of the record
   * finds it identical; the record's input is the transaction as filled).
   */
  registerNotes?: readonly string[];
}

export interface CommitMovement {
  account: string;
  kind: 'draw' | 'track';
  amountTpp: string;
  usedTpp: string;
  capTpp: string | null;
  leftTpp: string | null;
}

export interface CommitResult {
  auditId: string;
  seq: number;
  hash: string;
  at: string;
  actor: string;
  /** The exception used, or null when the outcome is not a license exception (recorded only). */
  exception: ExceptionCode | null;
  movements: CommitMovement[];
  /** Obligations that this commit triggers and a person must act on (LPP TPP Limit Reached, AIA certification to BIS). */
  notices: string[];
  warnings: string[];
  replayed: boolean;
  determination: Determination;
}

export type Stored = Omit<CommitResult, 'replayed' | 'determination'>;

export async function commitTransaction(store: Store, tx: Transaction, opts: EvalOptions, c: CommitOptions): Promise<CommitResult> {
  if (opts.ledger !== undefined) throw new InputError('ledger', 'when committing, the ledger view comes from the store; do not pass one');
  checkActor(c.actor);
  checkKey(c.idempotencyKey);
  if (c.exception !== undefined && !EXCEPTION_PREFERENCE.includes(c.exception)) throw new InputError('exception', `one of ${EXCEPTION_PREFERENCE.join(', ')}`);
  storable(tx, ''); // paths relative to the transaction, like the engine's
  const input = canonicalJson(tx);
  const limit = c.maxRecordedInput ?? MAX_RECORDED_INPUT;
  const size = Buffer.byteLength(input);
  if (size > limit) throw new InputError('(root)', `too large to record: ${size} bytes of JSON; a committed transaction keeps at most ${limit}`);
  const signer = requireSigner(store);
  const asOf = opts.asOf ?? tx.date ?? today();
  // Pin the date: a replay years later must evaluate the same day.
  const options: EvalOptions = { ...stripUndefined(opts), asOf };
  const reading = (options.interpretations?.['INT-7'] ?? defaultReading('INT-7')) as LppReading;
  const readings = options.interpretations ?? {};
  // What a retry with the same key must repeat: the transaction, the options that decide the
  // answer and the exception (not the output's detail: OUTPUT_DETAIL).
  const request = commitRequest(sha256(input), options, c.exception);
  const hash = requestHash(request);
  const key = c.idempotencyKey;

  if (key) {
    const prior = await priorCommit(store, key, request, hash);
    if (prior) return prior;
  }

  // 1. View and findings, outside the transaction. The draw needs only the answer's findings
  // (outcome, exceptions, classification, allocation): a lean determination (no explanation, no
  // sensitivity analysis) gives them at a fifth of the cost of the full one. The determination
  // recorded is made in the transaction, on the balances as locked (step 3): under concurrent
  // commits on one account they have always moved by then, and a full determination made here
  // would be thrown away.
  const decide = (ledger: LedgerView) => determine(tx, { ...options, ledger });
  const alreadyLean = options.explain === false && options.sensitivity !== true;
  const findings = alreadyLean ? decide : (ledger: LedgerView) => determine(tx, { ...options, explain: false, sensitivity: false, ledger });
  let built = await buildLedgerView(store, tx, asOf, reading, undefined, readings);
  // A reservation past its expiry still counts in the account's `reserved` (and so in the cap check
  // of the draw) until something expires it: expire it now, then read again.
  if (built.stale.length > 0) {
    for (const accountId of built.stale) await expireReservations(store, { accountId });
    built = await buildLedgerView(store, tx, asOf, reading, undefined, readings);
  }
  let d = findings(built.view);
  if (d.allocation && d.allocation.country !== built.milli.country?.code) {
    built = await buildLedgerView(store, tx, asOf, reading, d.allocation.country, readings);
    d = findings(built.view);
  }
  const choose = (x: Determination) => chooseException(x, c.exception, (why) => lppCapExceeded(x, built, reading, why));
  let code: ExceptionCode | null;
  try {
    code = choose(d);
  } catch (e) {
    // Refused: in the words of the full determination (a lean one has no condition details).
    if (!alreadyLean) choose(decide(built.view));
    throw e;
  }
  if (code === 'LPP') {
    const missingParent = lppParentMissing(tx, built.keys, reading);
    if (missingParent) throw missingParent;
  }
  // Under the enforced regime the ledger still adds up what the rule as written draws (tracked, not capped).
  const drawing = drawingException(d, code);
  const tracked: string[] = [];
  const plan = drawing === code ? planDraws(d, code, built, reading) : trackedDraws(tx, d, drawing, built, reading, tracked);
  for (const p of plan) await ensureAccount(store, p.ref, capFor(p.ref, asOf));
  // A commit that draws on nothing locks nothing: its determination is made on the view as read.
  const unlocked = plan.length > 0 || alreadyLean ? d : decide(built.view);

  const auditId = randomUUID();
  const now = c.now ?? new Date();
  const at = now.toISOString();
  try {
    // 2-3 run in this process's next group transaction (src/store/group.ts): commits that arrive
    // together share one transaction and one flush, each in its own savepoint.
    const stored = await groupCommit(store, async (trx): Promise<Stored & { output: Determination }> => {
      if (key) {
        const row = await trx.selectFrom('ledger_idempotency').select(['request_hash']).where('key', '=', key).executeTakeFirst();
        if (row) throw new Replay();
      }
      // 2. Draws, in account-id order (a fixed lock order: no deadlock between two commits). The
      // balances change now; the movements are written after the audit record, naming its hash.
      const movements: CommitMovement[] = [];
      const moves: (Move & { uid: string })[] = [];
      const fresh = new Map<string, bigint>();
      for (const p of [...plan].sort((a, b) => a.id.localeCompare(b.id))) {
        const m = { accountId: p.id, kind: p.kind, usedDelta: p.amount, reservedDelta: 0n, cap: p.capped ? p.cap : null, onDate: asOf, at, actor: c.actor, auditId, ref: d.id ?? null, uid: randomUUID() };
        const row = await changeBalance(trx, m);
        moves.push(m);
        if (!row) {
          const a = await trx.selectFrom('ledger_accounts').select(['used', 'reserved']).where('id', '=', p.id).executeTakeFirst();
          const left = p.cap! - big(a?.used) - big(a?.reserved);
          throw new CapExceededError(p.id, tpp(p.amount), tpp(left > 0n ? left : 0n), tpp(p.cap!), `License Exception ${code}, ${p.citation}`);
        }
        fresh.set(p.id, row.used + row.reserved - p.amount - (p.otherYears ?? 0n));
        movements.push({ account: p.id, kind: p.kind, amountTpp: tpp(p.amount), usedTpp: tpp(row.used), capTpp: p.cap === null ? null : tpp(p.cap), leftTpp: p.cap === null ? null : tpp(p.cap - row.used - row.reserved) });
      }
      // 3. The determination recorded: on the balances as locked when the commit draws on them.
      let output = unlocked;
      let view = built.view;
      if (plan.length > 0) {
        const stale = plan.some((p) => fresh.get(p.id) !== p.viewed);
        if (stale) view = freshView(built.view, plan, fresh, reading);
        if (stale || !alreadyLean) output = decide(view);
        if (stale && code && output.exceptions.find((e) => e.code === code)?.status !== 'eligible') {
          throw new LedgerError('not_eligible', `License Exception ${code} is no longer eligible: another commit changed the ledger meanwhile; check again`);
        }
        if (stale && drawing !== code && drawingException(output, code) !== drawing) {
          throw new LedgerError('not_eligible', `the codified answer is no longer License Exception ${drawing}: another commit changed the ledger meanwhile; check again`);
        }
      }
      const notices = noticesOf(output, code);
      const warnings = [...(c.registerNotes ?? []), ...(drawing === 'LPP' && plan.length > 0 ? lppWarnings(built.keys, readings) : []), ...tracked];
      const rec = await appendAudit(trx, {
        id: auditId, at, actor: c.actor, kind: 'determination', input: tx, inputJson: input, options: { ...options, ledger: view }, output,
        rulesetVersion: output.ruleset.version, effects: { exception: code, movements: moves.map((m) => ({ account: m.accountId, kind: m.kind, amountMilli: m.usedDelta.toString(), uid: m.uid })) },
      }, signer);
      for (const m of moves) await recordMovement(trx, { ...m, auditHash: rec.hash });
      const result: Stored = { auditId, seq: rec.seq, hash: rec.hash, at, actor: c.actor, exception: code, movements, notices, warnings };
      if (key) await trx.insertInto('ledger_idempotency').values({ key, scope: 'commit', request_hash: hash, request: canonicalJson(request), result: JSON.stringify(result), created_at: at }).execute();
      return { ...result, output: rememberRecordedText(output, rec.output) };
    });
    const { output, ...rest } = stored;
    return { ...rest, replayed: false, determination: output };
  } catch (e) {
    // A request with this key was committed meanwhile (by a concurrent retry): whatever stopped
    // this attempt (the key's unique index, or the cap the first one used up), answer with that one.
    if (key) {
      const prior = await priorCommit(store, key, request, hash);
      if (prior) return prior;
    }
    throw e;
  }
}

class Replay extends Error {}

/** What an LPP commit assumed: the ultimate parent (INT-7) and whose cap it counts toward (740.29(a), INT-39). */
function lppWarnings(keys: BuiltView['keys'], readings: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const party = keys.lppParty === 'endUser' ? 'endUser' : 'consignee';
  if (keys.parentAssumed) out.push(`${party}.ultimateParentId is not given: the ${party === 'endUser' ? 'end user' : 'consignee'} is taken as its own ultimate parent for the LPP cap (INT-7); give the parent's id if it has one.`);
  if (keys.operatorOption) {
    out.push(keys.lppParty === 'endUser'
      ? 'INT-39 operator: the Supp. 5(a)-headquartered consignee applies this shipment\'s TPP toward the cap of the end user that will operate the items (740.29(a), second sentence); the consignee\'s own cap is not drawn.'
      : `INT-39 ${readings['INT-39'] ?? 'consignee'}: the shipment counts toward the consignee's own cap; 740.29(a) lets a Supp. 5(a)-headquartered consignee apply it to the operating end user's cap instead (choose INT-39=operator).`);
  }
  return out;
}


function stripUndefined(o: EvalOptions): EvalOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as EvalOptions;
}

/**
 * Before a batch commits anything, find input that would stop it partway (a string the store
 * cannot keep, an LPP or AIA shipment whose consignee the ledger cannot key): a batch is refused
 * whole rather than half written.
 * The exceptions are judged on an empty ledger view; the commit itself decides again on the store.
 */
export function preflightCommits(txs: readonly Transaction[], opts: EvalOptions, wanted: ExceptionCode | undefined): void {
  txs.forEach((tx, i) => {
    storable(tx, txs.length > 1 ? `[${i}]` : '');
    const d = determine(tx, { ...opts, explain: false, sensitivity: false });
    const eligible = (code: ExceptionCode) => d.exceptions.find((e) => e.code === code)?.status === 'eligible';
    const drawing = (['LPP', 'AIA'] as const).filter((code) => (wanted ? wanted === code : eligible(code)) && !(code === 'AIA' && d.classification.eccn === '4E091'));
    const keys = ledgerKeys(tx, d.ruleset.asOf, opts.interpretations ?? {});
    if (drawing.length > 0 && !keys.lpp) {
      throw new InputError(txs.length > 1 ? `[${i}].consignee.id` : 'consignee.id', `License Exception ${drawing.join(' or ')} draws on a ledger account keyed by the consignee: give consignee.id (and consignee.ultimateParentId when it has a parent, INT-7)`);
    }
    const missingParent = drawing.includes('LPP') ? lppParentMissing(tx, keys, (opts.interpretations?.['INT-7'] ?? defaultReading('INT-7')) as LppReading) : undefined;
    if (missingParent) throw txs.length > 1 ? new InputError(`[${i}].${missingParent.path}`, missingParent.message.slice(missingParent.path.length + 2)) : missingParent;
  });
}

/**
 * The exception to commit under: the one asked for (if eligible), else the first eligible by
 * preference. When the one asked for is blocked by its cap, `capRefusal`
 * (given the engine's words) may supply a structured refusal (account, requested, left, cap).
 */
export function chooseException(d: Determination, wanted: ExceptionCode | undefined, capRefusal?: (why: string) => LedgerError | undefined): ExceptionCode | null {
  if (wanted) {
    const e = d.exceptions.find((x) => x.code === wanted);
    if (!e || e.status !== 'eligible') {
      const why = e ? e.conditions.filter((k) => k.status !== 'met').map((k) => `${k.id} ${k.status.replace('_', ' ')} (${k.citation})`).join('; ') : 'not evaluated for this transaction';
      const cap = e?.conditions.find((k) => k.id === 'annual-cap' && k.status === 'not_met');
      // The cap is what blocks it: say so in the words the caller looks for, with the room left.
      if (cap) {
        // A lean determination carries no condition details: say what the condition is.
        const why = `License Exception ${wanted} is not eligible: ${cap.detail ?? 'the shipment would exceed its annual cap'} (${cap.citation})`;
        throw capRefusal?.(why) ?? new LedgerError('cap_exceeded', `cap exceeded: ${why}`);
      }
      throw new LedgerError('not_eligible', `License Exception ${wanted} is ${e?.status.replace('_', ' ') ?? 'not available'}: ${why || d.outcome}`);
    }
    return wanted;
  }
  if (d.outcome !== 'license_exception') return null;
  return preferred((code) => d.exceptions.find((x) => x.code === code)?.status === 'eligible');
}

/** The first exception in EXCEPTION_PREFERENCE that `eligible` accepts, or null. */
function preferred(eligible: (code: ExceptionCode) => boolean): ExceptionCode | null {
  for (const code of EXCEPTION_PREFERENCE) if (eligible(code)) return code;
  return null;
}

/**
 * The exception whose draws the ledger keeps for a transaction committed (or a file's line screened)
 * under `chosen`. Under the codified regime, `chosen` itself. Under the enforced regime, a commit
 * uses what BIS enforces, but LPP's annual cap (740.29(d)) and the AIA total (740.27) are provisions
 * of the rule as written, and the codified answer is reported beside the enforced one ("the answer
 * under the rule as written, whichever regime the main columns follow"): its draws are the ones
 * a commit under the codified answer would make (the first eligible by preference), so that later
 * shipments' codified answers add up as the rule as written would (red team 3, D3). An exception
 * the enforced answer itself uses to draw is drawn as such.
 */
export function drawingException(d: Determination, chosen: ExceptionCode | null): ExceptionCode | null {
  if (d.regime !== 'enforced' || chosen === 'LPP' || chosen === 'AIA') return chosen;
  const codified = d.regimes.find((r) => r.id === 'codified');
  if (codified === undefined || codified.outcome !== 'license_exception') return null;
  return preferred((code) => codified.eligibleExceptions.includes(code));
}
