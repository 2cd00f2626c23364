/**
 * `aidr check FILE|-`: one Transaction or an array in, Determination(s) out (docs/contract.md).
 *
 * An array is read and answered as a stream (any size works): each element is determined as it
 * arrives and written at once; an invalid element is answered in its place with
 * `{ "index", "errors" }` and the run goes on (exit 3). One invalid transaction: exit 2, nothing
 * on stdout. The stored ledger is read when one exists (DATABASE_URL, or ./.aidr / AIDR_DATA_DIR),
 * and an array is added up per ultimate consignee in order, as `aidr screen` does, so a check and
 * the commit after it agree; `--no-ledger` ignores the store, `--ledger FILE` gives the view.
 * With the store, the parties register fills the absent facts of a consignee or end user named by
 * id, as `aidr screen` does (src/parties/fill.ts), said in the determination's warnings.
 */
import type { Command } from 'commander';
import { FieldsError, parseTransaction, parseTransactions, issueToError } from '../contract/parse.js';
import { LedgerViewSchema } from '../contract/options.js';
import { IsoDate } from '../contract/transaction.js';
import { RegimeId, type Determination } from '../contract/determination.js';
import { InputError, type EvalOptions } from '../engine/context.js';
import { EXIT } from './exit.js';
import { collectInterpretation, parseJson, readInput, reportAndExit, UsageError, writeJson } from './io.js';
import { renderText } from './text.js';
import { renderWhatIfText } from './what-if-text.js';
import { whatIf } from '../engine/what-if.js';
import { determine } from '../engine/determine.js';
import type { Transaction } from '../contract/transaction.js';
import { commitAll } from './ledger.js';

export interface CheckFlags {
  asOf?: string;
  format: string;
  interpretation?: Record<string, string>;
  /** A file (--ledger FILE), false (--no-ledger), or absent (the stored ledger when one exists). */
  ledger?: string | boolean;
  lean?: boolean;
  sensitivity?: boolean;
  commit?: boolean;
  actor?: string;
  idempotencyKey?: string;
  exception?: string;
  whatIf?: boolean;
  regime?: string;
  compareAsOf?: string;
}

export function evalOptionsFrom(flags: CheckFlags): EvalOptions {
  if (flags.asOf !== undefined && !IsoDate.safeParse(flags.asOf).success) throw new InputError('--as-of', 'expected a date as YYYY-MM-DD');
  if (!['json', 'text'].includes(flags.format)) throw new UsageError('--format must be json or text');
  const opts: EvalOptions = { interpretations: flags.interpretation, explain: !flags.lean, ...(flags.sensitivity ? { sensitivity: true } : {}) };
  if (flags.asOf) opts.asOf = flags.asOf;
  if (flags.regime !== undefined) opts.regime = regimeFlag(flags.regime);
  if (typeof flags.ledger === 'string') {
    const r = LedgerViewSchema.safeParse(parseJson(readInput(flags.ledger), '--ledger'));
    if (!r.success) throw issueToError(r.error.issues, 'ledger');
    opts.ledger = r.data;
  }
  return opts;
}

/** `--regime`: which regime the top-level answer follows (both are always evaluated). */
export function regimeFlag(value: string): RegimeId {
  const r = RegimeId.safeParse(value);
  if (!r.success) throw new InputError('--regime', `expected codified or enforced, got "${value}"`);
  return r.data;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Determine what the AI Diffusion rule requires for a transaction (JSON object or array; - for stdin)')
    .argument('<file>', 'transaction JSON file, or - for standard input')
    .option('--as-of <date>', 'evaluate as of this date (YYYY-MM-DD), overriding each transaction\'s date')
    .option('--regime <regime>', 'codified (the EAR as written, default) or enforced (as BIS enforces it): which answer the top-level fields give; both are always in regimes[]')
    .option('--format <format>', 'json or text', 'json')
    .option('--interpretation <ID=READING>', 'choose a reading, e.g. INT-6=available (repeatable)', collectInterpretation)
    .option('--ledger <file>', 'ledger view JSON: lppUsedTpp, aiaCumulativeTpp, countryLicensedTpp (instead of the stored ledger)')
    .option('--no-ledger', 'ignore the stored ledger')
    .option('--lean', 'omit the explanation, the classification basis and the re-evaluation of other interpretation readings (bulk screening)')
    .option('--sensitivity', 'with --lean: still re-evaluate other readings (interpretations[].changesOutcome, changes, alternatives)')
    .option('--commit', 'record it: draw on the ledger (LPP cap, AIA total) and append the audit log, in one database transaction')
    .option('--actor <name>', 'with --commit: who commits (default AIDR_ACTOR or the OS user)')
    .option('--idempotency-key <key>', 'with --commit: commit at most once for this key (a batch uses KEY#index); default each transaction\'s id')
    .option('--exception <code>', 'with --commit: the license exception to use (AIA, ACA, ACM, NAC, LPP); default the first eligible, caps last')
    .option('--compare-as-of <date>', 'instead of the determination: what changes for the transaction between its date (or --as-of) and this date, per regime, and what took effect in between (reads --ledger, not the stored ledger)')
    .option('--what-if', 'instead of the determination: the smallest changes of fact that would change it, each evaluated (LPP quantity, direct shipment, exception conditions, classification thresholds)')
    .action(async (file: string, flags: CheckFlags) => {
      try {
        const opts = evalOptionsFrom(flags);
        if (flags.commit) {
          if (flags.whatIf) throw new UsageError('--what-if does not commit; leave out --commit');
          if (flags.compareAsOf !== undefined) throw new UsageError('--compare-as-of does not commit; leave out --commit');
          if (flags.ledger === false) throw new UsageError('--no-ledger and --commit do not combine: a commit draws on the stored ledger');
          const { batch, transactions } = parseTransactions(parseJson(readInput(file), 'the input'));
          await commitAll(transactions, batch, opts, { actor: flags.actor, idempotencyKey: flags.idempotencyKey, exception: flags.exception, format: flags.format }, renderText);
          return;
        }
        if (flags.compareAsOf !== undefined) {
          if (!IsoDate.safeParse(flags.compareAsOf).success) throw new InputError('--compare-as-of', 'expected a real date as YYYY-MM-DD');
          if (flags.commit || flags.whatIf) throw new UsageError('--compare-as-of goes with neither --commit nor --what-if');
          const { compareAsOf, renderComparisonText } = await import('../engine/compare-dates.js');
          const { batch, transactions } = parseTransactions(parseJson(readInput(file), 'the input'));
          const results = transactions.map((t) => compareAsOf(t, opts, flags.compareAsOf!));
          if (flags.format === 'text') process.stdout.write(results.map(renderComparisonText).join('\n'));
          else writeJson(batch ? results : results[0]);
          return;
        }
        if (flags.whatIf) {
          const { batch, transactions } = parseTransactions(parseJson(readInput(file), 'the input'));
          const results = transactions.map((t) => whatIf(t, opts));
          if (flags.format === 'text') process.stdout.write(results.map((w, i) => renderWhatIfText(w, transactions[i]!.id)).join('\n'));
          else writeJson(batch ? results : results[0]);
          return;
        }
        if (flags.actor !== undefined || flags.idempotencyKey !== undefined || flags.exception !== undefined) throw new UsageError('--actor, --idempotency-key and --exception go with --commit');
        process.exitCode = await checkStream(file, flags, opts);
      } catch (e) {
        reportAndExit(e);
      }
    });
}

/**
 * For the text headline when the regimes differ: the transaction under the other regime, so that
 * its line can say why (its license-requirement finding does not depend on the ledger view).
 */
function otherRegime(tx: Transaction, d: Determination, opts: EvalOptions): Determination | undefined {
  if (!d.regimesDiffer || !d.explanation) return undefined;
  return determine(tx, { ...opts, regime: d.regime === 'codified' ? 'enforced' : 'codified', sensitivity: false });
}

/** Write and wait for the pipe when it is full, so that output never piles up in memory. */
async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

const indent = (json: string) => json.replace(/\n/g, '\n  ');

async function checkStream(file: string, flags: CheckFlags, opts: EvalOptions): Promise<number> {
  const { openJson } = await import('../screen/read.js');
  const { Batch, NO_LEDGER } = await import('../screen/evaluate.js');
  const opened = await openJson(file);
  // The stored ledger, when one exists and no view was given.
  let source = NO_LEDGER;
  let parties: import('../screen/row.js').PartyLookup | undefined;
  let close = async () => undefined as void;
  if (flags.ledger === undefined || flags.ledger === true) {
    const { existingStore, storeLedger, storeParties } = await import('../screen/sources.js');
    const where = existingStore();
    if (where) {
      const { openStore } = await import('../store/open.js');
      const store = await openStore(where);
      source = await storeLedger(store);
      // The parties register, as `aidr screen` reads it: a party named by id gets its absent facts.
      parties = await storeParties(store);
      close = () => store.close();
      process.stderr.write(`aidr: ledger read from ${source.description} (--no-ledger to ignore it)\n`);
    }
  }
  const fixed = opts.ledger;
  const evalOpts = { ...opts };
  delete evalOpts.ledger;
  const batch = new Batch(source, evalOpts, fixed);
  const { ledgerNeeds } = await import('../screen/evaluate.js');
  const { fillTransaction, withRegisterNotes } = await import('../parties/fill.js');
  const decide = async (given: ReturnType<typeof parseTransaction>): Promise<Determination> => {
    const { tx, notes } = fillTransaction(given, parties);
    const need = ledgerNeeds(tx, evalOpts);
    await source.prefetch(need.accounts, need.country ? [need.country] : []);
    return withRegisterNotes(batch.evaluate(tx).determination, notes);
  };
  try {
    if ('text' in opened) {
      // Not an array: one transaction, read whole, answered as before.
      const value = parseJson(opened.text, 'the input');
      if (value === null || typeof value !== 'object') throw new InputError('(root)', 'expected a transaction object or an array of them');
      const tx = parseTransaction(value);
      const d = await decide(tx);
      if (flags.format === 'text') process.stdout.write(renderText(d, otherRegime(tx, d, opts)));
      else writeJson(d);
      return EXIT.ok;
    }
    let index = 0;
    let written = 0;
    let invalid = 0;
    const text = flags.format === 'text';
    try {
      for await (const r of opened.array) {
        const i = index++;
        let piece: string;
        try {
          if ('error' in r) throw new InputError(`[${i}]`, r.error);
          const tx = parseTransaction('value' in r ? r.value : undefined, `[${i}]`);
          const d = await decide(tx);
          piece = text ? renderText(d, otherRegime(tx, d, opts)) : JSON.stringify(d, null, 2);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          invalid++;
          process.stderr.write(`aidr: invalid input: ${e.message}\n`);
          // Each field in error its own entry (a FieldsError holds them all).
          const errors = e instanceof FieldsError ? e.fields : [{ path: e.path, message: e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message }];
          piece = text ? errors.map((x) => `[${i}] INVALID: ${x.path}: ${x.message}\n`).join('') : JSON.stringify({ index: i, errors }, null, 2);
        }
        // The array opens with its first answer: input that holds none (`[]`) leaves nothing on stdout.
        await out(text ? `${i ? '\n' : ''}${piece}` : `${i ? ',' : '['}\n  ${indent(piece)}`);
        written++;
      }
    } catch (e) {
      // The input stops being readable (an array not closed) after answers were written: the array
      // written is closed, so that stdout stays JSON; the error and exit 2 say the input was cut short.
      if (!text && written > 0) await out('\n]\n');
      throw e;
    }
    if (!text) await out('\n]\n');
    return invalid ? EXIT.someRowsInvalid : EXIT.ok;
  } finally {
    await close();
  }
}
